import { FileProtectOutlined, PlusOutlined, UsbOutlined } from "@ant-design/icons";
import { BUSINESS_TYPES } from "@certhall/domain";
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  type FormInstance,
  Row,
  Segmented,
  Space,
  Typography,
  Upload,
} from "antd";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { ApiError, errorDetail } from "../../api/client";
import {
  type BusinessOrderInput,
  type OrderDetail,
  previewVendorCertificate,
  type SubjectKind,
  type VendorPreview,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { formatSerial } from "../../lib/serial";
import { formatDate } from "../../lib/time";
import { TokenCertificateRead } from "../assistant/TokenCertificateRead";
import {
  AddSubjectModal,
  ApplyHeading,
  NoSubjectsAlert,
  RemoveItemButton,
  RowFeeLines,
  SubjectAndCaTypeCols,
  SubmitBar,
  useOrderSave,
  useSubjectChoices,
} from "../orders/ApplyParts";
import { ItemBusinessDetails } from "../orders/BusinessItemDetails";
import {
  HandlerCard,
  type HandlerValues,
  handlerInput,
  RequireLogin,
  showServerErrors,
} from "../orders/HandlerCard";
import { liveFees } from "../orders/logic";
import { BUSINESS_DESCRIPTIONS_EN } from "../portal/business-en";
import { withoutItemPrefix } from "./businesses/define";
import { bytesToBase64, VENDOR_RULE_TEXT } from "./logic";
import "../orders/orders.css";

const { Text, Paragraph } = Typography;

/** The server's limit on the base64 text is 90 000 characters: about 64 KB of file. */
export const VENDOR_FILE_MAX_BYTES = 64 * 1024;

interface VendorRow {
  subjectId?: string;
  caTypeId?: string;
  /** base64 of the certificate file as read by the browser. */
  vendorCertificate?: string;
}

interface VendorValues extends HandlerValues {
  items: VendorRow[];
}

/** /business/vendor_swap */
export function VendorSwapPage() {
  return (
    <RequireLogin next="/business/vendor_swap">
      <VendorSwapForm order={null} />
    </RequireLogin>
  );
}

function readFile(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(new Error("无法读取该文件，请重新选择"));
    reader.readAsArrayBuffer(file);
  });
}

/**
 * The other vendor's certificate file (PEM, DER or .cer): read in the browser, sent as base64 to
 * POST /orders/vendor-certificate, and the server's reading shown for confirmation. The value of the
 * field is the base64 text; the server's refusal (our own certificate, expired, unreadable) goes on it.
 */
function VendorFileInput({
  value,
  onChange,
  onRead,
  onFailed,
}: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  onRead: (preview: VendorPreview | null, fileName: string | null) => void;
  /** A message to show on the field, or null to clear an earlier one. */
  onFailed: (message: string | null) => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [fromToken, setFromToken] = useState(false);

  function fail(message: string) {
    onRead(null, null);
    if (value) onChange?.(undefined);
    // After the change's own validation, so the reason is what stays on the field.
    setTimeout(() => onFailed(message), 0);
  }

  async function accept(bytes: () => Promise<Uint8Array>, name: string) {
    setBusy(true);
    try {
      const base64 = bytesToBase64(await bytes());
      const preview = await previewVendorCertificate(base64);
      onRead(preview, name);
      onChange?.(base64);
      onFailed(null);
      setFromToken(false);
    } catch (err) {
      fail(
        err instanceof ApiError ? withoutItemPrefix(err.errors[0]?.message ?? err.detail) : errorDetail(err),
      );
    } finally {
      setBusy(false);
    }
  }

  function pick(file: File) {
    if (file.size > VENDOR_FILE_MAX_BYTES) return fail(t("biz.vendorTooBig"));
    if (file.size === 0) return fail(t("biz.vendorEmpty"));
    return accept(() => readFile(file), file.name);
  }

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Space wrap>
        {/* 插入…介质…读取确认: the medium first, the file as the fallback. */}
        <Button icon={<UsbOutlined />} onClick={() => setFromToken((v) => !v)}>
          {t("assistant.readFromToken")}
        </Button>
        <Upload
          accept=".pem,.cer,.crt,.der,application/x-x509-ca-cert,application/pkix-cert"
          maxCount={1}
          showUploadList={false}
          beforeUpload={(file) => {
            void pick(file);
            return false;
          }}
        >
          <Button icon={<FileProtectOutlined />} loading={busy}>
            {value ? t("biz.vendorRepick") : t("biz.vendorPick")}
          </Button>
        </Upload>
      </Space>
      {fromToken ? (
        <TokenCertificateRead
          onPick={(c, serial) =>
            void accept(async () => new TextEncoder().encode(c.pem), t("assistant.fromToken", { serial }))
          }
        />
      ) : null}
    </Space>
  );
}

