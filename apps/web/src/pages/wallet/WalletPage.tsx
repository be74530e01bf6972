import { DownloadOutlined } from "@ant-design/icons";
import { BUSINESS_TYPES, type BusinessCode } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Checkbox,
  Dropdown,
  Grid,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import { useState } from "react";
import { Link, Navigate, useNavigate } from "react-router";
import { certificateDownloadUrl, listCertificates, type WalletCertificate } from "../../api/orders";
import { getPublicSettings } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { CardList } from "../../components/CardList";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { SerialText } from "../../components/SerialText";
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
import { ofSubject, renewTargets, selectable, subjectOptions } from "./selection";
import "./wallet.css";

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

/** 「到期 2027-12-03」 first (what people look for), the start after it, and the days left under both. */
function Validity({ c, w }: { c: WalletCertificate; w: number }) {
  const { t } = useI18n();
  return (
    <div className="wallet-validity">
      <Typography.Text strong style={{ whiteSpace: "nowrap" }}>
        {t("wallet.until", { d: formatDate(c.notAfter) })}
      </Typography.Text>
      <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: "nowrap" }}>
        {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
      </Typography.Text>
      <RemainingDays c={c} w={w} />
    </div>
  );
}

/** On a phone, one certificate as a card: what it is, its end, its state, its serial and its downloads. */
function WalletCard({
  c,
  w,
  checked,
  onCheck,
}: {
  c: WalletCertificate;
  w: number;
  checked: boolean;
  onCheck: (on: boolean) => void;
}) {
  const { t } = useI18n();
  const [history, setHistory] = useState(false);
  const title = (
    <span className="list-card-title">
      {c.caType ?? c.profile} · {c.subject.name}
    </span>
  );
  return (
    <>
      <div className="list-card-head">
        {selectable(c, w) ? (
          <Checkbox
            checked={checked}
            onChange={(e) => onCheck(e.target.checked)}
            aria-label={t("wallet.select")}
          >
            {title}
          </Checkbox>
        ) : (
          title
        )}
        <StateTag c={c} w={w} />
      </div>
      <Validity c={c} w={w} />
      <SerialText hex={c.serialHex} copyable />
      <Space size={4} wrap>
        <ExtraTags c={c} />
        {renewable(c, w) ? <RenewLink c={c} /> : null}
        {c.orderNo ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("wallet.order")} {c.orderNo}
          </Typography.Text>
        ) : null}
      </Space>
      <Downloads c={c} />
      {(c.history?.length ?? 0) > 0 ? (
        <Button size="small" type="link" onClick={() => setHistory((v) => !v)} aria-expanded={history}>
          {t("wallet.history", { n: c.history?.length ?? 0 })}
        </Button>
      ) : null}
      {history ? <LineageHistory c={c} /> : null}
    </>
  );
}

