import { SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Card, Descriptions, Result, Tag, Typography } from "antd";
import { useParams } from "react-router";
import { ApiError } from "../../api/client";
import { verifyToken } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatCalendarDate } from "../../lib/time";

/**
 * /verify/:token — what the receipt's QR code opens, for anyone (no login): whether we issued the
 * receipt, and only what is safe to show (masked names, no ID numbers or phones; the server decides).
 */
export function VerifyPage() {
  const { t, lang } = useI18n();
  const { token = "" } = useParams();
  const v = useQuery({ queryKey: ["verify", token], queryFn: () => verifyToken(token), retry: false });
  if (v.isPending) return <PageLoading />;
  if (v.isError) {
    if (v.error instanceof ApiError && v.error.status === 404) {
      return (
        <div className="narrow-page">
          <Result status="error" title={t("verify.invalid")} subTitle={v.error.detail} />
        </div>
      );
    }
    return <LoadError error={v.error} onRetry={() => v.refetch()} />;
  }
  const d = v.data;
  return (
    <div className="page" style={{ maxWidth: 640 }}>
      <Result
        status="success"
        icon={<SafetyCertificateOutlined />}
        title={t("verify.valid")}
        subTitle={d.issuer}
        style={{ paddingBottom: 8 }}
      />
      <Card title={t("verify.title")}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t("receipt.orderNo")}>{d.orderNo}</Descriptions.Item>
          <Descriptions.Item label={t("receipt.business")}>{d.businessName}</Descriptions.Item>
          <Descriptions.Item label={t("orders.state")}>
            <Tag>{d.stateLabel}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t("receipt.subjects")}>{d.subjects.join("、")}</Descriptions.Item>
          <Descriptions.Item label={t("receipt.caTypes")}>{d.itemCount}</Descriptions.Item>
          <Descriptions.Item label={t("verify.issuedDate")}>
            {formatCalendarDate(d.issuedDate, lang)}
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t("verify.safeNote")}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
