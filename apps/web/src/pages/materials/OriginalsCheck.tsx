import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Input, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { checkOriginal, getStaffMaterials, staffMaterialFileUrl } from "../../api/materials";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";

const { Text } = Typography;

/** 原件备查 at the window: each uploaded file beside the paper original, marked 一致 or 不符 (with a note). */
export function OriginalsCheck({ orderId, open }: { orderId: string; open: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const queryKey = ["admin", "material-files", orderId, "window"];
  const q = useQuery({ queryKey, queryFn: () => getStaffMaterials(orderId) });
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const rows = (q.data?.subjects ?? []).flatMap((s) => s.materials.filter((x) => x.upload));
  if (!rows.length) return null;

  async function mark(uploadId: string, result: "match" | "mismatch") {
    setBusy(uploadId + result);
    try {
      queryClient.setQueryData(queryKey, await checkOriginal(orderId, uploadId, result, notes[uploadId]));
      message.success(t("mat.originalSaved"));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div style={{ marginTop: 16 }} data-testid="originals-check">
      <Text strong>{t("mat.originalsTitle")}</Text>
      {rows.map((slot) => {
        const u = slot.upload!;
        return (
          <div
            key={u.id}
            style={{ marginTop: 8 }}
            data-testid={`original-${slot.code}${slot.part ? `-${slot.part}` : ""}`}
          >
            <Space wrap>
              <a href={staffMaterialFileUrl(orderId, u.id)}>{slot.label}</a>
              {u.originalResult ? (
                <Tag color={u.originalResult === "match" ? "success" : "error"}>
                  {t(`mat.original.${u.originalResult}`)}
                  {u.originalBy ? ` · ${u.originalBy}` : ""}
                </Tag>
              ) : (
                <Tag>{t("mat.original.unchecked")}</Tag>
              )}
              {open ? (
                <>
                  <Button size="small" loading={busy === `${u.id}match`} onClick={() => mark(u.id, "match")}>
                    {t("mat.original.markMatch")}
                  </Button>
                  <Input
                    size="small"
                    style={{ width: 200 }}
                    maxLength={200}
                    placeholder={t("mat.original.notePlaceholder")}
                    value={notes[u.id] ?? ""}
                    onChange={(e) => setNotes({ ...notes, [u.id]: e.target.value })}
                  />
                  <Button
                    size="small"
                    danger
                    loading={busy === `${u.id}mismatch`}
                    onClick={() => mark(u.id, "mismatch")}
                  >
                    {t("mat.original.markMismatch")}
                  </Button>
                </>
              ) : null}
            </Space>
            {u.originalNote ? (
              <div>
                <Text type="secondary">{u.originalNote}</Text>
              </div>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
