import { DownloadOutlined, FilePdfOutlined, UploadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Space, Typography, Upload } from "antd";
import { useState } from "react";
import {
  getMyMaterials,
  MATERIAL_ACCEPT,
  MATERIAL_MAX_BYTES,
  type MaterialSlot,
  myMaterialFileUrl,
  orderFormUrl,
  slotKey,
  uploadMaterial,
} from "../../api/materials";
import type { OrderDetail } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { formatDateTime } from "../../lib/time";
import { MaterialStatus } from "./MaterialStatus";
import { describeFile } from "./reasons";
import "./materials.css";

const { Text } = Typography;

/**
 * 上传材料 (issue 16): per subject of the order, each material the receipt lists, with the file uploaded
 * for it, the reviewer's verdict and, for a rejected one, the reason and 【重新上传】. Also the forms to
 * print, pre-filled from the order.
 */
export function MaterialsUploadCard({ order }: { order: OrderDetail }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const queryKey = ["orders", "materials", order.id, order.state];
  const q = useQuery({ queryKey, queryFn: () => getMyMaterials(order.id) });
  const [busy, setBusy] = useState<string | null>(null);
  const m = q.data;
  if (!m || m.subjects.every((s) => s.materials.length === 0)) return null;
  const company = order.subjectKind === "company";
  const hasEseal = order.items.some((i) => i.eseal);

  async function send(subjectId: string, slot: MaterialSlot, file: File) {
    if (file.size > MATERIAL_MAX_BYTES) {
      message.error(t("mat.tooBig", { label: slot.label }));
      return;
    }
    const key = slotKey({ subjectId, ...slot });
    setBusy(key);
    try {
      const next = await uploadMaterial(order.id, { subjectId, code: slot.code, part: slot.part }, file);
      queryClient.setQueryData(queryKey, next);
      message.success(t("mat.uploaded", { label: slot.label }));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card title={t("mat.title")} style={{ marginBottom: 16 }} data-testid="materials-upload">
      <Typography.Paragraph type="secondary">{t("mat.hint")}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <a href={orderFormUrl(order.id, "application")} target="_blank" rel="noreferrer">
          <Button icon={<FilePdfOutlined />}>{t("mat.formApplication")}</Button>
        </a>
        {company ? (
          <a href={orderFormUrl(order.id, "authorization")} target="_blank" rel="noreferrer">
            <Button icon={<FilePdfOutlined />}>{t("mat.formAuthorization")}</Button>
          </a>
        ) : null}
        {company && hasEseal ? (
          <a href={orderFormUrl(order.id, "eseal")} target="_blank" rel="noreferrer">
            <Button icon={<FilePdfOutlined />}>{t("mat.formEseal")}</Button>
          </a>
        ) : null}
      </Space>
      {!m.uploadable ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t("mat.locked")} />
      ) : null}
      {m.subjects.map((s) => (
        <div key={s.subjectId}>
          {m.subjects.length > 1 ? <Text strong>{s.subjectName}</Text> : null}
          {/* Plain markup: antd 6.6 deprecates List. */}
          <ul className="material-list">
            {s.materials.map((slot) => {
              const u = slot.upload;
              const key = slotKey({ subjectId: s.subjectId, ...slot });
              return (
                <li key={key} data-testid={`material-${slot.code}${slot.part ? `-${slot.part}` : ""}`}>
                  <Space orientation="vertical" size={0} style={{ flex: 1, minWidth: 0 }}>
                    <Space wrap size={4}>
                      <span>{slot.label}</span>
                      <MaterialStatus upload={u} />
                    </Space>
                    {u ? (
                      <Text type="secondary" style={{ fontSize: 12 }}>
                        <a href={myMaterialFileUrl(order.id, u.id)}>
                          <DownloadOutlined /> {u.filename}
                        </a>{" "}
                        · {describeFile(u)} · {formatDateTime(u.uploadedAt)}
                      </Text>
                    ) : null}
                    {u?.reviewStatus === "rejected" && u.reviewReason ? (
                      <Text type="danger">{t("mat.rejectedReason", { reason: u.reviewReason })}</Text>
                    ) : null}
                  </Space>
                  {m.uploadable ? (
                    <Upload
                      accept={MATERIAL_ACCEPT}
                      showUploadList={false}
                      beforeUpload={(file) => {
                        void send(s.subjectId, slot, file);
                        return false;
                      }}
                    >
                      <Button
                        size="small"
                        type={u?.reviewStatus === "rejected" ? "primary" : "default"}
                        danger={u?.reviewStatus === "rejected"}
                        icon={<UploadOutlined />}
                        loading={busy === key}
                      >
                        {u ? t("mat.replace") : t("mat.upload")}
                      </Button>
                    </Upload>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </Card>
  );
}
