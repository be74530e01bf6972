import { LeftOutlined, ReloadOutlined, RightOutlined, SafetyCertificateOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Grid, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { listAudit, verifyAudit } from "../../api/admin";
import type { AuditActor, AuditEntry, AuditVerifyResult } from "../../api/types";
import type { Translate } from "../../app/i18n";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { auditActionName } from "../../lib/audit-actions";
import { currentCursor, firstPage, type KeysetState, nextPage, pageNumber, prevPage } from "../../lib/keyset";
import { formatDateTime } from "../../lib/time";

const LIMIT = 50;

export function detailText(detail: unknown): string {
  if (detail === null || detail === undefined || detail === "") return "";
  if (typeof detail === "string") return detail;
  if (typeof detail === "object" && Object.keys(detail).length === 0) return "";
  return JSON.stringify(detail);
}

function actorText(actor: AuditActor, t: Translate): { kind: string; name: string } {
  if (typeof actor === "string") return { kind: "", name: actor };
  const kind =
    actor.type === "staff"
      ? t("audit.actorStaff")
      : actor.type === "applicant" || actor.type === "account"
        ? t("audit.actorAccount")
        : actor.type === "system"
          ? t("audit.actorSystem")
          : actor.type;
  return { kind, name: actor.name ?? (actor.id ? shortId(actor.id) : "") };
}

/** UUIDs are cut to their first 8 characters (copy gives the whole); readable ids such as dates stay whole. */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id) ? id.slice(0, 8) : id;
}

export function AuditPage() {
  const { t, lang } = useI18n();
  const screens = Grid.useBreakpoint();
  const onError = useApiError();
  const [page, setPageState] = useState(firstPage);
  // 上一页/下一页 sit under a long table: a new page starts at its top, not at its bottom.
  const setPage = (next: KeysetState) => {
    setPageState(next);
    window.scrollTo({ top: 0 });
  };
  const before = currentCursor(page);
  const q = useQuery({
    queryKey: queryKeys.audit(before),
    queryFn: () => listAudit({ limit: LIMIT, before }),
    placeholderData: keepPreviousData,
  });
  const [verifying, setVerifying] = useState(false);
  const [result, setResult] = useState<AuditVerifyResult | null>(null);

  async function verify() {
    setVerifying(true);
    setResult(null);
    try {
      setResult(await verifyAudit());
    } catch (err) {
      onError(err);
    } finally {
      setVerifying(false);
    }
  }

  const entries = q.data ?? [];
  const next = q.isPlaceholderData ? null : nextPage(page, entries, LIMIT);
  const prev = prevPage(page);

  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;

  return (
    <Card
      title={t("audit.title")}
      extra={
        <Button type="primary" icon={<SafetyCertificateOutlined />} loading={verifying} onClick={verify}>
          {t("audit.verify")}
        </Button>
      }
      styles={{ body: { padding: screens.md ? 24 : 8 } }}
    >
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        {result ? (
          <Alert
            type={result.ok ? "success" : "error"}
            showIcon
            closable
            onClose={() => setResult(null)}
            title={
              result.ok
                ? t("audit.verifyOk", { n: result.checked })
                : t("audit.verifyBad", {
                    seq: result.firstBad?.seq ?? "?",
                    problem: result.firstBad?.problem ?? "",
                    n: result.checked,
                  })
            }
          />
        ) : null}
        <Table<AuditEntry>
          rowKey="seq"
          size="small"
          loading={q.isFetching}
          dataSource={entries}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{ emptyText: t("audit.empty") }}
          columns={[
            { title: t("audit.seq"), dataIndex: "seq", width: 80 },
            {
              title: t("audit.at"),
              dataIndex: "at",
              width: 170,
              render: (v: string) => <span style={{ whiteSpace: "nowrap" }}>{formatDateTime(v)}</span>,
            },
            {
              title: t("audit.actor"),
              dataIndex: "actor",
              width: 170,
              render: (a: AuditActor, e) => {
                const { kind, name } = actorText(a, t);
                return (
                  <Space size={4} wrap>
                    {kind ? <Tag>{kind}</Tag> : null}
                    <span>{name}</span>
                    {e.ip ? (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {e.ip}
                      </Typography.Text>
                    ) : null}
                  </Space>
                );
              },
            },
            {
              title: t("audit.action"),
              dataIndex: "action",
              width: 200,
              render: (v: string) => {
                const name = auditActionName(v, lang);
                return (
                  <Space orientation="vertical" size={0}>
                    {name ? <span>{name}</span> : null}
                    <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: "nowrap" }}>
                      {v}
                    </Typography.Text>
                  </Space>
                );
              },
            },
            {
              title: t("audit.object"),
              key: "object",
              width: 180,
              render: (_: unknown, e) =>
                e.objectType ? (
                  <span>
                    {e.objectType}
                    {e.objectId ? (
                      <Typography.Text type="secondary" copyable={{ text: e.objectId }} title={e.objectId}>
                        {" "}
                        #{shortId(e.objectId)}
                      </Typography.Text>
                    ) : null}
                  </span>
                ) : (
                  "—"
                ),
            },
            {
              title: t("audit.detail"),
              dataIndex: "detail",
              render: (d: unknown) => {
                const text = detailText(d);
                return text ? (
                  <Typography.Paragraph
                    className="audit-detail"
                    ellipsis={{ rows: 2, expandable: "collapsible" }}
                    style={{ marginBottom: 0 }}
                  >
                    {text}
                  </Typography.Paragraph>
                ) : (
                  "—"
                );
              },
            },
          ]}
        />
        <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => (page === firstPage ? q.refetch() : setPage(firstPage))}
          >
            {t("common.refresh")}
          </Button>
          <Space>
            <Button icon={<LeftOutlined />} disabled={!prev} onClick={() => prev && setPage(prev)}>
              {t("common.prevPage")}
            </Button>
            <Typography.Text type="secondary">{t("audit.page", { n: pageNumber(page) })}</Typography.Text>
            <Button disabled={!next} onClick={() => next && setPage(next)}>
              {t("common.nextPage")} <RightOutlined />
            </Button>
          </Space>
        </Space>
      </Space>
    </Card>
  );
}
