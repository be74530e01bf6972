import { LeftOutlined, ReloadOutlined, RightOutlined, SafetyCertificateOutlined } from "@ant-design/icons";
import { auditActionName, auditChanges } from "@certhall/domain";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Grid, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { listAudit, verifyAudit } from "../../api/admin";
import type { AuditActor, AuditEntry, AuditFilter, AuditVerifyResult } from "../../api/types";
import type { Translate } from "../../app/i18n";
import { useI18n } from "../../app/i18n";
import { auditZh } from "../../app/messages.audit";
import { queryKeys } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { currentCursor, firstPage, type KeysetState, nextPage, pageNumber, prevPage } from "../../lib/keyset";
import { formatDateTime } from "../../lib/time";
import { AuditFilters } from "./AuditFilters";
import { auditObject } from "./audit-view";

const LIMIT = 50;

function actorKind(actor: AuditActor, t: Translate): string {
  if (actor.type === "staff") return t("audit.actorStaff");
  if (actor.type === "applicant") return t("audit.actorApplicant");
  if (actor.type === "system") return t("audit.actorSystem");
  return actor.type;
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
  const [filter, setFilterState] = useState<AuditFilter>({});
  const setFilter = (f: AuditFilter) => {
    setFilterState(f);
    setPageState(firstPage);
  };
  const before = currentCursor(page);
  const q = useQuery({
    queryKey: queryKeys.audit(filter, before),
    queryFn: () => listAudit({ ...filter, limit: LIMIT, before }),
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
        <AuditFilters filter={filter} onChange={setFilter} />
        <Table<AuditEntry>
          rowKey="seq"
          expandable={{
            expandedRowRender: (e) => <pre className="audit-detail">{JSON.stringify(e, null, 2)}</pre>,
            expandIcon: ({ expanded, onExpand, record }) => (
              <Button type="link" size="small" onClick={(ev) => onExpand(record, ev)}>
                {expanded ? t("audit.hideRaw") : t("audit.raw")}
              </Button>
            ),
            columnWidth: 110,
          }}
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
              render: (a: AuditActor, e) => (
                <Space size={4} wrap>
                  <Tag>{actorKind(a, t)}</Tag>
                  {a.name ? <span>{a.name}</span> : null}
                  {a.roleName ? <Tag color="blue">{a.roleName}</Tag> : null}
                  {e.ip ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {e.ip}
                    </Typography.Text>
                  ) : null}
                </Space>
              ),
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
              width: 190,
              render: (_: unknown, e) => {
                const o = auditObject(e);
                if (!o) return "—";
                const key = `audit.ob.${e.objectType}`;
                return (
                  <Space size={4} wrap>
                    <span>{key in auditZh ? t(key as keyof typeof auditZh) : e.objectType}</span>
                    {o.to ? (
                      <Link to={o.to}>{o.label}</Link>
                    ) : (
                      <Typography.Text copyable={{ text: e.objectId ?? "" }}>{o.label}</Typography.Text>
                    )}
                  </Space>
                );
              },
            },
            {
              title: t("audit.detail"),
              key: "changes",
              render: (_: unknown, e) => {
                const changes = auditChanges(e.detail, lang);
                return changes.length ? (
                  <Space orientation="vertical" size={0}>
                    {changes.map((c) => (
                      <span key={c.field}>
                        {c.field ? <Typography.Text strong>{c.field}：</Typography.Text> : null}
                        <Typography.Text delete type="secondary">
                          {c.before}
                        </Typography.Text>
                        {" → "}
                        <Typography.Text>{c.after}</Typography.Text>
                      </span>
                    ))}
                  </Space>
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
