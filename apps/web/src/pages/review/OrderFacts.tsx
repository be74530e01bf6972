import { formatFen } from "@certhall/domain";
import { Card, Descriptions, Grid, Space, Table, Tag, Timeline, Typography } from "antd";
import type { OrderItem, StaffOrderDetail } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { formatCalendarDate, formatDateTime } from "../../lib/time";

/** The color of a state tag, by who holds the order (staff queues stand out, finals are quiet). */
export function stateColor(state: string): string {
  switch (state) {
    case "submitted":
    case "in_review":
      return "blue";
    case "returned":
      return "orange";
    case "awaiting_payment":
    case "awaiting_booking":
      return "gold";
    case "awaiting_materials":
    case "processing":
      return "cyan";
    case "completed":
      return "green";
    default:
      return "default";
  }
}

export function StateTag({ state, label }: { state: string; label: string }) {
  return <Tag color={stateColor(state)}>{label}</Tag>;
}

/** The order's head facts: number, business, state, handler with full identity (staff check it). */
export function OrderHead({ order }: { order: StaffOrderDetail }) {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const d = order.delivery;
  return (
    <Descriptions
      bordered
      size="small"
      column={screens.md ? 2 : 1}
      items={[
        {
          key: "no",
          label: t("sorder.no"),
          children: <Typography.Text copyable>{order.orderNo}</Typography.Text>,
        },
        {
          key: "state",
          label: t("sorder.state"),
          children: <StateTag state={order.state} label={order.stateLabel} />,
        },
        { key: "business", label: t("sorder.business"), children: order.businessName },
        {
          key: "kind",
          label: t("sorder.subjectKind"),
          children: order.subjectKind === "person" ? t("sorder.kind.person") : t("sorder.kind.company"),
        },
        { key: "total", label: t("sorder.total"), children: <strong>{formatFen(order.totalFen)}</strong> },
        {
          key: "remit",
          label: t("sorder.remittanceCode"),
          children: <Typography.Text copyable>{order.remittanceCode}</Typography.Text>,
        },
        { key: "handler", label: t("sorder.handler"), children: order.handler.name },
        {
          key: "handlerPhone",
          label: t("sorder.handlerPhone"),
          children: <Typography.Text copyable>{order.handler.phone}</Typography.Text>,
        },
        {
          key: "handlerId",
          label: t("sorder.handlerIdNumber"),
          children: <Typography.Text copyable>{order.handler.idNumber}</Typography.Text>,
        },
        { key: "submitted", label: t("sorder.submittedAt"), children: formatDateTime(order.submittedAt) },
        {
          key: "delivery",
          label: t("sorder.delivery"),
          children:
            d.method === "mail"
              ? t("sorder.deliveryMail")
              : d.method === "window"
                ? `${t("sorder.deliveryWindow")}${d.appointmentDate ? ` · ${formatCalendarDate(d.appointmentDate)}` : ""}`
                : t("sorder.deliveryNone"),
        },
        ...(d.returnAddress
          ? [
              {
                key: "ret",
                label: t("sorder.returnAddress"),
                children: Object.values(d.returnAddress).filter(Boolean).join(" "),
              },
            ]
          : []),
        // The last note is the reason for a return; once resubmitted it lives on in the timeline only.
        ...(order.lastNote && order.state === "returned"
          ? [
              {
                key: "note",
                label: t("sorder.lastNote"),
                span: screens.md ? 2 : 1,
                children: <Typography.Text type="warning">{order.lastNote}</Typography.Text>,
              },
            ]
          : []),
      ]}
    />
  );
}

/** One card per certificate item: the subject in full (USCC / ID, legal rep, address), CA type, fees. */
export function OrderItems({ order }: { order: StaffOrderDetail }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      {order.items.map((item, i) => (
        <ItemCard key={item.id} item={item} index={i + 1} />
      ))}
      <div style={{ textAlign: "right" }}>
        {t("sorder.total")}：<Typography.Text strong>{formatFen(order.totalFen)}</Typography.Text>
      </div>
    </Space>
  );
}

function ItemCard({ item, index }: { item: OrderItem; index: number }) {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const s = item.subject;
  const company = s.kind !== "person";
  return (
    <Card
      size="small"
      title={
        <Space wrap size={4}>
          <span>#{index}</span>
          <span>{item.caType.name}</span>
          <Tag>{t("sitem.yearsN", { n: item.years })}</Tag>
          {item.eseal ? <Tag color="purple">{t("sitem.eseal")}</Tag> : null}
        </Space>
      }
      extra={<Typography.Text strong>{formatFen(item.amountFen)}</Typography.Text>}
    >
      <Descriptions
        size="small"
        column={screens.md ? 2 : 1}
        items={[
          { key: "name", label: t("sitem.subject"), children: <strong>{s.name}</strong> },
          {
            key: "id",
            label: company ? t("sitem.uscc") : t("sitem.idNumber"),
            children: <Typography.Text copyable>{s.identity}</Typography.Text>,
          },
          ...(company
            ? [
                { key: "rep", label: t("sitem.legalRep"), children: s.legalRep ?? "—" },
                { key: "addr", label: t("sitem.address"), children: s.address ?? "—" },
              ]
            : []),
          ...(item.mediaSerial
            ? [{ key: "media", label: t("sitem.mediaSerial"), children: item.mediaSerial }]
            : []),
          ...(item.certificateSerial
            ? [
                {
                  key: "cert",
                  label: t("sitem.certSerial"),
                  children: <Typography.Text copyable>{item.certificateSerial}</Typography.Text>,
                },
              ]
            : []),
        ]}
      />
      <Table
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={item.feeLines}
        style={{ marginTop: 8 }}
        columns={[
          { title: t("sitem.fees"), dataIndex: "labelZh" },
          {
            title: t("sitem.amount"),
            dataIndex: "amount",
            align: "right",
            render: (v: number) => formatFen(v),
          },
        ]}
      />
    </Card>
  );
}

/** What happened (who, when, note), where the order is now and what comes next. */
export function OrderTimeline({ order }: { order: StaffOrderDetail }) {
  const { t } = useI18n();
  const tl = order.timeline;
  return (
    <Timeline
      items={[
        ...tl.done.map((e, i) => ({
          key: `d${i}`,
          color: e.event === "reject" || e.event === "return_payment" ? "red" : "green",
          content: (
            <div>
              <Typography.Text strong>{e.label}</Typography.Text>
              <Typography.Text type="secondary"> · {e.actor}</Typography.Text>
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatDateTime(e.at)}
                </Typography.Text>
              </div>
              {e.note ? <Typography.Text type="warning">{e.note}</Typography.Text> : null}
            </div>
          ),
        })),
        {
          key: "current",
          color: "blue",
          content: (
            <div>
              <Typography.Text strong>{tl.current.label}</Typography.Text>
              <div>
                {t("sorder.next")}：{tl.current.next}
              </div>
              {tl.current.nextActor ? (
                <Typography.Text type="secondary">
                  {t("sorder.nextBy", { actor: tl.current.nextActor })}
                </Typography.Text>
              ) : null}
            </div>
          ),
        },
        ...tl.upcoming.map((u, i) => ({
          key: `u${i}`,
          color: "gray",
          content: (
            <Typography.Text type="secondary">
              {u.label}
              {u.actor ? ` · ${u.actor}` : ""}
            </Typography.Text>
          ),
        })),
      ]}
    />
  );
}
