import { UploadOutlined } from "@ant-design/icons";
import { type BusinessCode, MAX_YEARS, SEAL_KINDS } from "@certhall/domain";
import {
  Alert,
  Button,
  Col,
  Descriptions,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Typography,
  Upload,
} from "antd";
import { useEffect, useState } from "react";
import { ApiError, errorDetail } from "../../api/client";
import { uploadSealImage } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { formatDate } from "../../lib/time";
import { KeyChoiceNotice } from "../orders/BusinessItemDetails";
import { formatSerial } from "../wallet/WalletPage";
import { type BusinessRow, type CertPick, renewNeedsReview, withoutItemPrefix } from "./logic";

const { Text } = Typography;

/** The certificate an item acts on; the Form.Item around it carries the server's errors about it. */
export function CertSummary({
  value,
  certs,
  showMedia,
}: {
  value?: string;
  certs: ReadonlyMap<string, CertPick>;
  showMedia?: boolean;
}) {
  const { t } = useI18n();
  const c = value ? certs.get(value) : undefined;
  if (!value) return null;
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
      <Descriptions.Item label={t("order.subject")}>
        {c ? (
          <>
            {c.subjectName}{" "}
            <Text type="secondary" style={{ fontSize: 12 }}>
              {c.subjectIdentity}
            </Text>
          </>
        ) : (
          "—"
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t("apply.caType")}>{c?.caTypeName ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("wallet.serial")}>
        <Text code style={{ fontSize: 12, wordBreak: "break-all" }}>
          {formatSerial(value)}
        </Text>
      </Descriptions.Item>
      {c?.notAfter ? (
        <Descriptions.Item label={t("wallet.validity")}>
          {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
        </Descriptions.Item>
      ) : null}
      {showMedia ? (
        <Descriptions.Item label={t("biz.mediaSerial")}>
          {c?.mediaSerial ?? t("biz.mediaUnknown")}
        </Descriptions.Item>
      ) : null}
    </Descriptions>
  );
}

/** The message of a failed upload, for the field (the first field problem, or the detail). */
function uploadMessage(err: unknown): string {
  if (err instanceof ApiError) return withoutItemPrefix(err.errors[0]?.message ?? err.detail);
  return errorDetail(err);
}

/**
 * The seal image: a transparent PNG sent to POST /uploads/seal as soon as it is picked; the value is
 * the upload id. The server's verdict (not a PNG, white background, too large) goes on the field.
 */
function SealImageInput({
  value,
  onChange,
  onFailed,
}: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  /** A message to show on the field, or null to clear an earlier one. */
  onFailed: (message: string | null) => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ url: string; size: string } | null>(null);
  useEffect(() => () => (preview ? URL.revokeObjectURL(preview.url) : undefined), [preview]);

  async function upload(file: File) {
    if (file.type && file.type !== "image/png") {
      if (value) onChange?.(undefined);
      setTimeout(() => onFailed(t("biz.sealPngOnly")), 0);
      return;
    }
    setBusy(true);
    try {
      const res = await uploadSealImage(file);
      setPreview({ url: URL.createObjectURL(file), size: `${res.width} × ${res.height}` });
      onChange?.(res.uploadId);
      onFailed(null);
    } catch (err) {
      setPreview(null);
      if (value) onChange?.(undefined);
      // After the change's own validation (「请上传印章图片」) so the server's reason is what stays.
      const message = uploadMessage(err);
      setTimeout(() => onFailed(message), 0);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Space align="start" wrap>
      <Upload
        accept="image/png"
        maxCount={1}
        showUploadList={false}
        beforeUpload={(file) => {
          void upload(file);
          return false;
        }}
      >
        <Button icon={<UploadOutlined />} loading={busy}>
          {value ? t("biz.sealReplace") : t("biz.sealPick")}
        </Button>
      </Upload>
      {preview ? (
        <Space orientation="vertical" size={0}>
          <img
            src={preview.url}
            alt={t("biz.sealImage")}
            className="seal-preview"
            style={{ width: 120, height: 120, objectFit: "contain", border: "1px dashed #d9d9d9" }}
          />
          <Text type="secondary" style={{ fontSize: 12 }}>
            {preview.size}
          </Text>
        </Space>
      ) : value ? (
        <Text type="success">{t("biz.sealUploaded")}</Text>
      ) : null}
    </Space>
  );
}

/** The fields one business asks of an item, under the certificate's summary. */
export function ItemFields({
  business,
  name,
  row,
  cert,
  form,
}: {
  business: BusinessCode;
  /** The row's name in the Form.List. */
  name: number;
  row: BusinessRow | undefined;
  cert: CertPick | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the business form's values
  form: FormInstance<any>;
}) {
  const { t } = useI18n();
  switch (business) {
    case "renew": {
      const review = renewNeedsReview(cert?.notAfter ?? null, row?.years ?? 1, new Date());
      return (
        <>
          <Row gutter={12}>
            <Col xs={24} sm={8}>
              <Form.Item
                name={[name, "years"]}
                label={t("biz.renewYears")}
                rules={[{ required: true, message: t("biz.renewYearsRequired") }]}
              >
                <InputNumber
                  min={1}
                  max={MAX_YEARS}
                  precision={0}
                  style={{ width: "100%" }}
                  suffix={t("biz.yearUnit")}
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={16}>
              <Form.Item
                name={[name, "keepKey"]}
                label={t("biz.key")}
                rules={[{ required: true, message: t("biz.keyRequired") }]}
              >
                <Radio.Group>
                  <Radio value={true}>{t("biz.keepKey")}</Radio>
                  <Radio value={false}>{t("biz.rekey")}</Radio>
                </Radio.Group>
              </Form.Item>
            </Col>
          </Row>
          <KeyChoiceNotice keepKey={row?.keepKey} />
          {review ? (
            <Alert
              type="warning"
              showIcon
              style={{ marginTop: 8 }}
              title={t("biz.renewReview")}
              description={t("biz.renewReviewText")}
            />
          ) : null}
        </>
      );
    }
    case "eseal":
      return (
        <Row gutter={12}>
          <Col xs={24}>
            <Form.Item
              name={[name, "seal", "uploadId"]}
              label={t("biz.sealImage")}
              extra={t("biz.sealImageHint")}
              rules={[{ required: true, message: t("biz.sealImageRequired") }]}
            >
              <SealImageInput
                onFailed={(message) =>
                  form.setFields([
                    { name: ["items", name, "seal", "uploadId"], errors: message ? [message] : [] },
                  ])
                }
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={14}>
            <Form.Item
              name={[name, "seal", "name"]}
              label={t("biz.sealName")}
              rules={[
                { required: true, whitespace: true, message: t("biz.sealNameRequired") },
                { max: 60, message: t("biz.sealNameMax") },
              ]}
            >
              <Input
                maxLength={60}
                placeholder={cert ? t("biz.sealNamePlaceholder", { name: cert.subjectName }) : ""}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={10}>
            <Form.Item
              name={[name, "seal", "kind"]}
              label={t("biz.sealKind")}
              rules={[{ required: true, message: t("biz.sealKindRequired") }]}
            >
              <Select
                placeholder={t("biz.sealKindRequired")}
                options={SEAL_KINDS.map((k) => ({ value: k, label: k }))}
              />
            </Form.Item>
          </Col>
        </Row>
      );
    case "change": {
      const person = cert?.subjectKind === "person";
      return (
        <>
          <Text type="secondary">{t("biz.changeHint")}</Text>
          <Row gutter={12} style={{ marginTop: 8 }}>
            <Col xs={24} md={person ? 24 : 8}>
              <Form.Item
                name={[name, "changes", "name"]}
                label={person ? t("biz.changePersonName") : t("biz.changeName")}
                extra={cert ? t("biz.current", { v: cert.subjectName }) : null}
                rules={[{ max: 100, message: t("biz.max100") }]}
              >
                <Input maxLength={100} allowClear />
              </Form.Item>
            </Col>
            {person ? null : (
              <>
                <Col xs={24} md={8}>
                  <Form.Item
                    name={[name, "changes", "legalRep"]}
                    label={t("biz.changeLegalRep")}
                    extra={cert ? t("biz.current", { v: cert.legalRep ?? "—" }) : null}
                    rules={[{ max: 50, message: t("biz.max50") }]}
                  >
                    <Input maxLength={50} allowClear />
                  </Form.Item>
                </Col>
                <Col xs={24} md={8}>
                  <Form.Item
                    name={[name, "changes", "address"]}
                    label={t("biz.changeAddress")}
                    extra={cert ? t("biz.current", { v: cert.address ?? "—" }) : null}
                    rules={[{ max: 200, message: t("biz.max200") }]}
                  >
                    <Input maxLength={200} allowClear />
                  </Form.Item>
                </Col>
              </>
            )}
          </Row>
          <Form.Item
            name={[name, "reason"]}
            label={t("biz.changeReason")}
            rules={[
              { required: true, whitespace: true, message: t("biz.changeReasonRequired") },
              { max: 200, message: t("biz.max200") },
            ]}
          >
            <Input.TextArea
              rows={2}
              maxLength={200}
              showCount
              placeholder={t("biz.changeReasonPlaceholder")}
            />
          </Form.Item>
        </>
      );
    }
    case "reissue":
      return (
        <>
          <Form.Item
            name={[name, "cause"]}
            label={t("biz.cause")}
            rules={[{ required: true, message: t("biz.causeRequired") }]}
          >
            <Radio.Group>
              <Radio value="lost">{t("biz.causeLost")}</Radio>
              <Radio value="broken">{t("biz.causeBroken")}</Radio>
            </Radio.Group>
          </Form.Item>
          {row?.cause ? (
            <Alert
              type={row.cause === "lost" ? "warning" : "info"}
              showIcon
              title={row.cause === "lost" ? t("biz.causeLostText") : t("biz.causeBrokenText")}
            />
          ) : null}
        </>
      );
    case "unlock":
      return <Alert type="info" showIcon title={t("biz.unlockItemHint")} />;
    case "replace":
      return <Alert type="info" showIcon title={t("biz.replaceItemHint")} />;
    case "revoke":
      return <Alert type="warning" showIcon title={t("biz.revokeItemHint")} />;
    default:
      return null;
  }
}
