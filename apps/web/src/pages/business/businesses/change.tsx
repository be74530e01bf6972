import { checkSubjectChanges } from "@certhall/domain";
import { Col, Form, Input, Row, Typography } from "antd";
import type { BusinessItemInput, SubjectKind } from "../../../api/orders";
import { useI18n } from "../../../app/i18n";
import type { NamePath } from "../../orders/form-errors";
import { type BusinessForm, type BusinessRow, type ItemFieldsProps, str } from "./define";

const { Text } = Typography;

/** The changes a 变更 row sends: trimmed, empty ones left out (the server compares with the subject). */
function changesOf(kind: SubjectKind, c: BusinessRow["changes"]): BusinessItemInput["changes"] {
  const out: NonNullable<BusinessItemInput["changes"]> = {};
  const keys = kind === "person" ? (["name"] as const) : (["name", "legalRep", "address"] as const);
  for (const k of keys) {
    const v = c?.[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

function ChangeFields({ name, cert }: ItemFieldsProps) {
  const { t } = useI18n();
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
        <Input.TextArea rows={2} maxLength={200} showCount placeholder={t("biz.changeReasonPlaceholder")} />
      </Form.Item>
    </>
  );
}

/** 变更: the new subject details and why (checked with the server's own checkSubjectChanges). */
export const change: BusinessForm = {
  newRow: { changes: {} },
  fromItem: ({ details: d }) => {
    const c = (d.changes ?? {}) as Record<string, unknown>;
    return {
      changes: { name: str(c.name), legalRep: str(c.legalRep), address: str(c.address) },
      reason: str(d.reason),
    };
  },
  toInput: (r, kind) => ({ changes: changesOf(kind, r.changes), reason: (r.reason ?? "").trim() }),
  fields: [["changes", "name"], ["changes", "legalRep"], ["changes", "address"], ["reason"]],
  check: (row, cert, i) => {
    if (!cert) return [];
    const r = checkSubjectChanges(
      cert.subjectKind,
      { name: cert.subjectName, legalRep: cert.legalRep, address: cert.address },
      row.changes ?? {},
      row.reason ?? "",
    );
    if (r.ok) return [];
    const name: NamePath =
      r.field === "reason"
        ? ["items", i, "reason"]
        : r.field === "changes"
          ? ["items", i, "changes", "name"]
          : ["items", i, ...r.field.split(".")];
    return [{ name, errors: [r.message] }];
  },
  Fields: ChangeFields,
  addLabel: "biz.addChange",
};
