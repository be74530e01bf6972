import { DownloadOutlined } from "@ant-design/icons";
import { BUSINESS_TYPES, type BusinessCode } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Dropdown, Grid, Space, Table, Tag, Tooltip, Typography } from "antd";
import { Link, Navigate } from "react-router";
import { certificateDownloadUrl, listCertificates, type WalletCertificate } from "../../api/orders";
import { getPublicSettings } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDate } from "../../lib/time";
import {
  expiringSoon,
  expirySummary,
  remaining,
  renewable,
  renewTarget,
  URGENT_DAYS,
  urgency,
} from "./expiry";
import { LineageHistory } from "./LineageHistory";
import { formatSerial } from "./serial";
import "./wallet.css";

export { formatSerial } from "./serial";

/**
 * 「我的证书」: one row per certificate lineage (its head) with validity at a glance, downloads with the
 * chain, and the lineage's history unfolded on demand.
 */
export function WalletPage() {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to="/login?next=%2Fcertificates" replace />;
  return <WalletView />;
}

function StateTag({ c, w }: { c: WalletCertificate; w: number }) {
  const { t } = useI18n();
  if (c.state === "revoked") return <Tag color="red">{t("wallet.revoked")}</Tag>;
  if (c.state === "expired") return <Tag>{t("wallet.expired")}</Tag>;
  // The days themselves are under the validity dates (「剩 N 天」); the tag only says which kind.
  if (expiringSoon(c, w)) {
    return <Tag color={urgency(c, w) === "urgent" ? "volcano" : "orange"}>{t("wallet.expiringSoon")}</Tag>;
  }
  return <Tag color="green">{t("wallet.good")}</Tag>;
}

/** 「剩 N 天」 / 「已过期 N 天」 under the validity dates, coloured by how close the end is. */
function RemainingDays({ c, w }: { c: WalletCertificate; w: number }) {
  const { t } = useI18n();
  const r = remaining(c);
  if (r.kind === "revoked") return null;
  const u = urgency(c, w);
  const type = u === "expired" || u === "urgent" ? "danger" : u === "soon" ? "warning" : "secondary";
  const text =
    r.kind === "left"
      ? t("wallet.daysLeft", { n: r.days })
      : r.kind === "lessThanDay"
        ? t("wallet.lessThanDay")
        : t("wallet.expiredDaysAgo", { n: r.days });
  return (
    <Typography.Text type={type} strong={u !== "ok"} style={{ fontSize: 12, whiteSpace: "nowrap" }}>
      {text}
    </Typography.Text>
  );
}

/**
 * 「去延期」 for a certificate inside the renewal window or expired: the 延期 page with this certificate
 * preselected. A certificate already in an open order says so instead.
 */
function RenewLink({ c }: { c: WalletCertificate }) {
  const { t } = useI18n();
  if (c.openOrder) return null;
  return (
    <Link to={renewTarget(c.serialHex)}>
      <Button size="small" type="primary" ghost>
        {t("wallet.renew")}
      </Button>
    </Link>
  );
}

/** 电子签章 enabled, and an open order acting on the certificate (when the server reports them). */
function ExtraTags({ c }: { c: WalletCertificate }) {
  const { t, lang } = useI18n();
  const business = c.openOrder ? BUSINESS_TYPES[c.openOrder.business as BusinessCode] : undefined;
  return (
    <>
      {c.eseal?.enabled ? (
        <Tooltip title={c.eseal.sealName ? t("wallet.esealName", { name: c.eseal.sealName }) : undefined}>
          <Tag color="purple">{t("wallet.esealOn")}</Tag>
        </Tooltip>
      ) : null}
      {c.openOrder ? (
        <Tooltip title={t("wallet.inOrderNo", { no: c.openOrder.orderNo })}>
          <Tag color="blue">
            {t("wallet.inOrder", {
              name: business ? (lang === "zh" ? business.name : business.nameEn) : c.openOrder.business,
            })}
          </Tag>
        </Tooltip>
      ) : null}
    </>
  );
}

/** Above the list: how many certificates end within the renewal window and how many have ended (issue 6 item 9). */
function ExpiryBanner({ certs, w }: { certs: readonly WalletCertificate[]; w: number }) {
  const { t } = useI18n();
  const s = expirySummary(certs, w);
  if (s.expiringSoon === 0 && s.expired === 0) return null;
  const parts: string[] = [];
  if (s.expiringSoon > 0) {
    parts.push(
      s.soonestDays !== null
        ? t("wallet.bannerSoonest", { n: s.expiringSoon, d: s.soonestDays })
        : t("wallet.bannerExpiring", { n: s.expiringSoon }),
    );
  }
  if (s.expired > 0) parts.push(t("wallet.bannerExpired", { n: s.expired }));
  return (
    <Alert
      type={s.expired > 0 || (s.soonestDays ?? Infinity) <= URGENT_DAYS ? "error" : "warning"}
      showIcon
      title={parts.join(t("wallet.bannerSep"))}
      description={t("wallet.bannerHint")}
      style={{ marginBottom: 16 }}
    />
  );
}

