import { ArrowLeftOutlined } from "@ant-design/icons";
import { composeReason, REVIEW_REASON_MAX, reviewReasons } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Space,
  Typography,
} from "antd";
import { useEffect, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ApiError } from "../../api/client";
import type { MaterialRejection } from "../../api/materials";
import { getStaffOrder, type ReviewAction, reviewOrder, type StaffOrderDetail } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { ReviewMaterialsPanel } from "../materials/ReviewMaterialsPanel";
import { isPageKey } from "../queues/useKeyset";
import { OrderHead, OrderItems, OrderTimeline } from "./OrderFacts";
import { RequiredMaterials } from "./RequiredMaterials";
import { useClaimNext } from "./ReviewQueuePage";

interface RejectValues {
  picks: string[];
  text?: string;
}

/**
 * An order with everything a reviewer needs to decide, and the decisions the machine allows now. The
 * order's facts sit on the left; on the right the uploaded materials (each can be rejected with its own
 * reason) above the list of materials the business requires. Keys: a approve (then Enter), r reject; opened by 领取下一单 (`?claimed=1`), a
 * decision claims the next order.
 */
export function ReviewDetailPage() {
  const { id = "" } = useParams();
  const [search] = useSearchParams();
  const claimed = search.get("claimed") === "1";
  const { claim } = useClaimNext();
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const queryKey = ["admin", "order", id] as const;
  const q = useQuery({ queryKey, queryFn: () => getStaffOrder(id) });
  const [busy, setBusy] = useState<ReviewAction | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [form] = Form.useForm<RejectValues>();
  const [rejections, setRejections] = useState<MaterialRejection[]>([]);
  const [approving, setApproving] = useState(false);
  const keys = useRef<(e: KeyboardEvent) => void>(() => {});
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => keys.current(e);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  async function act(action: ReviewAction, order: StaffOrderDetail, note?: string) {
    setBusy(action);
    try {
      // The version makes a decision on a stale screen fail (409) instead of overriding a colleague.
      const materials = action === "reject" && rejections.length ? rejections : undefined;
      const next = await reviewOrder(order.id, action, { version: order.version, note, materials });
      queryClient.setQueryData(queryKey, next);
      await queryClient.invalidateQueries({ queryKey: ["admin", "orders"] });
      message.success(
        t(
          action === "start-review"
            ? "review.started"
            : action === "approve"
              ? "review.approved"
              : "review.rejected",
        ),
      );
      if (action === "reject") {
        setRejecting(false);
        form.resetFields();
      }
      setRejections([]);
      setApproving(false);
      if (claimed && action !== "start-review") await claim();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // Someone else moved the order: show the server's sentence and the order as it is now.
        message.warning(err.detail || t("review.conflict"));
        setRejecting(false);
        await q.refetch();
      } else {
        onError(err, action === "reject" ? form : undefined);
      }
    } finally {
      setBusy(null);
    }
  }

  if (q.isPending) return <PageLoading />;
  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;
  const order = q.data;
  const can = (e: "start_review" | "approve" | "reject") => order.actions.includes(e);
  const decidable = can("start_review") || can("approve") || can("reject");
  keys.current = (e) => {
    // The reject form owns the keyboard while it is open.
    if (!isPageKey(e) || busy || rejecting) return;
    if (approving) {
      // Enter confirms the approval (preventDefault: the focused button does not click a second time).
      if (e.key !== "Enter") return;
      void act("approve", order);
    } else if (e.key === "a" && can("approve")) setApproving(true);
    else if (e.key === "r" && can("reject")) setRejecting(true);
    else if (e.key === "n" && claimed) void claim();
    else return;
    e.preventDefault();
  };

  // Shown above and below the order; the keyboard's approval (a) opens the confirmation of the top one.
  const buttons = (top: boolean) => (
    <Space wrap>
      {can("start_review") ? (
        <Button type="primary" loading={busy === "start-review"} onClick={() => act("start-review", order)}>
          {t("review.start")}
        </Button>
      ) : null}
      {can("approve") ? (
        <Popconfirm
          title={t("review.approveConfirm")}
          {...(top ? { open: approving, onOpenChange: setApproving } : {})}
          onConfirm={() => act("approve", order)}
        >
          <Button type="primary" loading={busy === "approve"}>
            {t("review.approve")}
          </Button>
        </Popconfirm>
      ) : null}
      {can("reject") ? (
        <Button danger onClick={() => setRejecting(true)}>
          {t("review.reject")}
        </Button>
      ) : null}
    </Space>
  );

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Space wrap style={{ justifyContent: "space-between", width: "100%" }}>
        <Link to="/admin/review">
          <Button icon={<ArrowLeftOutlined />}>{t("review.back")}</Button>
        </Link>
        {buttons(true)}
      </Space>
      {order.state === "returned" && order.lastNote ? (
        <Alert type="warning" showIcon title={`${t("review.tab.returned")}：${order.lastNote}`} />
      ) : null}
      {!decidable ? <Alert type="info" showIcon title={t("review.noActions")} /> : null}
      <Card title={t("review.detailTitle", { no: order.orderNo })} size="small">
        <OrderHead order={order} />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <Card title={t("sorder.items")} size="small">
              <OrderItems order={order} />
            </Card>
            <Card title={t("sorder.timeline")} size="small">
              <OrderTimeline order={order} />
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={12} data-slot="review-materials">
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <ReviewMaterialsPanel
              orderId={order.id}
              version={order.version}
              editable={can("reject")}
              value={rejections}
              onChange={setRejections}
            />
            <RequiredMaterials order={order} />
          </Space>
        </Col>
      </Row>
      <Typography.Text type="secondary">
        {t(claimed ? "queue.detailKeysClaimed" : "queue.detailKeys")}
      </Typography.Text>
      {decidable ? <div style={{ textAlign: "right" }}>{buttons(false)}</div> : null}
      <Modal
        open={rejecting}
        title={t("review.rejectTitle", { no: order.orderNo })}
        onCancel={() => setRejecting(false)}
        onOk={() => form.submit()}
        okText={t("review.reject")}
        okButtonProps={{ danger: true }}
        confirmLoading={busy === "reject"}
        forceRender
      >
        {rejections.length ? (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            title={t("mat.rejectingN", { n: rejections.length })}
            description={rejections.map((r) => r.reason).join("；")}
          />
        ) : null}
        <Form<RejectValues>
          form={form}
          layout="vertical"
          initialValues={{ picks: [] }}
          onFinish={(v) => act("reject", order, composeReason(v.picks, v.text) || undefined)}
          requiredMark={false}
        >
          <Form.Item name="picks" label={t("review.reasonPicks")}>
            <Checkbox.Group
              style={{ display: "flex", flexDirection: "column", gap: 6 }}
              options={reviewReasons().map((r) => ({
                value: r.labelZh,
                label: lang === "en" ? r.labelEn : r.labelZh,
              }))}
            />
          </Form.Item>
          <Form.Item
            name="text"
            label={t("review.reasonText")}
            dependencies={["picks"]}
            rules={[
              ({ getFieldValue }) => ({
                validator: async (_r, value: string | undefined) => {
                  const reason = composeReason((getFieldValue("picks") as string[]) ?? [], value);
                  // Reasons given per material are the rejection's reason when nothing else is said.
                  if (!reason && !rejections.length) throw new Error(t("review.reasonRequired"));
                  if (reason.length > REVIEW_REASON_MAX) throw new Error(t("review.reasonTooLong"));
                },
              }),
            ]}
          >
            <Input.TextArea
              rows={3}
              maxLength={400}
              showCount
              placeholder={t("review.reasonTextPlaceholder")}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
