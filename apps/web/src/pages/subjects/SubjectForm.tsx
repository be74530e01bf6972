import { validateIdCard, validateUscc } from "@certhall/domain";
import { App, Button, Form, Input, Modal, Segmented } from "antd";
import type { Rule } from "antd/es/form";
import { useEffect, useState } from "react";
import {
  createSubject,
  type Subject,
  type SubjectInput,
  type SubjectKind,
  updateSubject,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";

/** The shared validators as antd rules: the browser says, while the person types, what the server would. */
export const usccRule: Rule = {
  validator: async (_rule, value: unknown) => {
    const r = validateUscc(String(value ?? ""));
    if (!r.ok) throw new Error(r.reason);
  },
};

export const idCardRule: Rule = {
  validator: async (_rule, value: unknown) => {
    const r = validateIdCard(String(value ?? ""));
    if (!r.ok) throw new Error(r.reason);
  },
};

/** Upper case and no spaces, as the server normalises (the ID check character x is written X). */
export const normalizeCode = (v: string | undefined) => (v ?? "").replace(/\s+/g, "").toUpperCase();

interface Values {
  kind: SubjectKind;
  name: string;
  uscc?: string;
  legalRep?: string;
  address?: string;
  idNumber?: string;
}

function toInput(v: Values): SubjectInput {
  return v.kind === "company"
    ? {
        kind: "company",
        name: v.name.trim(),
        uscc: v.uscc ?? "",
        legalRep: (v.legalRep ?? "").trim(),
        address: (v.address ?? "").trim(),
      }
    : { kind: "person", name: v.name.trim(), idNumber: v.idNumber ?? "" };
}

/**
 * Add or edit a company (name, 统一社会信用代码, legal representative, address) or a person (name,
 * 身份证号) in a modal. `fixedKind` hides the kind switch (the apply form adds a subject of its kind).
 */
export function SubjectFormModal({
  open,
  subject,
  fixedKind,
  onClose,
  onSaved,
}: {
  open: boolean;
  subject?: Subject | null;
  fixedKind?: SubjectKind;
  onClose: () => void;
  onSaved: (s: Subject) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch("kind", form) ?? fixedKind ?? subject?.kind ?? "company";

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      subject
        ? {
            kind: subject.kind,
            name: subject.name,
            uscc: subject.uscc ?? undefined,
            legalRep: subject.legalRep ?? undefined,
            address: subject.address ?? undefined,
            idNumber: subject.idNumber ?? undefined,
          }
        : { kind: fixedKind ?? "company" },
    );
  }, [open, subject, fixedKind, form]);

  async function save(values: Values) {
    setBusy(true);
    try {
      const input = toInput({ ...values, kind: values.kind ?? kind });
      const res = subject ? await updateSubject(subject.id, input) : await createSubject(input);
      message.success(t("common.saved"));
      onSaved(res.subject);
    } catch (err) {
      onError(err, form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={subject ? t("subj.edit") : t("subj.add")}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
      forceRender
    >
      <Form form={form} layout="vertical" onFinish={save} requiredMark={false}>
        <Form.Item name="kind" label={t("subj.kind")} hidden={Boolean(fixedKind || subject)}>
          <Segmented
            options={[
              { value: "company", label: t("subj.company") },
              { value: "person", label: t("subj.person") },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="name"
          label={kind === "company" ? t("subj.companyName") : t("field.name")}
          rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: 100 }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        {kind === "company" ? (
          <>
            <Form.Item
              name="uscc"
              label={t("subj.uscc")}
              rules={[usccRule]}
              validateTrigger={["onChange", "onBlur"]}
              normalize={normalizeCode}
            >
              <Input maxLength={18} placeholder={t("subj.usccPlaceholder")} autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="legalRep"
              label={t("subj.legalRep")}
              rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: 100 }]}
            >
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item
              name="address"
              label={t("subj.address")}
              rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: 200 }]}
            >
              <Input maxLength={200} />
            </Form.Item>
          </>
        ) : (
          <Form.Item
            name="idNumber"
            label={t("subj.idNumber")}
            rules={[idCardRule]}
            validateTrigger={["onChange", "onBlur"]}
            normalize={normalizeCode}
          >
            <Input maxLength={18} placeholder={t("subj.idPlaceholder")} autoComplete="off" />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={busy} block>
          {t("common.save")}
        </Button>
      </Form>
    </Modal>
  );
}