/** The confirmation card: what the certificate says and the service end the rule gives today. */
function VendorConfirmation({
  preview,
  fileName,
  subjectUscc,
}: {
  preview: VendorPreview;
  fileName: string | null;
  subjectUscc: string | null;
}) {
  const { t } = useI18n();
  const uscc = preview.subjectFields.uscc;
  return (
    <div style={{ marginBottom: 12 }}>
      <Descriptions
        size="small"
        bordered
        column={1}
        title={
          <Text strong>
            {t("biz.vendorConfirm")}
            {fileName ? (
              <Text type="secondary" style={{ fontSize: 12, fontWeight: "normal" }}>
                {" "}
                （{fileName}）
              </Text>
            ) : null}
          </Text>
        }
      >
        <Descriptions.Item label={t("biz.vendorSubject")}>{preview.subject}</Descriptions.Item>
        <Descriptions.Item label={t("biz.vendorIssuer")}>{preview.issuer}</Descriptions.Item>
        <Descriptions.Item label={t("wallet.serial")}>
          <Text code style={{ fontSize: 12, wordBreak: "break-all" }}>
            {formatSerial(preview.serialHex)}
          </Text>
        </Descriptions.Item>
        <Descriptions.Item label={t("wallet.validity")}>
          {formatDate(preview.notBefore)} — {formatDate(preview.notAfter)}
        </Descriptions.Item>
        <Descriptions.Item label={t("biz.serviceEnd")}>
          <Text strong>{formatDate(preview.estimatedEnd)}</Text>
          <div>
            <Text type="secondary" style={{ fontSize: 12 }}>
              {VENDOR_RULE_TEXT[preview.rule]}
              {t("biz.serviceEndNote")}
            </Text>
          </div>
        </Descriptions.Item>
      </Descriptions>
      {uscc && subjectUscc && uscc !== subjectUscc ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 8 }}
          title={t("biz.vendorUsccMismatch", { cert: uscc, subject: subjectUscc })}
        />
      ) : null}
    </div>
  );
}

