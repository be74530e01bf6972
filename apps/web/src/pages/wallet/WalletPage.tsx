import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Dropdown, Grid, Space, Table, Tag, Typography } from "antd";
import { Navigate } from "react-router";
import { certificateDownloadUrl, listCertificates, type WalletCertificate } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDate } from "../../lib/time";
import { EXPIRING_SOON_DAYS } from "../orders/logic";
import "./wallet.css";

/** Serial in colon-separated byte pairs as openssl prints it, so people can compare the two. */
export function formatSerial(hex: string): string {
  const h = hex.length % 2 ? `0${hex}` : hex;
  return (h.match(/../g) ?? []).join(":").toUpperCase();
}

/** 「我的证书」: every certificate of the account with validity at a glance and downloads with the chain. */
export function WalletPage() {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to="/login?next=%2Fcertificates" replace />;
  return <WalletView />;
}

function StateTag({ c }: { c: WalletCertificate }) {
  const { t } = useI18n();
  if (c.state === "revoked") return <Tag color="red">{t("wallet.revoked")}</Tag>;
  if (c.state === "expired") return <Tag>{t("wallet.expired")}</Tag>;
  if (c.expiresInDays <= EXPIRING_SOON_DAYS) {
    return <Tag color="orange">{t("wallet.expiringIn", { n: Math.max(0, c.expiresInDays) })}</Tag>;
  }
  return <Tag color="green">{t("wallet.good")}</Tag>;
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
  if (list.isError) return <LoadError error={list.error} onRetry={() => list.refetch()} />;
  return (
    <div className="page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t("wallet.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("wallet.subtitle")}</Typography.Paragraph>
      <Table<WalletCertificate>
        rowKey="serialHex"
        loading={list.isPending}
        dataSource={list.data?.certificates ?? []}
        pagination={false}
        scroll={screens.md ? { x: 820 } : undefined}
        locale={{ emptyText: t("wallet.empty") }}
        rowClassName={(c) =>
          c.state === "good" && c.expiresInDays <= EXPIRING_SOON_DAYS ? "row-expiring" : ""
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
                  render: (_: unknown, c) => `${formatDate(c.notBefore)} — ${formatDate(c.notAfter)}`,
                },
                { title: t("wallet.state"), width: 100, render: (_: unknown, c) => <StateTag c={c} /> },
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
                      <StateTag c={c} />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
                      </Typography.Text>
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
