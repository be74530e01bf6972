import { formatFen } from "@certhall/domain";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, DatePicker, Input, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { useCallback, useEffect, useState } from "react";
import { getWindows } from "../../api/portal";
import {
  formatWaited,
  listQueue,
  type QueueName,
  type QueueRow,
  receiveBatch,
  receiveMail,
} from "../../api/queues";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { useKeyset, useRowKeys } from "../queues/useKeyset";
import { StateTag } from "../review/OrderFacts";

/**
 * The window's two queues above the desk: 今日预约 (the orders booked at a window on a date, today by
 * default) and 邮寄材料 (envelopes announced by their waybill, and those received). Rows open on the
 * desk below; ticked rows take 批量材料已收齐; a waybill typed or scanned 签收 the envelope.
 */
export function WindowQueues(props: { onOpen: (orderId: string) => void }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<"appointments" | "mail">("appointments");
  return (
    <Card size="small">
      <Tabs
        activeKey={tab}
        destroyOnHidden
        onChange={(k) => setTab(k as typeof tab)}
        items={[
          {
            key: "appointments",
            label: t("queue.appointments"),
            children: <QueueTable queue="appointments" onOpen={props.onOpen} />,
          },
          {
            key: "mail",
            label: t("queue.mailTab"),
            children: <QueueTable queue="mail" onOpen={props.onOpen} />,
          },
        ]}
      />
    </Card>
  );
}

