import { AlipayCircleOutlined, BankOutlined, UploadOutlined, WechatOutlined } from "@ant-design/icons";
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
  Grid,
  QRCode,
  Row,
  Space,
  Typography,
  Upload,
} from "antd";
import { useEffect, useState } from "react";
import { ApiError } from "../../api/client";
import {
  checkVoucher,
  declareTransfer,
  getPaymentInfo,
  type OrderDetail,
  type PayChannel,
  type PaymentInfo,
  startOnlinePayment,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { httpUrl } from "../../lib/safe-url";

const { Text, Paragraph } = Typography;

function BankInfo({ info }: { info: PaymentInfo }) {
  const { t } = useI18n();
  return (
    <>
      {info.bank.demo ? (
        <Alert type="warning" showIcon style={{ marginBottom: 8 }} title={t("pay.demoBank")} />
      ) : null}
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t("pay.accountName")}>
          <Text copyable>{info.bank.accountName}</Text>
        </Descriptions.Item>
        <Descriptions.Item label={t("pay.bankName")}>{info.bank.bankName}</Descriptions.Item>
        <Descriptions.Item label={t("pay.accountNo")}>
          <Text copyable>{info.bank.accountNo}</Text>
        </Descriptions.Item>
      </Descriptions>
    </>
  );
}

/** WeChat Native: the code_url as a QR code to scan; the order is polled until the notification lands. */
function WechatQr({ codeUrl, onPoll }: { codeUrl: string; onPoll: () => void }) {
  const { t } = useI18n();
  useEffect(() => {
    const timer = setInterval(onPoll, 3000);
    return () => clearInterval(timer);
  }, [onPoll]);
  // The sandbox's code_url is its own cashier page (absolute, on PUBLIC_URL, for a phone to scan): a
  // link to its path lets this desktop (and a browser walk) open it in the session it is logged in with.
  const absolute = httpUrl(codeUrl, window.location.origin);
  const page =
    absolute && new URL(absolute).pathname.startsWith("/sandbox-pay/") ? new URL(absolute).pathname : null;
  return (
    <Space
      orientation="vertical"
      align="center"
      style={{ width: "100%", marginTop: 16 }}
      data-testid="wechat-qr"
    >
      <Text strong>{t("pay.wechatScan")}</Text>
      <QRCode value={codeUrl} size={200} />
      <Text type="secondary">{t("pay.wechatWaiting")}</Text>
      {page ? <a href={page}>{t("pay.openOnThisDevice")}</a> : null}
    </Space>
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
  const [busy, setBusy] = useState<PayChannel | "transfer" | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  // H5 on a phone-sized screen, Native (a QR code to scan with the phone) on a desktop.
  const phone = !Grid.useBreakpoint().md;
  const [showTransfer, setShowTransfer] = useState(false);
  const [voucher, setVoucher] = useState<File | null>(null);
  const info = useQuery({ queryKey: ["payment-info"], queryFn: getPaymentInfo, staleTime: 600_000 });
  // The server says which online provider runs; "none" means transfer only.
  const canOnline = order.actions.includes("pay");
  // While the info loads, 支付宝 is offered as before (the server refuses it if online payment is off).
  const channels = info.data?.channels ?? ["alipay"];
  const canTransfer = order.actions.includes("declare_transfer");

  async function payOnline(channel: PayChannel) {
    setBusy(channel);
    try {
      const checkout = await startOnlinePayment(order.id, {
        channel,
        ...(channel === "wechat" ? { scene: phone ? ("h5" as const) : ("native" as const) } : {}),
      });
      if (checkout.kind === "qr") {
        setQr(checkout.redirectUrl);
        setBusy(null);
        return;
      }
      // The cashier address comes from the server (the payment provider); only http(s) is followed, so
      // a `javascript:` or `data:` answer can never run in our origin.
      const url = httpUrl(checkout.redirectUrl, window.location.origin);
      if (!url)
        throw new ApiError({ status: 502, code: "bad_cashier_url", detail: "支付服务返回的收银台地址无效" });
      window.location.assign(url);
    } catch (err) {
      onError(err);
      setBusy(null);
    }
  }

  async function declare() {
    // The order version makes a double click one declaration: the second finds the order moved on (409).
    setBusy("transfer");
    try {
      await declareTransfer(order.id, { version: order.version, voucher });
      message.success(t("pay.declared"));
      onChanged();
    } catch (err) {
      onError(err);
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
        {canOnline && channels.includes("alipay") ? (
          <Col xs={24} sm={12}>
            <Button
              type="primary"
              size="large"
              block
              icon={<AlipayCircleOutlined />}
              loading={busy === "alipay"}
              onClick={() => payOnline("alipay")}
            >
              {t("pay.alipay")}
            </Button>
          </Col>
        ) : null}
        {canOnline && channels.includes("wechat") ? (
          <Col xs={24} sm={12}>
            <Button
              size="large"
              block
              icon={<WechatOutlined style={{ color: "#07c160" }} />}
              loading={busy === "wechat"}
              onClick={() => payOnline("wechat")}
            >
              {t("pay.wechat")}
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
      {qr ? <WechatQr codeUrl={qr} onPoll={onChanged} /> : null}
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
                <Text type="secondary">{info.data?.remittanceHint ?? t("pay.remittanceHint")}</Text>
              </Space>
            }
          />
          {info.isError ? (
            <LoadError error={info.error} onRetry={() => info.refetch()} />
          ) : info.data ? (
            <BankInfo info={info.data} />
          ) : null}
          <Form layout="vertical" onFinish={declare} style={{ marginTop: 16 }}>
            <Form.Item label={t("pay.voucher")} extra={t("pay.voucherHint")}>
              <Upload
                accept="image/jpeg,image/png,application/pdf"
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
            <Button type="primary" htmlType="submit" loading={busy === "transfer"} block>
              {t("pay.declare")}
            </Button>
          </Form>
        </div>
      ) : null}
    </Card>
  );
}
