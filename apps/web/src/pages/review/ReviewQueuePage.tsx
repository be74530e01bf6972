import { formatFen } from "@certhall/domain";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Grid, Space, Table, Tabs, Tag, Typography } from "antd";
import { useCallback, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import {
  claimNext,
  filtersFrom,
  filtersToQuery,
  formatWaited,
  listQueue,
  type QueueFilters,
  type QueueRow,
} from "../../api/queues";
import { useI18n } from "../../app/i18n";
import type { MessageKey } from "../../app/messages";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";
import { QueueFilterBar } from "../queues/QueueFilterBar";
import { useKeyset, useRowKeys } from "../queues/useKeyset";
import { StateTag } from "./OrderFacts";
import { parseQueueParams, REVIEW_TABS, type ReviewTab } from "./queue-params";

const TAB_LABEL: Record<ReviewTab, MessageKey> = {
  submitted: "review.tab.submitted",
  in_review: "review.tab.in_review",
  returned: "review.tab.returned",
};

/** Claims the oldest unclaimed order and opens it (the review page claims the next one after a decision). */
export function useClaimNext() {
  const navigate = useNavigate();
  const { message } = App.useApp();
  const onError = useApiError();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [claiming, setClaiming] = useState(false);
  const claim = useCallback(async () => {
    setClaiming(true);
    try {
      const o = await claimNext();
      // The claim took the order into review: never show a copy cached before it.
      queryClient.removeQueries({ queryKey: ["admin", "order", o.id] });
      navigate(`/admin/review/${o.id}?claimed=1`);
    } catch (err) {
      if (err instanceof Error && "status" in err && (err as { status: number }).status === 404) {
        message.info(t("queue.empty"));
        navigate("/admin/review");
      } else onError(err);
    } finally {
      setClaiming(false);
    }
  }, [navigate, message, onError, t, queryClient]);
  return { claim, claiming };
}

/**
 * The reviewer's queue (审核), oldest first: tab and filters live in the URL, pages are keyset
 * cursors. 「领取下一单」 claims the oldest order nobody holds; j/k move, Enter opens.
 */
export function ReviewQueuePage() {
  const { t, lang } = useI18n();
  const screens = Grid.useBreakpoint();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const { tab } = parseQueueParams(params);
  const filters: QueueFilters = { ...filtersFrom(params), state: tab };
  const key = filtersToQuery(filters);
  const keyset = useKeyset(key);
  const { claim, claiming } = useClaimNext();

  const list = useQuery({
    queryKey: ["admin", "queue", "review", key, keyset.after],
    queryFn: () => listQueue("review", filters, keyset.after),
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.rows ?? [];
  const open = useCallback((row: QueueRow) => navigate(`/admin/review/${row.id}`), [navigate]);
  const selected = useRowKeys(rows, open);

  function go(next: QueueFilters) {
    const p = new URLSearchParams(filtersToQuery({ ...next, state: undefined }));
    p.set("tab", next.state ?? tab);
    setParams(p);
  }

  if (list.isError && !list.data) return <LoadError error={list.error} onRetry={() => list.refetch()} />;

  return (
    <Card
      title={t("review.title")}
      extra={
        <Button type="primary" loading={claiming} onClick={() => void claim()}>
          {t("queue.claimNext")}
        </Button>
      }
      styles={{ body: { padding: screens.md ? 24 : 8 } }}
    >
      <Tabs
        activeKey={tab}
        onChange={(k) => go({ ...filters, state: k })}
        items={REVIEW_TABS.map((k) => ({ key: k, label: t(TAB_LABEL[k]) }))}
      />
      <QueueFilterBar
        queue="review"
        fields={["business", "caType", "range", "amount"]}
        filters={filters}
        onChange={(f) => go({ ...f, state: tab })}
        searchPlaceholder={t("queue.search")}
      />
      <Typography.Text type="secondary">{t("queue.keysHint")}</Typography.Text>
      <Table<QueueRow>
        rowKey="id"
        loading={list.isFetching}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1000 }}
        size={screens.md ? "middle" : "small"}
        locale={{ emptyText: t("review.empty") }}
        rowClassName={(_r, i) => (i === selected ? "ant-table-row-selected" : "")}
        onRow={(row) => ({ onDoubleClick: () => open(row) })}
        columns={[
          {
            title: t("sorder.no"),
            dataIndex: "orderNo",
            width: 180,
            render: (v: string, row) => (
              <a
                href={`/admin/review/${row.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  open(row);
                }}
                style={{ whiteSpace: "nowrap" }}
              >
                {v}
              </a>
            ),
          },
          {
            title: t("queue.subject"),
            key: "subject",
            render: (_: unknown, row) => (
              <Space orientation="vertical" size={0}>
                <span>
                  {row.subjectName}
                  {row.otherSubjects > 0 ? (
                    <Tag style={{ marginInlineStart: 6 }}>+{row.otherSubjects}</Tag>
                  ) : null}
                </span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {row.subjectIdentity}
                </Typography.Text>
              </Space>
            ),
          },
          { title: t("sorder.business"), dataIndex: "businessName", width: 120 },
          { title: t("queue.caTypes"), dataIndex: "caTypes", render: (v: string[]) => v.join("、") },
          {
            title: t("sorder.total"),
            dataIndex: "totalFen",
            align: "right",
            width: 110,
            render: (v: number) => formatFen(v),
          },
          {
            title: t("queue.waited"),
            dataIndex: "waitedMinutes",
            width: 130,
            render: (v: number, row) => (
              <span title={formatDateTime(row.submittedAt)}>{formatWaited(v, lang === "en")}</span>
            ),
          },
          {
            title: t("sorder.state"),
            dataIndex: "state",
            width: 140,
            render: (v: string, row) => (
              <Space size={4} wrap>
                <StateTag state={v} label={row.stateLabel} />
                {row.claimedBy ? <Tag color="purple">{row.claimedBy}</Tag> : null}
              </Space>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 16, justifyContent: "flex-end", width: "100%" }}>
        <Button disabled={keyset.page <= 1} onClick={keyset.prev}>
          {t("common.prevPage")}
        </Button>
        <span>{t("audit.page", { n: keyset.page })}</span>
        <Button disabled={!list.data?.next} onClick={() => keyset.next(list.data?.next ?? null)}>
          {t("common.nextPage")}
        </Button>
      </Space>
    </Card>
  );
}