function QueueTable({
  queue,
  onOpen,
}: {
  queue: Exclude<QueueName, "review">;
  onOpen: (orderId: string) => void;
}) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const windows = useQuery({ queryKey: ["windows"], queryFn: getWindows });
  const [windowId, setWindowId] = useState<string | undefined>();
  const [date, setDate] = useState<string | undefined>();
  const [mail, setMail] = useState<"expected" | "received">("expected");
  const [waybill, setWaybill] = useState("");
  const [selected, setSelected] = useState<QueueRow[]>([]);
  const [busy, setBusy] = useState(false);
  // The server's today (Asia/Shanghai), and the first window, until the operator picks others.
  useEffect(() => {
    if (!windowId && windows.data?.windows[0]) setWindowId(windows.data.windows[0].id);
    if (!date && windows.data) setDate(windows.data.today);
  }, [windowId, date, windows.data]);
  const filters = queue === "appointments" ? { window: windowId, date } : { mail };
  const key = JSON.stringify(filters);
  const keyset = useKeyset(key);
  const list = useQuery({
    queryKey: ["admin", "queue", queue, key, keyset.after],
    queryFn: () => listQueue(queue, filters, keyset.after),
    placeholderData: keepPreviousData,
    enabled: queue === "mail" || (!!windowId && !!date),
  });
  const rows = list.data?.rows ?? [];
  const open = useCallback((row: QueueRow) => onOpen(row.id), [onOpen]);
  const highlighted = useRowKeys(rows, open);

  async function refresh() {
    setSelected([]);
    await queryClient.invalidateQueries({ queryKey: ["admin", "queue"] });
  }

  async function batch() {
    setBusy(true);
    try {
      const res = await receiveBatch(selected.map((r) => ({ id: r.id, version: r.version })));
      const failed = res.results.filter((r) => !r.ok);
      const ok = res.results.length - failed.length;
      if (failed.length === 0) message.success(t("queue.batchDone", { n: ok }));
      else message.warning(`${t("queue.batchDone", { n: ok })}；${failed.map((f) => f.error).join("；")}`);
      await refresh();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  async function signFor() {
    if (!waybill.trim()) return;
    setBusy(true);
    try {
      const got = await receiveMail(waybill);
      message.success(
        t(got.alreadyReceived ? "queue.mailAlready" : "queue.mailReceived", { no: got.orderNo }),
      );
      setWaybill("");
      await refresh();
      onOpen(got.orderId);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Space orientation="vertical" size={8} style={{ width: "100%" }}>
      <Space wrap>
        {queue === "appointments" ? (
          <>
            <Select
              aria-label={t("queue.window")}
              value={windowId}
              onChange={setWindowId}
              style={{ width: 140 }}
              options={(windows.data?.windows ?? []).map((w) => ({ value: w.id, label: w.city }))}
            />
            <DatePicker
              aria-label={t("queue.date")}
              allowClear={false}
              value={date ? dayjs(date) : null}
              onChange={(d) => d && setDate(d.format("YYYY-MM-DD"))}
            />
          </>
        ) : (
          <>
            <Select
              aria-label={t("queue.mail")}
              value={mail}
              onChange={setMail}
              style={{ width: 120 }}
              options={[
                { value: "expected", label: t("queue.mail.expected") },
                { value: "received", label: t("queue.mail.received") },
              ]}
            />
            <Input.Search
              placeholder={t("queue.waybillPlaceholder")}
              value={waybill}
              onChange={(e) => setWaybill(e.target.value)}
              onSearch={() => void signFor()}
              enterButton={t("queue.signFor")}
              loading={busy}
              maxLength={32}
              style={{ width: 320 }}
            />
          </>
        )}
        <Button type="primary" disabled={selected.length === 0} loading={busy} onClick={() => void batch()}>
          {t("queue.batchReceive", { n: selected.length })}
        </Button>
      </Space>
      <Table<QueueRow>
        rowKey="id"
        size="small"
        loading={list.isFetching}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: t(queue === "appointments" ? "queue.noAppointments" : "queue.noMail") }}
        rowSelection={{
          selectedRowKeys: selected.map((r) => r.id),
          onChange: (_k, rs) => setSelected(rs),
          getCheckboxProps: (r) => ({ disabled: r.state !== "awaiting_materials" }),
        }}
        rowClassName={(_r, i) => (i === highlighted ? "ant-table-row-selected" : "")}
        columns={[
          {
            title: t("sorder.no"),
            dataIndex: "orderNo",
            width: 170,
            render: (v: string, row) => (
              <Button type="link" size="small" onClick={() => open(row)} style={{ padding: 0 }}>
                {v}
              </Button>
            ),
          },
          {
            title: t("queue.subject"),
            key: "subject",
            render: (_: unknown, row) => (
              <span>
                {row.subjectName}{" "}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {row.subjectIdentity}
                </Typography.Text>
              </span>
            ),
          },
          { title: t("sorder.business"), dataIndex: "businessName", width: 110 },
          { title: t("queue.caTypes"), dataIndex: "caTypes", render: (v: string[]) => v.join("、") },
          {
            title: t("sorder.total"),
            dataIndex: "totalFen",
            align: "right",
            width: 100,
            render: (v: number) => formatFen(v),
          },
          queue === "mail"
            ? {
                title: t("queue.waybill"),
                key: "mail",
                render: (_: unknown, row) =>
                  row.mail ? (
                    <Space size={4}>
                      {row.mail.courier} {row.mail.waybill}
                      {row.mail.receivedAt ? <Tag color="green">{t("queue.mail.received")}</Tag> : null}
                    </Space>
                  ) : (
                    <Typography.Text type="secondary">{t("queue.noWaybill")}</Typography.Text>
                  ),
              }
            : { title: t("sorder.handler"), dataIndex: "handlerName", width: 100 },
          {
            title: t("queue.waited"),
            dataIndex: "waitedMinutes",
            width: 120,
            render: (v: number) => formatWaited(v, lang === "en"),
          },
          {
            title: t("sorder.state"),
            dataIndex: "state",
            width: 110,
            render: (v: string, row) => <StateTag state={v} label={row.stateLabel} />,
          },
        ]}
      />
      <Space style={{ justifyContent: "flex-end", width: "100%" }}>
        <Button size="small" disabled={keyset.page <= 1} onClick={keyset.prev}>
          {t("common.prevPage")}
        </Button>
        <Button size="small" disabled={!list.data?.next} onClick={() => keyset.next(list.data?.next ?? null)}>
          {t("common.nextPage")}
        </Button>
      </Space>
    </Space>
  );
}
