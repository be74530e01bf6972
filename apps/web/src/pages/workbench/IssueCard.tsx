import { UploadOutlined } from "@ant-design/icons";
import { stepAllowed } from "@certhall/domain";
import { Alert, App, Button, Descriptions, Form, Input, Space, Typography, Upload } from "antd";
import { useState } from "react";
import { type IssuedCertificate, issueItem, type OrderItem } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";
import { TokenIssue } from "../assistant/TokenIssue";
import { ItemCard, PerItemCard, type StepProps } from "./ItemCardShell";
import { ItemFacts } from "./ItemFacts";
import { MediaField } from "./MediaField";
import { CSR_MAX_BYTES, looksLikeCsr } from "./workbench-rules";

/**
 * Per item: with 证书助手, the key made on the new medium in this PC's reader (its serial read from
 * it) and the certificate written back; otherwise the USB key serial, then the CSR made on that key
 * → 「签发」 (state 办理中 only). For 变更,
 * 补证, 换证 and 其他厂商介质证书更换 the item first shows what it acts on and the end date it will get.
 */
export function IssueCard({ order, onDone, onError }: StepProps) {
  const { t } = useI18n();
  const [issued, setIssued] = useState<Record<string, IssuedCertificate>>({});
  return (
    <PerItemCard
      order={order}
      title={t("wb.issueSection")}
      renderItem={(item, index) => (
        <ItemIssue
          key={item.id}
          index={index}
          order={order}
          item={item}
          issued={issued[item.id]}
          onIssued={(c) => setIssued((s) => ({ ...s, [item.id]: c }))}
          onDone={onDone}
          onError={onError}
        />
      )}
    />
  );
}

function ItemIssue({
  index,
  order,
  item,
  issued,
  onIssued,
  onDone,
  onError,
}: StepProps & {
  index: number;
  item: OrderItem;
  issued: IssuedCertificate | undefined;
  onIssued: (c: IssuedCertificate) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const editable = stepAllowed(order, "issue");
  const [csr, setCsr] = useState("");
  const [csrError, setCsrError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function readFile(file: File) {
    if (file.size > CSR_MAX_BYTES) {
      setCsrError(t("wb.csrTooLarge"));
      return;
    }
    const text = await file.text();
    setCsr(text);
    setCsrError(looksLikeCsr(text) ? null : t("wb.csrInvalid"));
  }

  async function issue() {
    if (!looksLikeCsr(csr)) {
      setCsrError(t("wb.csrInvalid"));
      return;
    }
    setBusy(true);
    try {
      const res = await issueItem(order.id, item.id, csr.trim());
      onIssued(res.certificate);
      setCsr("");
      message.success(t("wb.issued"));
      await onDone();
    } catch (err) {
      // A bad CSR is a 400 naming csrPem: show it under the box rather than as a passing toast.
      const e = err as { status?: number; field?: string; detail?: string };
      if (e.status === 400 && e.detail) setCsrError(e.detail);
      else await onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <ItemCard index={index} item={item} done={item.certificateSerial ? t("wb.issued") : null}>
      <ItemFacts order={order} item={item} />
      <Form layout="vertical" requiredMark={false}>
        <MediaField order={order} item={item} editable={editable} onDone={onDone} onError={onError} />
        {item.certificateSerial ? (
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              {
                key: "serial",
                label: t("wb.serial"),
                children: (
                  <Typography.Text copyable code>
                    {item.certificateSerial}
                  </Typography.Text>
                ),
              },
              ...(issued
                ? [
                    { key: "subject", label: t("wb.subject"), children: issued.subject },
                    {
                      key: "validity",
                      label: t("wb.validity"),
                      children: `${formatDateTime(issued.notBefore)} — ${formatDateTime(issued.notAfter)}`,
                    },
                  ]
                : []),
            ]}
          />
        ) : editable ? (
          <>
            <Form.Item label={t("assistant.issueTitle")}>
              <TokenIssue
                order={order}
                item={item}
                onIssued={async (c) => {
                  onIssued(c);
                  message.success(t("assistant.issuedOnToken"));
                  await onDone();
                }}
              />
            </Form.Item>
            <Form.Item
              label={t("wb.csr")}
              htmlFor={`csr-${item.id}`}
              validateStatus={csrError ? "error" : undefined}
              help={csrError ?? undefined}
              extra={
                <span>
                  {t("wb.csrHint")}
                  <Typography.Text code copyable>
                    certhall token csr … --out req.pem
                  </Typography.Text>
                </span>
              }
            >
              <Space orientation="vertical" style={{ width: "100%" }}>
                <Upload
                  accept=".csr,.pem,.req,.txt"
                  maxCount={1}
                  showUploadList={false}
                  beforeUpload={(file) => {
                    void readFile(file);
                    return Upload.LIST_IGNORE;
                  }}
                >
                  <Button icon={<UploadOutlined />}>{t("wb.csrUpload")}</Button>
                </Upload>
                <Input.TextArea
                  id={`csr-${item.id}`}
                  value={csr}
                  onChange={(e) => {
                    setCsr(e.target.value);
                    setCsrError(null);
                  }}
                  rows={4}
                  placeholder={`${t("wb.csrPaste")}\n-----BEGIN CERTIFICATE REQUEST-----`}
                  style={{ fontFamily: "monospace", fontSize: 12 }}
                />
                <Button type="primary" onClick={issue} loading={busy} disabled={!csr.trim()}>
                  {t("wb.issue")}
                </Button>
              </Space>
            </Form.Item>
          </>
        ) : (
          <Alert type="info" title={t("wb.waitProcessing")} />
        )}
      </Form>
    </ItemCard>
  );
}
