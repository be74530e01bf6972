import { Alert, Form, Radio } from "antd";
import { useI18n } from "../../../app/i18n";
import type { BusinessForm, ItemFieldsProps } from "./define";

function ReissueFields({ name, row }: ItemFieldsProps) {
  const { t } = useI18n();
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
}

/** 补证: why the medium is gone (lost, or broken). */
export const reissue: BusinessForm = {
  newRow: {},
  fromItem: ({ details: d }) => (d.cause === "lost" || d.cause === "broken" ? { cause: d.cause } : {}),
  toInput: (r) => (r.cause ? { cause: r.cause } : {}),
  fields: [["cause"]],
  Fields: ReissueFields,
  addLabel: "biz.addCerts",
};
