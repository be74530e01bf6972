import { UploadOutlined } from "@ant-design/icons";
import { SEAL_KINDS } from "@certhall/domain";
import { Button, Col, Form, Input, Row, Select, Space, Typography, Upload } from "antd";
import { useEffect, useState } from "react";
import { ApiError, errorDetail } from "../../../api/client";
import { uploadSealImage } from "../../../api/orders";
import { useI18n } from "../../../app/i18n";
import { type BusinessForm, type FieldErrors, type ItemFieldsProps, str, withoutItemPrefix } from "./define";

const { Text } = Typography;

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

function EsealFields({ name, cert, form }: ItemFieldsProps) {
  const { t } = useI18n();
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
}

/** 电子签章开通: the seal picture (uploaded at once), its name and its kind. */
export const eseal: BusinessForm = {
  newRow: { seal: {} },
  fromItem: ({ details: d }) => ({
    seal: { name: str(d.sealName), kind: str(d.sealKind), uploadId: str(d.sealUploadId) },
  }),
  toInput: (r) => ({
    seal: { name: (r.seal?.name ?? "").trim(), kind: r.seal?.kind ?? "", uploadId: r.seal?.uploadId ?? "" },
  }),
  fields: [
    ["seal", "uploadId"],
    ["seal", "name"],
    ["seal", "kind"],
  ],
  check: (row, _cert, i) => {
    const out: FieldErrors = [];
    if (!row.seal?.uploadId) out.push({ name: ["items", i, "seal", "uploadId"], errors: ["请上传印章图片"] });
    if (!row.seal?.name?.trim()) out.push({ name: ["items", i, "seal", "name"], errors: ["请填写印章名称"] });
    if (!row.seal?.kind || !(SEAL_KINDS as readonly string[]).includes(row.seal.kind)) {
      out.push({ name: ["items", i, "seal", "kind"], errors: ["请选择印章类型"] });
    }
    return out;
  },
  Fields: EsealFields,
  addLabel: "biz.addCerts",
};
