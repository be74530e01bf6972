import { MAX_YEARS, renewalEnd } from "@certhall/domain";
import { Alert, Col, Form, InputNumber, Radio, Row } from "antd";
import { useI18n } from "../../../app/i18n";
import { KeyChoiceNotice } from "../../orders/BusinessItemDetails";
import type { BusinessForm, ItemFieldsProps } from "./define";

/**
 * 延期 of a certificate expired more than a year is reviewed first (DESIGN §4): say so on the row
 * before the applicant submits. Unknown dates (an edited order) say nothing.
 */
export function renewNeedsReview(notAfter: string | null, years: number, now: Date): boolean {
  if (!notAfter) return false;
  return !renewalEnd(new Date(notAfter), now, Math.max(1, Math.min(5, Math.trunc(years) || 1))).ok;
}

function RenewFields({ name, row, cert }: ItemFieldsProps) {
  const { t } = useI18n();
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

/** 延期: the years to add and whether the key is kept. */
export const renew: BusinessForm = {
  newRow: { years: 1 },
  fromItem: (i) => ({
    years: i.years,
    ...(typeof i.details.keepKey === "boolean" ? { keepKey: i.details.keepKey } : {}),
  }),
  toInput: (r) => ({ years: r.years ?? 1, ...(r.keepKey !== undefined ? { keepKey: r.keepKey } : {}) }),
  fields: [["years"], ["keepKey"]],
  Fields: RenewFields,
  addLabel: "biz.addCerts",
};
