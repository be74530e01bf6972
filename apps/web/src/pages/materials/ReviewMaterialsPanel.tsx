import { FilePdfOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { AutoComplete, Card, Checkbox, Empty, Image, Space, Typography } from "antd";
import {
  getStaffMaterials,
  type MaterialRejection,
  slotKey,
  staffMaterialFileUrl,
} from "../../api/materials";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";
import { MaterialStatus } from "./MaterialStatus";
import { describeFile, MATERIAL_REJECT_REASONS } from "./reasons";
import "./materials.css";

const { Text } = Typography;

/**
 * The uploaded materials beside the order (issue 16): pictures shown, PDFs opened, and, while the order
 * may be rejected, a tick and a reason per file. The ticked ones travel with the reject
 * (`materials` of POST /admin/orders/:id/reject); the others are accepted with the decision.
 */
export function ReviewMaterialsPanel({
  orderId,
  version,
  editable,
  value,
  onChange,
}: {
  orderId: string;
  /** The order's version: a new one (resubmitted, decided) reloads the files. */
  version: number;
  editable: boolean;
  value: MaterialRejection[];
  onChange: (next: MaterialRejection[]) => void;
}) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["admin", "material-files", orderId, version],
    queryFn: () => getStaffMaterials(orderId),
  });
  const m = q.data;
  if (!m || m.subjects.every((s) => s.materials.length === 0)) return null;
  const byKey = new Map(value.map((r) => [slotKey(r), r]));
  const set = (slot: { subjectId: string; code: string; part: string }, reason: string | null) => {
    const rest = value.filter((r) => slotKey(r) !== slotKey(slot));
    onChange(reason === null ? rest : [...rest, { ...slot, reason }]);
  };
  const uploaded = m.subjects.some((s) => s.materials.some((x) => x.upload));

  return (
    <Card title={t("mat.reviewTitle")} size="small" data-testid="review-materials">
      {!uploaded ? <Empty description={t("mat.noneUploaded")} /> : null}
      {m.subjects.map((s) => (
        <div key={s.subjectId}>
          {m.subjects.length > 1 ? <Text strong>{s.subjectName}</Text> : null}
          <ul className="material-list">
            {s.materials
              .filter((x) => x.upload)
              .map((slot) => {
                const u = slot.upload!;
                const key = { subjectId: s.subjectId, code: slot.code, part: slot.part };
                const rejection = byKey.get(slotKey(key));
                const url = staffMaterialFileUrl(orderId, u.id);
                return (
                  <li
                    key={u.id}
                    data-testid={`review-material-${slot.code}${slot.part ? `-${slot.part}` : ""}`}
                  >
                    <Space align="start" wrap style={{ width: "100%" }}>
                      {u.mime.startsWith("image/") ? (
                        <Image src={url} width={120} alt={slot.label} />
                      ) : (
                        <a href={url} target="_blank" rel="noreferrer">
                          <FilePdfOutlined style={{ fontSize: 48 }} />
                        </a>
                      )}
                      <Space orientation="vertical" size={4}>
                        <Space wrap size={4}>
                          <Text strong>{slot.label}</Text>
                          <MaterialStatus upload={u} />
                        </Space>
                        <Text type="secondary" style={{ fontSize: 12 }}>
                          {describeFile(u)} · {formatDateTime(u.uploadedAt)}
                        </Text>
                        {u.reviewStatus === "rejected" && u.reviewReason ? (
                          <Text type="danger">{t("mat.rejectedReason", { reason: u.reviewReason })}</Text>
                        ) : null}
                        {editable ? (
                          <Space wrap>
                            <Checkbox
                              checked={!!rejection}
                              onChange={(e) => set(key, e.target.checked ? MATERIAL_REJECT_REASONS[0] : null)}
                            >
                              {t("mat.rejectThis")}
                            </Checkbox>
                            {rejection ? (
                              <AutoComplete
                                style={{ width: 260 }}
                                value={rejection.reason}
                                options={MATERIAL_REJECT_REASONS.map((r) => ({ value: r }))}
                                onChange={(v) => set(key, String(v ?? "").slice(0, 200))}
                                aria-label={t("mat.rejectReason")}
                              />
                            ) : null}
                          </Space>
                        ) : null}
                      </Space>
                    </Space>
                  </li>
                );
              })}
          </ul>
        </div>
      ))}
    </Card>
  );
}
