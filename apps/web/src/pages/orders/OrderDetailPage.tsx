import {
  EditOutlined,
  FilePdfOutlined,
  LoadingOutlined,
  PrinterOutlined,
  SendOutlined,
} from "@ant-design/icons";
import { BUSINESS_TYPES, type BusinessCode, formatFen, stepAllowed } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Grid,
  Input,
  Modal,
  Row,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import { useEffect, useRef, useState } from "react";
import { Link, Navigate, useParams, useSearchParams } from "react-router";
import {
  getOrder,
  getReceipt,
  type OrderDetail,
  type OrderItemView,
  orderStep,
  receiptPdfUrl,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";
import { businessPanels } from "../business/logic";
import { MaterialsUploadCard } from "../materials/MaterialsUploadCard";
import { ItemBusinessDetails } from "./BusinessItemDetails";
import { EsealPanel, RenewKeyNotices, UnlockPanel, ZeroPaymentPanel } from "./BusinessPanels";
import { DeliveryPanel } from "./DeliveryPanel";
import { InvoicePanel } from "./InvoicePanel";
import {
  hasReceipt,
  PAYMENT_CONFIRM_SLOW_MS,
  paymentPollInterval,
  returnedFromCashier,
  stateColor,
} from "./logic";
import { OnlineUpdatePanel } from "./OnlineUpdatePanel";
import { OrderTimeline } from "./OrderTimeline";
import { PaymentPanel } from "./PaymentPanel";
import { orderKeys } from "./queries";
import "./orders.css";

const { Title, Text } = Typography;

export function OrderDetailPage() {
  const { id = "" } = useParams();
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(`/orders/${id}`)}`} replace />;
  return <OrderLoader id={id} />;
}

function OrderLoader({ id }: { id: string }) {
  const [params] = useSearchParams();
  // Back from the cashier (?payment=returned) the provider's notification may still be on its way:
  // poll until the order leaves 待缴费 (fast at first, then slower).
  const returned = returnedFromCashier(params);
  const [since] = useState(() => Date.now());
  const order = useQuery({
    queryKey: orderKeys.detail(id),
    queryFn: () => getOrder(id),
    refetchInterval: (q) => (returned ? paymentPollInterval(q.state.data?.state, Date.now() - since) : false),
  });
  if (order.isPending) return <PageLoading />;
  if (order.isError) return <LoadError error={order.error} onRetry={() => order.refetch()} />;
  return <OrderView order={order.data} returnedFromCashier={returned} since={since} />;
}

/** On a phone the six-column table would hide fees and amounts behind a sideways scroll: one block per item. */
function ItemsList({ order }: { order: OrderDetail }) {
  const { t } = useI18n();
  return (
    <div className="order-items-narrow">
      {order.items.map((i, n) => (
        <div key={i.id} className="order-item">
          <div className="order-item-head">
            <Text strong>
              {n + 1}. {i.caType.name}
            </Text>
            <Text strong style={{ whiteSpace: "nowrap" }}>
              {formatFen(i.amountFen)}
            </Text>
          </div>
          <div>
            {i.subject.name}{" "}
            <Text type="secondary" style={{ fontSize: 12 }}>
              {i.subject.identity}
            </Text>
          </div>
          {order.business === "new" ? (
            <Text type="secondary" style={{ fontSize: 13 }}>
              {t("apply.years")}：{i.years} · {t("apply.eseal")}：{i.eseal ? t("common.yes") : t("common.no")}
            </Text>
          ) : (
            <ItemBusinessDetails business={order.business} item={i} />
          )}
          <div className="fee-lines">
            {i.feeLines.map((l) => (
              <span key={l.code}>
                {l.labelZh} {formatFen(l.amount)}
              </span>
            ))}
          </div>
        </div>
      ))}
      <div className="order-items-total">
        {t("apply.total")}{" "}
        <Text strong style={{ color: "#cf1322", fontSize: 16, whiteSpace: "nowrap" }}>
          {formatFen(order.totalFen)}
        </Text>
      </div>
    </div>
  );
}

function ItemsTable({ order }: { order: OrderDetail }) {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  if (!screens.md) return <ItemsList order={order} />;
  return (
    <Table<OrderItemView>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={order.items}
      // Years and e-seal sit under the CA type: beside the timeline the card is only ~590 px wide at
      // 1280, and a wider table hid the amounts and the total behind a sideways scroll.
      scroll={{ x: 600 }}
      // The other businesses' details (target, key choice, seal, changes, ...) get the table's full
      // width in a row under their item, always open.
      expandable={
        order.business === "new"
          ? undefined
          : {
              expandedRowRender: (i) => <ItemBusinessDetails business={order.business} item={i} />,
              expandedRowKeys: order.items.map((i) => i.id),
              showExpandColumn: false,
            }
      }
      columns={[
        {
          title: t("order.subject"),
          width: 180,
          render: (_: unknown, i) => (
            <div>
              <div>{i.subject.name}</div>
              <Text type="secondary" style={{ fontSize: 12 }}>
                {i.subject.identity}
              </Text>
            </div>
          ),
        },
        {
          title: t("apply.caType"),
          render: (_: unknown, i) => (
            <div>
              <div>{i.caType.name}</div>
              {order.business === "new" ? (
                <Text type="secondary" style={{ fontSize: 12 }}>
                  {t("apply.years")}：{i.years} · {t("apply.eseal")}：
                  {i.eseal ? t("common.yes") : t("common.no")}
                </Text>
              ) : null}
            </div>
          ),
        },
        {
          title: t("order.fees"),
          render: (_: unknown, i) => (
            <div className="fee-lines vertical">
              {i.feeLines.map((l) => (
                <span key={l.code}>
                  {l.labelZh} {formatFen(l.amount)}
                </span>
              ))}
            </div>
          ),
        },
        {
          title: t("order.amount"),
          dataIndex: "amountFen",
          align: "right",
          width: 110,
          render: (v: number) => (
            <Text strong style={{ whiteSpace: "nowrap" }}>
              {formatFen(v)}
            </Text>
          ),
        },
      ]}
      summary={() => (
        <Table.Summary.Row>
          <Table.Summary.Cell index={0} colSpan={3} align="right">
            {t("apply.total")}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={1} align="right">
            <Text strong style={{ color: "#cf1322", whiteSpace: "nowrap" }}>
              {formatFen(order.totalFen)}
            </Text>
          </Table.Summary.Cell>
        </Table.Summary.Row>
      )}
    />
  );
}

/** 「正在确认支付结果…」 while the notification is awaited; after a minute, the way to pay again. */
function PaymentConfirming({ since, onPayAgain }: { since: number; onPayAgain: () => void }) {
  const { t } = useI18n();
  const [slow, setSlow] = useState(() => Date.now() - since >= PAYMENT_CONFIRM_SLOW_MS);
  useEffect(() => {
    if (slow) return;
    const timer = setTimeout(() => setSlow(true), Math.max(0, since + PAYMENT_CONFIRM_SLOW_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [since, slow]);
  return (
    <Alert
      type={slow ? "warning" : "info"}
      showIcon
      icon={slow ? undefined : <LoadingOutlined />}
      style={{ marginTop: 16 }}
      title={t("pay.waitingNotify")}
      description={slow ? t("pay.confirmSlow") : t("pay.confirmingHint")}
      action={
        slow ? (
          <Button size="small" onClick={onPayAgain}>
            {t("pay.payAgain")}
          </Button>
        ) : null
      }
    />
  );
}

function OrderView({
  order,
  returnedFromCashier,
  since,
}: {
  order: OrderDetail;
  returnedFromCashier: boolean;
  since: number;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<"submit" | "cancel" | null>(null);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [cancelNote, setCancelNote] = useState("");
  const [payAgain, setPayAgain] = useState(false);
  // 延期 and 电子签章开通 are done online: they have no receipt (回执单) and no materials to send.
  const receiptReady =
    hasReceipt(order.state) && (BUSINESS_TYPES[order.business as BusinessCode]?.receipt ?? true);
  const receipt = useQuery({
    queryKey: orderKeys.receipt(order.id),
    queryFn: () => getReceipt(order.id),
    enabled: receiptReady,
    retry: false,
  });

  function set(o: OrderDetail) {
    queryClient.setQueryData(orderKeys.detail(o.id), o);
    void queryClient.invalidateQueries({ queryKey: orderKeys.lists });
  }

  async function step(event: "submit" | "cancel") {
    setBusy(event);
    try {
      const o = await orderStep(order.id, event, {
        version: order.version,
        note: event === "cancel" && cancelNote.trim() ? cancelNote.trim() : undefined,
      });
      set(o);
      setCancelOpen(false);
      message.success(event === "submit" ? t("order.submittedOk") : t("order.cancelledOk"));
    } catch (err) {
      onError(err);
      // A 409 means the order moved on meanwhile (e.g. review started): show the fresh state.
      void queryClient.invalidateQueries({ queryKey: orderKeys.detail(order.id) });
    } finally {
      setBusy(null);
    }
  }

  const panels = businessPanels(order);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: orderKeys.detail(order.id) });
  const canEdit = order.actions.includes("edit");
  const canSubmit = order.actions.includes("submit");
  const canCancel = order.actions.includes("cancel");
  const awaitingPayment = stepAllowed(order, "start_payment");
  // Back from the cashier the pay buttons stay hidden, so a slow notification does not invite a second
  // payment; after a minute the applicant may bring them back.
  const confirming = returnedFromCashier && awaitingPayment && !payAgain;

  // Say so once when the polled order leaves 待缴费 while this page watched it.
  const seenState = useRef(order.state);
  useEffect(() => {
    if (
      returnedFromCashier &&
      seenState.current === "awaiting_payment" &&
      order.state !== "awaiting_payment"
    ) {
      message.success(t("pay.paidOk"));
    }
    seenState.current = order.state;
  }, [order.state, returnedFromCashier, message, t]);

  return (
    <div className="page">
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 8 }} wrap align="center">
        <Space wrap align="center">
          <Title level={3} style={{ margin: 0 }}>
            {order.businessName}
          </Title>
          <Tag color={stateColor(order.state)} style={{ fontSize: 14, padding: "2px 8px" }}>
            {order.stateLabel}
          </Tag>
        </Space>
        <Space wrap>
          {canEdit ? (
            <Link to={`/orders/${order.id}/edit`}>
              <Button icon={<EditOutlined />}>{t("order.viewEdit")}</Button>
            </Link>
          ) : null}
          {canSubmit ? (
            <Button
              type="primary"
              icon={<SendOutlined />}
              loading={busy === "submit"}
              onClick={() => step("submit")}
            >
              {t("apply.submit")}
            </Button>
          ) : null}
          {canCancel ? (
            <Button danger onClick={() => setCancelOpen(true)}>
              {t("order.cancel")}
            </Button>
          ) : null}
        </Space>
      </Space>
      <Text type="secondary">
        {t("orders.orderNo")}：<Text copyable>{order.orderNo}</Text> · {t("orders.updatedAt")}：
        {formatDateTime(order.updatedAt)}
      </Text>

      {order.state === "returned" && order.lastNote ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          title={t("order.returnedReason")}
          description={<Text strong>{order.lastNote}</Text>}
          action={
            canEdit ? (
              <Link to={`/orders/${order.id}/edit`}>
                <Button size="small" danger>
                  {t("order.fixNow")}
                </Button>
              </Link>
            ) : null
          }
        />
      ) : null}
      {order.needsReview && ["draft", "submitted", "in_review", "returned"].includes(order.state) ? (
        <Alert type="info" showIcon style={{ marginTop: 16 }} title={t("biz.needsReview")} />
      ) : null}
      {order.confirmed && BUSINESS_TYPES[order.business as BusinessCode]?.confirmation ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 16 }}
          title={t("biz.confirmedBox", {
            box: BUSINESS_TYPES[order.business as BusinessCode].confirmation ?? "",
          })}
        />
      ) : null}
      {confirming ? <PaymentConfirming since={since} onPayAgain={() => setPayAgain(true)} /> : null}

      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={15}>
          {panels.renewNotice ? <RenewKeyNotices order={order} /> : null}
          {awaitingPayment && !confirming ? (
            panels.zeroPay ? (
              <ZeroPaymentPanel order={order} onChanged={refresh} />
            ) : (
              <PaymentPanel order={order} onChanged={refresh} />
            )
          ) : null}
          {panels.onlineUpdate
            ? order.items.map((i) => (
                <OnlineUpdatePanel key={i.id} order={order} item={i} onChanged={refresh} />
              ))
            : null}
          {panels.eseal
            ? order.items.map((i) => <EsealPanel key={i.id} order={order} item={i} onChanged={refresh} />)
            : null}
          {panels.unlock ? <UnlockPanel order={order} onChanged={refresh} /> : null}
          {order.state === "awaiting_booking" ? (
            <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t("pay.awaitingBooking")} />
          ) : null}
          {receiptReady ? (
            <Card title={t("receipt.title")} style={{ marginBottom: 16 }}>
              <Typography.Paragraph type="secondary">{t("receipt.hint")}</Typography.Paragraph>
              <Space wrap>
                <Link to={`/orders/${order.id}/receipt`}>
                  <Button type="primary" icon={<PrinterOutlined />}>
                    {t("receipt.print")}
                  </Button>
                </Link>
                <a href={receiptPdfUrl(order.id)} target="_blank" rel="noreferrer">
                  <Button icon={<FilePdfOutlined />}>{t("receipt.pdf")}</Button>
                </a>
              </Space>
            </Card>
          ) : null}
          {receipt.data ? (
            <DeliveryPanel
              order={order}
              receipt={receipt.data}
              onChanged={(r) => {
                queryClient.setQueryData(orderKeys.receipt(order.id), r);
                // The choice bumps the order's version: fetch it so the next action sends the new one.
                void queryClient.invalidateQueries({ queryKey: orderKeys.detail(order.id) });
              }}
            />
          ) : receipt.isError ? (
            <LoadError error={receipt.error} onRetry={() => receipt.refetch()} />
          ) : null}
          <InvoicePanel order={order} />
          <MaterialsUploadCard order={order} />
          <Card title={t("order.items")} style={{ marginBottom: 16 }}>
            <ItemsTable order={order} />
          </Card>
          <Card title={t("apply.handler")} style={{ marginBottom: 16 }}>
            <Descriptions column={{ xs: 1, sm: 2 }} size="small">
              <Descriptions.Item label={t("apply.handlerName")}>{order.handler.name}</Descriptions.Item>
              <Descriptions.Item label={t("subj.idNumber")}>{order.handler.idNumber}</Descriptions.Item>
              <Descriptions.Item label={t("apply.handlerPhone")}>{order.handler.phone}</Descriptions.Item>
              <Descriptions.Item label={t("pay.remittanceCode")}>
                <Text copyable>{order.remittanceCode}</Text>
              </Descriptions.Item>
              <Descriptions.Item label={t("order.createdAt")}>
                {formatDateTime(order.createdAt)}
              </Descriptions.Item>
              <Descriptions.Item label={t("order.submittedAt")}>
                {formatDateTime(order.submittedAt)}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card title={t("timeline.title")}>
            <OrderTimeline timeline={order.timeline} />
          </Card>
        </Col>
      </Row>

      <Modal
        open={cancelOpen}
        title={t("order.cancelConfirm")}
        onCancel={() => setCancelOpen(false)}
        onOk={() => step("cancel")}
        okText={t("order.cancel")}
        okButtonProps={{ danger: true, loading: busy === "cancel" }}
        cancelText={t("order.keep")}
      >
        <Typography.Paragraph>{t("order.cancelText")}</Typography.Paragraph>
        <Input.TextArea
          rows={2}
          maxLength={200}
          placeholder={t("order.cancelReason")}
          value={cancelNote}
          onChange={(e) => setCancelNote(e.target.value)}
        />
      </Modal>
    </div>
  );
}
