import { REVOKE_REASONS, type RevokeReason } from "@certhall/domain";
import { Alert, Form, Radio, Space } from "antd";
import { useI18n } from "../../../app/i18n";
import type { BusinessForm, ItemFieldsProps } from "./define";
import { ItemHint } from "./hint";

const isReason = (v: unknown): v is RevokeReason => (REVOKE_REASONS as readonly unknown[]).includes(v);

function RevokeFields({ name, row }: ItemFieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <Form.Item
        name={[name, "reason"]}
        label={t("biz.revokeReason")}
        rules={[{ required: true, message: t("biz.revokeReasonRequired") }]}
      >
        <Radio.Group>
          {REVOKE_REASONS.map((r) => (
            <Radio key={r} value={r}>
              {t(`biz.revokeReason.${r}`)}
            </Radio>
          ))}
        </Radio.Group>
      </Form.Item>
      <Space orientation="vertical" size={8} style={{ width: "100%" }}>
        {row?.reason === "keyCompromise" ? (
          <Alert type="warning" showIcon title={t("biz.revokeKeyCompromiseText")} />
        ) : null}
        <ItemHint type="warning" text="biz.revokeItemHint" />
      </Space>
    </>
  );
}

/** 注销: the applicant's reason (RFC 5280); the box 【是否注销】 confirms. */
export const revoke: BusinessForm = {
  newRow: {},
  fromItem: ({ details: d }) => (isReason(d.reason) ? { reason: d.reason } : {}),
  toInput: (r) => (isReason(r.reason) ? { reason: r.reason } : {}),
  fields: [["reason"]],
  Fields: RevokeFields,
  addLabel: "biz.addCerts",
  confirmText: "biz.confirmRevoke",
};