/** 其他厂商介质证书更换: subject and product like 新证, plus the other vendor's certificate per item. */
export function VendorSwapForm({ order }: { order: OrderDetail | null }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const [form] = Form.useForm<VendorValues>();
  const [kind, setKind] = useState<SubjectKind>((order?.subjectKind as SubjectKind | undefined) ?? "company");
  const { busy, save } = useOrderSave(order);
  const [addFor, setAddFor] = useState<number | null>(null);
  /** What the server read from each row's file, by the row's Form.List key. */
  const [previews, setPreviews] = useState<
    Record<number, { preview: VendorPreview; fileName: string | null }>
  >({});
  const info = BUSINESS_TYPES.vendor_swap;

  const choices = useSubjectChoices(kind);
  const { subjects, caTypes } = choices;
  const rows: (VendorRow | undefined)[] = Form.useWatch("items", form) ?? [];
  const fees = useMemo(
    () =>
      liveFees(
        "vendor_swap",
        rows.map((r) => ({ caTypeId: r?.caTypeId, years: 1, eseal: false })),
        caTypes.data?.caTypes ?? [],
      ),
    [rows, caTypes.data],
  );

  const initialValues: VendorValues = order
    ? {
        handler: { name: order.handler.name },
        items: order.items.map((i) => ({ subjectId: i.subject.id, caTypeId: i.caType.id })),
      }
    : { handler: {}, items: [{}] };

  function toInput(values: VendorValues): BusinessOrderInput {
    return {
      business: "vendor_swap",
      subjectKind: kind,
      handler: handlerInput(values),
      items: (values.items ?? []).map((r) => ({
        subjectId: r.subjectId ?? "",
        caTypeId: r.caTypeId ?? "",
        years: 1,
        eseal: false,
        vendorCertificate: r.vendorCertificate ?? "",
      })),
    };
  }

  async function onSave(submit: boolean) {
    try {
      await form.validateFields();
    } catch {
      message.error(t("apply.fixErrors"));
      return;
    }
    const values = form.getFieldsValue(true) as VendorValues;
    await save(submit, toInput(values), (err) => showServerErrors(err, form, onError));
  }

  if (subjects.isError) return <LoadError error={subjects.error} onRetry={() => subjects.refetch()} />;
  if (caTypes.isError) return <LoadError error={caTypes.error} onRetry={() => caTypes.refetch()} />;

  return (
    <div className="page" style={{ maxWidth: 960 }}>
      <ApplyHeading
        order={order}
        title={lang === "zh" ? info.name : info.nameEn}
        description={lang === "zh" ? info.description : BUSINESS_DESCRIPTIONS_EN.vendor_swap}
      />
      {order ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t("biz.vendorReselect")} />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={initialValues}
        requiredMark={false}
        scrollToFirstError
      >
        <Card style={{ marginBottom: 16 }}>
          <Space wrap align="center">
            <Text>{t("biz.vendorKind")}</Text>
            <Segmented<SubjectKind>
              value={kind}
              disabled={!!order}
              onChange={(k) => {
                setKind(k);
                setPreviews({});
                form.setFieldValue("items", [{}]);
              }}
              options={[
                { value: "company", label: t("subj.company") },
                { value: "person", label: t("subj.person") },
              ]}
            />
          </Space>
        </Card>

        <HandlerCard form={form} order={order} />

        <Card
          title={t("biz.vendorItems")}
          style={{ marginBottom: 16 }}
          extra={
            <Link to="/subjects" target="_blank">
              {t("subj.title")}
            </Link>
          }
        >
          <Paragraph type="secondary">{t("biz.vendorHint")}</Paragraph>
          <NoSubjectsAlert kind={kind} choices={choices} />
          <Form.List
            name="items"
            rules={[
              {
                validator: async (_r, items: unknown[]) => {
                  if (!items || items.length === 0) throw new Error(t("apply.atLeastOne"));
                },
              },
            ]}
          >
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((field, index) => {
                  const row = rows[index];
                  const read = previews[field.key];
                  const subject = choices.subjectList.find((s) => s.id === row?.subjectId);
                  const earlier = order?.items[index];
                  const fee = fees.rows[index];
                  return (
                    <Card
                      key={field.key}
                      size="small"
                      type="inner"
                      style={{ marginBottom: 12 }}
                      title={t("apply.itemN", { n: index + 1 })}
                      extra={
                        fields.length > 1 ? (
                          <RemoveItemButton
                            onClick={() => {
                              remove(field.name);
                              setPreviews(({ [field.key]: _gone, ...rest }) => rest);
                            }}
                          />
                        ) : null
                      }
                    >
                      <Row gutter={12}>
                        <SubjectAndCaTypeCols
                          name={field.name}
                          kind={kind}
                          md={12}
                          choices={choices}
                          onAddSubject={() => setAddFor(index)}
                        />
                      </Row>
                      <Form.Item
                        name={[field.name, "vendorCertificate"]}
                        label={t("biz.vendorFile")}
                        extra={t("biz.vendorFileHint")}
                        rules={[{ required: true, message: t("biz.vendorFileRequired") }]}
                      >
                        <VendorFileInput
                          onRead={(preview, fileName) =>
                            setPreviews((p) => {
                              const { [field.key]: _old, ...rest } = p;
                              return preview ? { ...rest, [field.key]: { preview, fileName } } : rest;
                            })
                          }
                          onFailed={(msg) =>
                            (form as FormInstance).setFields([
                              { name: ["items", field.name, "vendorCertificate"], errors: msg ? [msg] : [] },
                            ])
                          }
                        />
                      </Form.Item>
                      {read ? (
                        <VendorConfirmation
                          preview={read.preview}
                          fileName={read.fileName}
                          subjectUscc={subject?.kind === "company" ? subject.uscc : null}
                        />
                      ) : earlier ? (
                        <div style={{ marginBottom: 12 }}>
                          <Text type="secondary">{t("biz.vendorEarlier")}</Text>
                          <ItemBusinessDetails business="vendor_swap" item={earlier} />
                        </div>
                      ) : null}
                      <RowFeeLines fee={fee} />
                    </Card>
                  );
                })}
                <Form.ErrorList errors={errors} />
                <Button
                  type="dashed"
                  block
                  icon={<PlusOutlined />}
                  onClick={() => add({})}
                  disabled={fields.length >= 20}
                >
                  {t("biz.vendorAdd")}
                </Button>
              </>
            )}
          </Form.List>
        </Card>

        <SubmitBar
          order={order}
          total={fees.total}
          hint={t("biz.vendorTotalHint")}
          busy={busy}
          onSave={onSave}
        />
      </Form>
      <AddSubjectModal kind={kind} row={addFor} form={form} onClose={() => setAddFor(null)} />
    </div>
  );
}
