import { PlusOutlined } from "@ant-design/icons";
import { formatFen } from "@certhall/domain";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Button, Grid, Input, Space, Table, Tabs, Tag, Typography } from "antd";
import { Link, Navigate, useSearchParams } from "react-router";
import { listOrders, type OrderSummary } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import type { MessageKey } from "../../app/messages";
import { useMe } from "../../app/queries";
import { CardList } from "../../components/CardList";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";
import { useKeyset } from "../queues/useKeyset";
import { ORDER_TABS, stateColor, tabStates } from "./logic";
import { orderKeys } from "./queries";

const PAGE_SIZE = 20;

/** 「我的订单」 with the state filter tabs; tab and search live in the URL so Back keeps them; pages are keyset cursors. */
export function OrdersPage() {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to="/login?next=%2Forders" replace />;
  return <OrdersView />;
}

function OrdersView() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "all";
  const q = params.get("q") ?? "";
  const keyset = useKeyset(`${tab}|${q}`);

  const list = useQuery({
    queryKey: orderKeys.list(tab, q, keyset.after ?? ""),
    queryFn: () => listOrders({ state: tabStates(tab), q, after: keyset.after, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  function set(next: Record<string, string | undefined>) {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v === undefined || v === "" || (k === "tab" && v === "all")) p.delete(k);
      else p.set(k, v);
    }
    setParams(p, { replace: true });
  }

  return (
    <div className="page">
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 8 }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t("orders.title")}
        </Typography.Title>
        <Space wrap>
          <Input.Search
            allowClear
            defaultValue={q}
            placeholder={t("orders.search")}
            onSearch={(v) => set({ q: v.trim(), page: undefined })}
            style={{ width: 220 }}
          />
          <Link to="/apply/new">
            <Button type="primary" icon={<PlusOutlined />}>
              {t("orders.new")}
            </Button>
          </Link>
        </Space>
      </Space>
      <Tabs
        activeKey={tab}
        onChange={(k) => set({ tab: k, page: undefined })}
        items={ORDER_TABS.map((x) => ({ key: x.key, label: t(`orders.tab.${x.key}` as MessageKey) }))}
      />
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <>
          {(screens.md ?? true) ? (
            <Table<OrderSummary>
              rowKey="id"
              loading={list.isFetching}
              dataSource={list.data?.orders ?? []}
              pagination={false}
              scroll={{ x: 720 }}
              locale={{ emptyText: t("orders.empty") }}
              columns={[
                {
                  title: t("orders.orderNo"),
                  dataIndex: "orderNo",
                  render: (no: string, o) => <Link to={`/orders/${o.id}`}>{no}</Link>,
                },
                { title: t("orders.business"), dataIndex: "businessName" },
                {
                  title: t("orders.total"),
                  dataIndex: "totalFen",
                  align: "right",
                  render: (v: number) => formatFen(v),
                },
                {
                  title: t("orders.state"),
                  dataIndex: "stateLabel",
                  render: (label: string, o) => <Tag color={stateColor(o.state)}>{label}</Tag>,
                },
                {
                  title: t("orders.updatedAt"),
                  dataIndex: "updatedAt",
                  render: (v: string) => formatDateTime(v),
                },
                {
                  title: t("common.actions"),
                  render: (_: unknown, o) => <Link to={`/orders/${o.id}`}>{t("orders.view")}</Link>,
                },
              ]}
            />
          ) : (
            // On a phone one card per order: number, business, amount and state, all on screen.
            <CardList<OrderSummary>
              items={list.data?.orders ?? []}
              rowKey={(o) => o.id}
              loading={list.isFetching}
              empty={t("orders.empty")}
              label={t("orders.title")}
              card={(o) => (
                <>
                  <div className="list-card-head">
                    <Link to={`/orders/${o.id}`} className="list-card-title">
                      {o.orderNo}
                    </Link>
                    <Tag color={stateColor(o.state)} style={{ marginInlineEnd: 0 }}>
                      {o.stateLabel}
                    </Tag>
                  </div>
                  <div className="list-card-head">
                    <span>{o.businessName}</span>
                    <strong style={{ whiteSpace: "nowrap" }}>{formatFen(o.totalFen)}</strong>
                  </div>
                  <div className="list-card-meta">
                    {t("orders.updatedAt")} {formatDateTime(o.updatedAt)}
                  </div>
                </>
              )}
            />
          )}
          <Space style={{ marginTop: 16, width: "100%", justifyContent: "flex-end" }}>
            <Button disabled={keyset.page <= 1} onClick={keyset.prev}>
              {t("common.prevPage")}
            </Button>
            <Typography.Text type="secondary">{t("audit.page", { n: keyset.page })}</Typography.Text>
            <Button disabled={!list.data?.next} onClick={() => keyset.next(list.data?.next ?? null)}>
              {t("common.nextPage")}
            </Button>
          </Space>
        </>
      )}
    </div>
  );
}
