import { AlipayCircleOutlined, BankOutlined, UploadOutlined } from "@ant-design/icons";
import { formatFen } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Row,
  Space,
  Typography,
  Upload,
} from "antd";
import { useState } from "react";
import {
  checkVoucher,
  declareTransfer,
  getPaymentInfo,
  type OrderDetail,
  type PaymentInfo,
  startOnlinePayment,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { newClientToken } from "./logic";

const { Text, Paragraph } = Typography;

const INFO_LABELS: Record<string, "pay.bankName" | "pay.accountName" | "pay.accountNo" | "pay.bankBranch"> = {
  bankName: "pay.bankName",
  bank: "pay.bankName",
  branch: "pay.bankBranch",
  accountName: "pay.accountName",
  payee: "pay.accountName",
  accountNo: "pay.accountNo",
  accountNumber: "pay.accountNo",
};

function BankInfo({ info }: { info: PaymentInfo }) {
  const { t } = useI18n();
  const rows = Object.entries(info).filter(([, v]) => typeof v === "string" && v.length > 0) as [
    string,
    string,
  ][];
  return (
    <Descriptions column={1} size="small" bordered>
      {rows.map(([k, v]) => (
        <Descriptions.Item key={k} label={INFO_LABELS[k] ? t(INFO_LABELS[k]) : k}>
          <Text copyable={k.toLowerCase().includes("account")}>{v}</Text>
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

/**
 * 待缴费: 「在线支付」 (to the cashier, which returns the payer to this order) or 「银行转账」 (our
 * account, the order's remittance code, an optional voucher, then the declaration finance books).
 */
export function PaymentPanel({ order, onChanged }: { order: OrderDetail; onChanged: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  // One token per visit to this panel: a double click on 在线支付 or 已转账 makes one payment.
  const [onlineToken] = useState(newClientToken);
  const [transferToken] = useState(newClientToken);
  const [busy, setBusy] = useState<"online" | "transfer" | null>(null);
  const [showTransfer, setShowTransfer] = useState(false);
  const [voucher, setVoucher] = useState<File | null>(null);
  const [form] = Form.useForm<{ payerName?: string; note?: string }>();
  const info = useQuery({ queryKey: ["payment-info"], queryFn: getPaymentInfo, enabled: showTransfer });
  const canOnline = order.actions.includes("pay");
  const canTransfer = order.actions.includes("declare_transfer");

  async function payOnline() {
    setBusy("online");
    try {
      const url = await startOnlinePayment(order.id, onlineToken);
      window.location.assign(url);
    } catch (err) {
      onError(err);
      setBusy(null);
    }
  }

  async function declare(values: { payerName?: string; note?: string }) {
    setBusy("transfer");
    try {
      await declareTransfer(order.id, {
        clientToken: transferToken,
        payerName: values.payerName?.trim(),
        note: values.note?.trim(),
        voucher,
      });
      message.success(t("pay.declared"));
      onChanged();
    } catch (err) {
      onError(err, form);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card title={t("pay.title")} style={{ marginBottom: 16 }}>
      <Paragraph>
        {t("pay.amount")}{" "}
        <Text strong style={{ fontSize: 20, color: "#cf1322" }}>
          {formatFen(order.totalFen)}
        </Text>
      </Paragraph>
      <Row gutter={[12, 12]}>
        {canOnline ? (
          <Col xs={24} sm={12}>
            <Button
              type="primary"
              size="large"
              block
              icon={<AlipayCircleOutlined />}
              loading={busy === "online"}
              onClick={payOnline}
            >
              {t("pay.online")}
            </Button>
          </Col>
        ) : null}
        {canTransfer ? (
          <Col xs={24} sm={12}>
            <Button size="large" block icon={<BankOutlined />} onClick={() => setShowTransfer((v) => !v)}>
              {t("pay.transfer")}
            </Button>
          </Col>
        ) : null}
      </Row>
      {showTransfer ? (
        <div style={{ marginTop: 16 }}>
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            title={t("pay.remittanceCode")}
            description={
              <Space orientation="vertical" size={4}>
                <Text strong copyable style={{ fontSize: 18, letterSpacing: 1 }}>
                  {order.remittanceCode}
                </Text>
                <Text type="secondary">{t("pay.remittanceHint")}</Text>
              </Space>
            }
          />
          {info.isError ? (
            <LoadError error={info.error} onRetry={() => info.refetch()} />
          ) : info.data ? (
            <BankInfo info={info.data} />
          ) : null}
          <Form form={form} layout="vertical" onFinish={declare} style={{ marginTop: 16 }}>
            <Form.Item name="payerName" label={t("pay.payerName")} rules={[{ max: 100 }]}>
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item label={t("pay.voucher")} extra={t("pay.voucherHint")}>
              <Upload
                accept="image/jpeg,image/png,image/webp,application/pdf"
                maxCount={1}
                fileList={
                  voucher ? [{ uid: "voucher", name: voucher.name, status: "done", size: voucher.size }] : []
                }
                beforeUpload={(file) => {
                  const problem = checkVoucher(file);
                  if (problem) {
                    message.error(problem === "too_big" ? t("pay.voucherTooBig") : t("pay.voucherType"));
                    return Upload.LIST_IGNORE;
                  }
                  setVoucher(file);
                  return false;
                }}
                onRemove={() => setVoucher(null)}
              >
                <Button icon={<UploadOutlined />}>{t("pay.pickVoucher")}</Button>
              </Upload>
            </Form.Item>
            <Form.Item name="note" label={t("pay.note")} rules={[{ max: 200 }]}>
              <Input.TextArea maxLength={200} rows={2} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy === "transfer"} block>
              {t("pay.declare")}
            </Button>
          </Form>
        </div>
      ) : null}
    </Card>
  );
}
