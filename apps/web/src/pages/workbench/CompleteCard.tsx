import { stepAllowed } from "@certhall/domain";
import { App, Button, Card, Form, Input, Popconfirm, Radio, Space, Typography } from "antd";
import { useState } from "react";
import { completeOrder } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import type { StepProps } from "./ItemCardShell";
import {
  blockersToComplete,
  completeBody,
  completeDisabled,
  type HandOverInput,
  windowStep,
} from "./workbench-rules";

/**
 * 「现场领取」 or 「邮寄」 (courier + tracking number) → 办结; only once every item is done by its
 * business's rule (issued on a recorded key, unlocked, revoked).
 */
export function CompleteCard({ order, onDone, onError }: StepProps) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<HandOverInput>();
  const how = Form.useWatch("how", form);
  const [busy, setBusy] = useState(false);
  if (!stepAllowed(order, "deliver")) return null;
  const blockers = blockersToComplete(order);
  const disabled = completeDisabled(blockers);
  const step = windowStep(order.business);
  const why = step === "unlock" ? "wb.notUnlocked" : step === "revoke" ? "wb.notRevoked" : "wb.notIssued";
  // The applicant's own choice (mail or window) preselects the way out.
  const initial = order.delivery.method === "mail" ? "mail" : "handover";

  async function finish(v: HandOverInput) {
    setBusy(true);
    try {
      await completeOrder(order.id, order.version, completeBody(v));
      message.success(t("wb.completed"));
      await onDone();
    } catch (err) {
      await onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card size="small" title={t("wb.handoverSection")}>
      <Form<HandOverInput>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ how: initial }}
        onFinish={finish}
      >
        <Form.Item name="how">
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={[
              { value: "handover", label: t("wb.handover") },
              { value: "mail", label: t("wb.mail") },
            ]}
          />
        </Form.Item>
        {how === "mail" ? (
          <Space wrap align="start">
            <Form.Item
              name="courier"
              label={t("wb.courier")}
              rules={[{ required: true, whitespace: true, message: t("common.required") }]}
            >
              <Input placeholder={t("wb.courierPlaceholder")} maxLength={40} style={{ width: 200 }} />
            </Form.Item>
            <Form.Item
              name="trackingNo"
              label={t("wb.trackingNo")}
              rules={[
                { required: true, whitespace: true, message: t("common.required") },
                { pattern: /^\s*[A-Za-z0-9-]+\s*$/, message: t("wb.trackingRule") },
              ]}
            >
              <Input maxLength={40} style={{ width: 220 }} />
            </Form.Item>
          </Space>
        ) : null}
        {blockers.length > 0 ? <Typography.Paragraph type="secondary">{t(why)}</Typography.Paragraph> : null}
        <Popconfirm title={t("wb.completeConfirm")} onConfirm={() => form.submit()} disabled={disabled}>
          <Button type="primary" loading={busy} disabled={disabled}>
            {t("wb.complete")}
          </Button>
        </Popconfirm>
      </Form>
    </Card>
  );
}