function WalletView() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  // Always read afresh on opening: an order just filed elsewhere changes what may be renewed (办理中).
  const list = useQuery({ queryKey: ["certificates"], queryFn: listCertificates, staleTime: 0 });
  // The admin-set renewal window: what 「即将到期」 and 「去延期」 go by, as the order rules do.
  const settings = useQuery({ queryKey: ["settings"], queryFn: getPublicSettings, staleTime: 60_000 });
  const [subject, setSubject] = useState<string | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  if (list.isError) return <LoadError error={list.error} onRetry={() => list.refetch()} />;
  // Without the window (its request failed) only the grading is left out: the certificates and their
  // downloads still show, graded as window 0 (nothing 「即将到期」).
  const w = settings.data?.renewalWindowDays;
  const all = list.data?.certificates ?? [];
  const subjects = subjectOptions(all);
  const certificates = ofSubject(all, subjects.some((o) => o.key === subject) ? subject : null);
  // Only what is on screen and may still be renewed stays ticked (a filter change hides the rest).
  const chosen = picked.filter((s) => certificates.some((c) => c.serialHex === s && selectable(c, w ?? 0)));
  const check = (serial: string, on: boolean) =>
    setPicked((cur) => (on ? [...cur.filter((s) => s !== serial), serial] : cur.filter((s) => s !== serial)));
  return (
    <div className="page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t("wallet.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("wallet.subtitle")}</Typography.Paragraph>
      {w === undefined ? null : <ExpiryBanner certs={all} w={w} />}
      <div className="wallet-toolbar">
        {subjects.length > 1 ? (
          <Select
            allowClear
            aria-label={t("wallet.filterSubject")}
            placeholder={t("wallet.filterSubject")}
            value={subject ?? undefined}
            onChange={(v: string | undefined) => setSubject(v ?? null)}
            options={subjects.map((o) => ({ value: o.key, label: `${o.name}（${o.count}）` }))}
            style={{ minWidth: 240, maxWidth: "100%" }}
          />
        ) : null}
        {all.some((c) => selectable(c, w ?? 0)) ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("wallet.selectHint")}
          </Typography.Text>
        ) : null}
        {chosen.length > 0 ? (
          <Space wrap className="wallet-selection">
            <span>{t("wallet.selectedN", { n: chosen.length })}</span>
            <Button type="primary" onClick={() => navigate(renewTargets(chosen))}>
              {t("wallet.renewSelected", { n: chosen.length })}
            </Button>
          </Space>
        ) : null}
      </div>
      {(screens.md ?? true) ? (
        <Table<WalletCertificate>
          rowKey="serialHex"
          loading={list.isPending || settings.isPending}
          dataSource={certificates}
          pagination={false}
          scroll={{ x: 1080 }}
          locale={{ emptyText: t("wallet.empty") }}
          // One row per lineage (its head); the certificates before it unfold on demand (DESIGN §8).
          expandable={{
            // Wide enough for 「证书历史（N）」: a narrower column lets the next cell cover the button.
            columnWidth: 128,
            rowExpandable: (c) => (c.history?.length ?? 0) > 0,
            expandedRowRender: (c) => <LineageHistory c={c} />,
            expandIcon: ({ expanded, onExpand, record }) =>
              (record.history?.length ?? 0) > 0 ? (
                <Button
                  size="small"
                  type="link"
                  onClick={(e) => onExpand(record, e)}
                  aria-expanded={expanded}
                >
                  {t("wallet.history", { n: record.history?.length ?? 0 })}
                </Button>
              ) : null,
          }}
          rowClassName={(c) =>
            urgency(c, w ?? 0) === "urgent" ? "row-expiring" : urgency(c, w ?? 0) === "soon" ? "row-soon" : ""
          }
          rowSelection={{
            selectedRowKeys: chosen,
            onChange: (keys) => setPicked(keys.map(String)),
            getCheckboxProps: (c) => ({ disabled: !selectable(c, w ?? 0), "aria-label": t("wallet.select") }),
          }}
          columns={[
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
            { title: t("wallet.caType"), width: 130, render: (_: unknown, c) => c.caType ?? c.profile },
            {
              title: t("wallet.serial"),
              dataIndex: "serialHex",
              width: 210,
              render: (v: string) => <SerialText hex={v} copyable />,
            },
            {
              title: t("wallet.validity"),
              width: 190,
              render: (_: unknown, c) => <Validity c={c} w={w ?? 0} />,
            },
            {
              title: t("wallet.state"),
              width: 130,
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
          ]}
        />
      ) : (
        // On a phone: cards instead of seven columns behind a sideways scroll.
        <CardList<WalletCertificate>
          items={certificates}
          rowKey={(c) => c.serialHex}
          loading={list.isPending || settings.isPending}
          empty={t("wallet.empty")}
          label={t("wallet.title")}
          className={(c) =>
            chosen.includes(c.serialHex)
              ? "is-selected"
              : urgency(c, w ?? 0) === "urgent"
                ? "card-expiring"
                : urgency(c, w ?? 0) === "soon"
                  ? "card-soon"
                  : undefined
          }
          card={(c) => (
            <WalletCard
              c={c}
              w={w ?? 0}
              checked={chosen.includes(c.serialHex)}
              onCheck={(on) => check(c.serialHex, on)}
            />
          )}
        />
      )}
    </div>
  );
}
