import { formatFen, type OrderState } from "@certhall/domain";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Button, Card, Grid, Input, Space, Table, Tabs } from "antd";
import { Link, useSearchParams } from "react-router";
import { listStaffOrders, type StaffOrderSummary } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import type { MessageKey } from "../../app/messages";
import { LoadError } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";
import { StateTag } from "./OrderFacts";
import { parseQueueParams, REVIEW_TABS, type ReviewTab } from "./queue-params";

const TAB_LABEL: Record<ReviewTab, MessageKey> = {
  submitted: "review.tab.submitted",
  in_review: "review.tab.in_review",
  returned: "review.tab.returned",
};

/**
 * The reviewer's queue (审核). Tab, search and page live in the URL, so "back" from an order returns
 * to the same place and a link can be shared with a colleague.
 */
export function ReviewQueuePage() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const [params, setParams] = useSearchParams();
  const { tab, q, page } = parseQueueParams(params);
  const states: OrderState[] = [tab];

  const list = useQuery({
    queryKey: ["admin", "orders", tab, q, page],
    queryFn: () => listStaffOrders({ states, q, page }),
    placeholderData: keepPreviousData,
  });

  function go(next: { tab?: ReviewTab; q?: string; page?: number }) {
    const p = new URLSearchParams();
    p.set("tab", next.tab ?? tab);
    const query = next.q ?? q;
    if (query) p.set("q", query);
    const pg = next.page ?? 1;
    if (pg > 1) p.set("page", String(pg));
    setParams(p);
  }

  if (list.isError && !list.data) return <LoadError error={list.error} onRetry={() => list.refetch()} />;
  const rows = list.data?.orders ?? [];
  const hasMore = list.data?.hasMore ?? false;

  return (
    <Card title={t("review.title")} styles={{ body: { padding: screens.md ? 24 : 8 } }}>
      <Tabs
        activeKey={tab}
        onChange={(k) => go({ tab: k as ReviewTab, page: 1 })}
        items={REVIEW_TABS.map((k) => ({ key: k, label: t(TAB_LABEL[k]) }))}
      />
      <Input.Search
        key={`${tab}:${q}`}
        defaultValue={q}
        allowClear
        enterButton
        placeholder={t("review.search")}
        onSearch={(v) => go({ q: v.trim(), page: 1 })}
        style={{ maxWidth: 480, marginBottom: 16 }}
        maxLength={60}
      />
      <Table<StaffOrderSummary>
        rowKey="id"
        loading={list.isFetching}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 860 }}
        size={screens.md ? "middle" : "small"}
        locale={{ emptyText: t("review.empty") }}
        columns={[
          {
            title: t("sorder.no"),
            dataIndex: "orderNo",
            // The table is fixed-layout (it scrolls with a fixed column): without a width the nowrap
            // number runs into the next column on a phone.
            width: 180,
            render: (v: string, row) => (
              <Link to={`/admin/review/${row.id}`} style={{ whiteSpace: "nowrap" }}>
                {v}
              </Link>
            ),
          },
          { title: t("sorder.business"), dataIndex: "businessName" },
          {
            title: t("sorder.subjectKind"),
            dataIndex: "subjectKind",
            render: (v: string) => (v === "person" ? t("sorder.kind.person") : t("sorder.kind.company")),
          },
          { title: t("sorder.handler"), dataIndex: "handlerName" },
          {
            title: t("sorder.total"),
            dataIndex: "totalFen",
            align: "right",
            render: (v: number) => formatFen(v),
          },
          {
            title: t("sorder.state"),
            dataIndex: "state",
            render: (v: string, row) => <StateTag state={v} label={row.stateLabel} />,
          },
          {
            title: t("sorder.submittedAt"),
            dataIndex: "submittedAt",
            width: 170,
            render: (v: string | null) => <span style={{ whiteSpace: "nowrap" }}>{formatDateTime(v)}</span>,
          },
          {
            title: t("common.actions"),
            key: "actions",
            fixed: "right",
            render: (_: unknown, row) => (
              <Link to={`/admin/review/${row.id}`}>
                <Button size="small" type="primary" ghost>
                  {t("staff.view")}
                </Button>
              </Link>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 16, justifyContent: "flex-end", width: "100%" }}>
        <Button disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
          {t("common.prevPage")}
        </Button>
        <span>{t("audit.page", { n: page })}</span>
        <Button disabled={!hasMore} onClick={() => go({ page: page + 1 })}>
          {t("common.nextPage")}
        </Button>
      </Space>
    </Card>
  );
}