/** PEM with the chain first (what most software wants), the other encodings behind 「更多格式」. */
function Downloads({ c, vertical = false }: { c: WalletCertificate; vertical?: boolean }) {
  const { t } = useI18n();
  return (
    <Space size={4} wrap orientation={vertical ? "vertical" : "horizontal"}>
      <a href={certificateDownloadUrl(c.serialHex, "pem", true)} download>
        <Button size="small" icon={<DownloadOutlined />}>
          {t("wallet.pem")}
        </Button>
      </a>
      <Dropdown
        menu={{
          items: [
            {
              key: "der",
              label: <a href={certificateDownloadUrl(c.serialHex, "der", false)}>{t("wallet.der")}</a>,
            },
            {
              key: "p7b",
              label: <a href={certificateDownloadUrl(c.serialHex, "der", true)}>{t("wallet.p7b")}</a>,
            },
            {
              key: "pem1",
              label: <a href={certificateDownloadUrl(c.serialHex, "pem", false)}>{t("wallet.pemOnly")}</a>,
            },
          ],
        }}
      >
        <Button size="small">{t("wallet.more")}</Button>
      </Dropdown>
    </Space>
  );
}

function WalletView() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const list = useQuery({ queryKey: ["certificates"], queryFn: listCertificates });
  // The admin-set renewal window: what 「即将到期」 and 「去延期」 go by, as the order rules do.
  const settings = useQuery({ queryKey: ["settings"], queryFn: getPublicSettings, staleTime: 60_000 });
  if (list.isError) return <LoadError error={list.error} onRetry={() => list.refetch()} />;
  // Without the window (its request failed) only the grading is left out: the certificates and their
  // downloads still show, graded as window 0 (nothing 「即将到期」).
  const w = settings.data?.renewalWindowDays;
  const certificates = list.data?.certificates ?? [];
  return (
    <div className="page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t("wallet.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("wallet.subtitle")}</Typography.Paragraph>
      {w === undefined ? null : <ExpiryBanner certs={certificates} w={w} />}
      <Table<WalletCertificate>
        rowKey="serialHex"
        loading={list.isPending || settings.isPending}
        dataSource={certificates}
        pagination={false}
        scroll={screens.md ? { x: 820 } : undefined}
        locale={{ emptyText: t("wallet.empty") }}
        // One row per lineage (its head); the certificates before it unfold on demand (DESIGN §8).
        expandable={{
          // Wide enough for 「证书历史（N）」: a narrower column lets the next cell cover the button.
          columnWidth: 128,
          rowExpandable: (c) => (c.history?.length ?? 0) > 0,
          expandedRowRender: (c) => <LineageHistory c={c} />,
          expandIcon: ({ expanded, onExpand, record }) =>
            (record.history?.length ?? 0) > 0 ? (
              <Button size="small" type="link" onClick={(e) => onExpand(record, e)} aria-expanded={expanded}>
                {t("wallet.history", { n: record.history?.length ?? 0 })}
              </Button>
            ) : null,
        }}
        rowClassName={(c) =>
          urgency(c, w ?? 0) === "urgent" ? "row-expiring" : urgency(c, w ?? 0) === "soon" ? "row-soon" : ""
        }
        columns={
          screens.md
            ? [
                {
                  title: t("wallet.subject"),
                  render: (_: unknown, c) => (
                    <div>
                      <div>{c.subject.name}</div>
                      {c.subject.identity ? (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {c.subject.identity}
                        </Typography.Text>
                      ) : null}
                    </div>
                  ),
                },
                { title: t("wallet.caType"), render: (_: unknown, c) => c.caType ?? c.profile },
                {
                  title: t("wallet.serial"),
                  dataIndex: "serialHex",
                  render: (v: string) => (
                    <Typography.Text
                      code
                      copyable={{ text: v }}
                      style={{ fontSize: 12, wordBreak: "break-all" }}
                    >
                      {formatSerial(v)}
                    </Typography.Text>
                  ),
                },
                {
                  title: t("wallet.validity"),
                  render: (_: unknown, c) => (
                    <div>
                      <div style={{ whiteSpace: "nowrap" }}>
                        {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
                      </div>
                      <RemainingDays c={c} w={w ?? 0} />
                    </div>
                  ),
                },
                {
                  title: t("wallet.state"),
                  width: 150,
                  render: (_: unknown, c) => (
                    <Space orientation="vertical" size={4}>
                      <StateTag c={c} w={w ?? 0} />
                      <ExtraTags c={c} />
                      {renewable(c, w ?? 0) ? <RenewLink c={c} /> : null}
                    </Space>
                  ),
                },
                {
                  title: t("wallet.order"),
                  dataIndex: "orderNo",
                  width: 170,
                  render: (v: string | null) => <span style={{ whiteSpace: "nowrap" }}>{v ?? "—"}</span>,
                },
                {
                  title: t("wallet.download"),
                  fixed: "right",
                  // Wide enough for 「PEM（含证书链）」 and 「更多格式」 side by side; narrower clipped the button.
                  width: 230,
                  render: (_: unknown, c) => <Downloads c={c} />,
                },
              ]
            : [
                // On a phone: what the certificate is and whether it is good, beside its downloads,
                // instead of seven columns behind a sideways scroll with the buttons cut off.
                {
                  title: t("wallet.caType"),
                  render: (_: unknown, c) => (
                    <Space orientation="vertical" size={2}>
                      <Typography.Text strong>{c.caType ?? c.profile}</Typography.Text>
                      <span>{c.subject.name}</span>
                      <StateTag c={c} w={w ?? 0} />
                      <ExtraTags c={c} />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
                      </Typography.Text>
                      <RemainingDays c={c} w={w ?? 0} />
                      {renewable(c, w ?? 0) ? <RenewLink c={c} /> : null}
                      {c.orderNo ? (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t("wallet.order")} {c.orderNo}
                        </Typography.Text>
                      ) : null}
                    </Space>
                  ),
                },
                {
                  title: t("wallet.download"),
                  width: 140,
                  render: (_: unknown, c) => <Downloads c={c} vertical />,
                },
              ]
        }
      />
    </div>
  );
}
