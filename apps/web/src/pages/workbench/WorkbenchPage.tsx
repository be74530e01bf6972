import { ScanOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Card, Col, Empty, Grid, Input, Row, Space, Typography } from "antd";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { ApiError } from "../../api/client";
import { findOrderForWorkbench, getStaffOrder } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { OrderHead, OrderItems, OrderTimeline } from "../review/OrderFacts";
import { CompleteCard } from "./CompleteCard";
import { IssueCard } from "./IssueCard";
import { MaterialsCard } from "./MaterialsCard";
import { RevokeCard } from "./RevokeCard";
import { UnlockCard } from "./UnlockCard";
import { WindowQueues } from "./WindowQueues";
import { windowStep } from "./workbench-rules";

/**
 * The window operator's desk (窗口受理): find the order (typed, or the receipt's QR scanned by a USB
 * scanner that types the text and presses Enter), take in the materials, then the business's own step
 * (record the USB key and issue; unlock the key; revoke), then hand over or mail → 办结. The order id
 * stays in the URL so a reload keeps the order open.
 */
export function WorkbenchPage() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const orderId = params.get("order") ?? "";
  const [text, setText] = useState("");
  const [finding, setFinding] = useState(false);

  const order = useQuery({
    queryKey: ["admin", "order", orderId],
    queryFn: () => getStaffOrder(orderId),
    enabled: orderId !== "",
  });

  async function find(value: string) {
    const q = value.trim();
    if (!q) return;
    setFinding(true);
    try {
      const found = await findOrderForWorkbench(q);
      queryClient.setQueryData(["admin", "order", found.id], found);
      setParams({ order: found.id });
      setText("");
    } catch (err) {
      // A failed lookup must not leave the previous order on the desk, as if it were the one found.
      setParams({});
      onError(err);
    } finally {
      setFinding(false);
    }
  }

  /** After any step: the order and its materials as the server has them now. */
  async function refresh() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ["admin", "order", orderId] }),
      queryClient.invalidateQueries({ queryKey: ["admin", "materials", orderId] }),
    ]);
  }

  /** A 409 means a colleague (or another tab) moved the order: say what the server says and reload. */
  async function onStepError(err: unknown) {
    if (err instanceof ApiError && err.status === 409) {
      message.warning(err.detail);
      await refresh();
      return;
    }
    onError(err);
  }

  const o = order.data;
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card title={t("wb.title")} styles={{ body: { padding: screens.md ? 24 : 12 } }}>
        <Input.Search
          autoFocus
          size="large"
          allowClear
          value={text}
          onChange={(e) => setText(e.target.value)}
          onSearch={(v) => void find(v)}
          loading={finding}
          enterButton={
            <Space size={4}>
              <ScanOutlined />
              {t("wb.find")}
            </Space>
          }
          placeholder={t("wb.findPlaceholder")}
          maxLength={500}
          style={{ maxWidth: 640 }}
        />
        <div style={{ marginTop: 6 }}>
          <Typography.Text type="secondary">{t("wb.findHint")}</Typography.Text>
        </div>
      </Card>
      <WindowQueues onOpen={(id) => setParams({ order: id })} />
      {!orderId ? (
        <Card>
          <Empty description={t("wb.empty")} />
        </Card>
      ) : order.isPending ? (
        <PageLoading />
      ) : order.isError ? (
        <LoadError error={order.error} onRetry={() => order.refetch()} />
      ) : o ? (
        <>
          <Alert
            type={o.state === "completed" ? "success" : "info"}
            showIcon
            title={t("wb.state", { state: o.stateLabel })}
            description={o.timeline.current.next}
          />
          <Card title={t("review.detailTitle", { no: o.orderNo })} size="small">
            <OrderHead order={o} />
          </Card>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={15}>
              <Space orientation="vertical" size={16} style={{ width: "100%" }}>
                <MaterialsCard order={o} onDone={refresh} onError={onStepError} />
                {windowStep(o.business) === "issue" ? (
                  <IssueCard order={o} onDone={refresh} onError={onStepError} />
                ) : windowStep(o.business) === "unlock" ? (
                  <UnlockCard order={o} onDone={refresh} onError={onStepError} />
                ) : windowStep(o.business) === "revoke" ? (
                  <RevokeCard order={o} onDone={refresh} onError={onStepError} />
                ) : null}
                <CompleteCard order={o} onDone={refresh} onError={onStepError} />
                <Card title={t("sorder.items")} size="small">
                  <OrderItems order={o} />
                </Card>
              </Space>
            </Col>
            <Col xs={24} lg={9}>
              <Card title={t("sorder.timeline")} size="small">
                <OrderTimeline order={o} />
              </Card>
            </Col>
          </Row>
        </>
      ) : null}
    </Space>
  );
}
