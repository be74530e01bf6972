import { BUSINESS_TYPES, type BusinessCode } from "@certhall/domain";
import { List, Space, Tag, Typography } from "antd";
import type { WalletCertificate, WalletHistoryEntry } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { formatSerial } from "../../lib/serial";
import { formatDate } from "../../lib/time";

const KNOWN_REASONS = ["superseded", "keyCompromise", "cessationOfOperation", "affiliationChanged"] as const;

/** One earlier certificate of the lineage: what made it, its dates, what became of it. */
function Entry({ e }: { e: WalletHistoryEntry }) {
  const { t, lang } = useI18n();
  const business = BUSINESS_TYPES[e.business as BusinessCode];
  const name = business ? (lang === "zh" ? business.name : business.nameEn) : e.business;
  const reason = e.revocationReason;
  const fate =
    e.state !== "revoked"
      ? t(e.state === "expired" ? "wallet.expired" : "wallet.good")
      : reason && (KNOWN_REASONS as readonly string[]).includes(reason)
        ? t(`wallet.reason.${reason as (typeof KNOWN_REASONS)[number]}`)
        : t("wallet.reason.other", { reason: reason ?? "—" });
  return (
    <List.Item>
      <Space wrap size={8}>
        <Typography.Text code style={{ fontSize: 12 }}>
          {formatSerial(e.serialHex)}
        </Typography.Text>
        <span>{t("wallet.madeBy", { name })}</span>
        <span style={{ whiteSpace: "nowrap" }}>
          {formatDate(e.notBefore)} — {formatDate(e.notAfter)}
        </span>
        <Tag color={e.state === "revoked" ? "red" : e.state === "good" ? "green" : undefined}>{fate}</Tag>
        {e.revokedAt ? <Typography.Text type="secondary">{formatDate(e.revokedAt)}</Typography.Text> : null}
        {e.orderNo ? (
          <Typography.Text type="secondary">
            {t("wallet.order")} {e.orderNo}
          </Typography.Text>
        ) : null}
      </Space>
    </List.Item>
  );
}

/** The lineage's earlier certificates, unfolded under the head's row on demand. */
export function LineageHistory({ c }: { c: WalletCertificate }) {
  const { t } = useI18n();
  return (
    <List
      size="small"
      header={<Typography.Text strong>{t("wallet.historyTitle")}</Typography.Text>}
      dataSource={c.history ?? []}
      rowKey="serialHex"
      renderItem={(e) => <Entry e={e} />}
    />
  );
}
