import { type BusinessCode, materialsFor } from "@certhall/domain";
import { Card, List, Typography } from "antd";
import type { StaffOrderDetail } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";

/**
 * What the review page's materials region shows until the uploaded-materials panel fills the slot:
 * the materials this business asks of this kind of subject, to check the order's facts against.
 */
export function RequiredMaterials({ order }: { order: StaffOrderDetail }) {
  const { t, lang } = useI18n();
  const kind = order.subjectKind === "person" ? "person" : "company";
  const list = materialsFor(order.business as BusinessCode, kind);
  return (
    <Card title={t("queue.materials")} size="small">
      <Typography.Paragraph type="secondary">{t("queue.materialsHint")}</Typography.Paragraph>
      <List
        size="small"
        dataSource={list}
        locale={{ emptyText: t("queue.noMaterials") }}
        renderItem={(m) => <List.Item>{lang === "en" ? m.en : m.zh}</List.Item>}
      />
    </Card>
  );
}
