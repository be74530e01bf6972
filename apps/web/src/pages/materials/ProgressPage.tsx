import { Button, Card, Descriptions, Form, Input, Tag, Typography } from "antd";
import { useState } from "react";
import { type PublicProgress, queryProgress, requestProgressCode } from "../../api/materials";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { PhoneField } from "../../components/fields";
import { SmsCodeField } from "../../components/SmsCodeField";
import { formatDateTime } from "../../lib/time";
import { OrderTimeline } from "../orders/OrderTimeline";

interface ProgressValues {
  orderNo: string;
  phone: string;
  code: string;
}

/** 进度查询 without login: 订单号 + 手机号 (the handler's or the account's) + SMS code. */
export function ProgressPage() {
  const { t } = useI18n();
  const onError = useApiError();
  const [form] = Form.useForm<ProgressValues>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PublicProgress | null>(null);
  const orderNo = () => String(form.getFieldValue("orderNo") ?? "").trim();

  async function onFinish(v: ProgressValues) {
    setBusy(true);
    try {
      setResult(await queryProgress(v.orderNo.trim(), v.phone, v.code));
    } catch (err) {
      onError(err, form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page" style={{ maxWidth: 760, margin: "0 auto" }}>
      <Card title={t("progress.title")} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary">{t("progress.hint")}</Typography.Paragraph>
        <Form form={form} name="progress" layout="vertical" onFinish={onFinish} requiredMark={false}>
          <Form.Item
            name="orderNo"
            label={t("progress.orderNo")}
            rules={[
              { required: true, message: t("progress.orderNoRequired") },
              { pattern: /^\s*[Cc][Hh]\d{14}\s*$/, message: t("progress.orderNoFormat") },
            ]}
          >
            <Input maxLength={20} placeholder="CH20261125123456" autoFocus />
          </Form.Item>
          <PhoneField />
          <SmsCodeField
            form={form}
            formName="progress_"
            purpose="progress"
            send={async (phone) => {
              await form.validateFields(["orderNo"]);
              return requestProgressCode(orderNo(), phone);
            }}
          />
          <Button type="primary" htmlType="submit" loading={busy} block>
            {t("progress.submit")}
          </Button>
        </Form>
      </Card>
      {result ? (
        <Card
          title={`${t("progress.resultTitle")} ${result.orderNo}`}
          extra={<Tag color="blue">{result.stateLabel}</Tag>}
          data-testid="progress-result"
        >
          <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t("progress.business")}>{result.businessName}</Descriptions.Item>
            <Descriptions.Item label={t("progress.subjects")}>{result.subjects.join("、")}</Descriptions.Item>
            <Descriptions.Item label={t("progress.handler")}>
              {result.handlerName} {result.handlerPhone}
            </Descriptions.Item>
            <Descriptions.Item label={t("progress.submittedAt")}>
              {formatDateTime(result.submittedAt)}
            </Descriptions.Item>
          </Descriptions>
          <OrderTimeline timeline={result.timeline} />
        </Card>
      ) : null}
    </div>
  );
}
