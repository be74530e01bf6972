import { CheckCircleTwoTone } from "@ant-design/icons";
import { Card, Space, Tag, Typography } from "antd";
import type { ReactNode } from "react";
import type { OrderItem, StaffOrderDetail } from "../../api/staff-orders";

/** What every workbench step card gets from the page. */
export interface StepProps {
  order: StaffOrderDetail;
  onDone: () => Promise<void>;
  onError: (err: unknown) => Promise<void>;
}

/**
 * A step that acts per item (签发, 解锁, 注销): shown from 办理中 on, one inner card per item in order.
 */
export function PerItemCard({
  order,
  title,
  renderItem,
}: {
  order: StaffOrderDetail;
  title: string;
  renderItem: (item: OrderItem, index: number) => ReactNode;
}) {
  if (order.state !== "processing" && order.state !== "completed") return null;
  return (
    <Card size="small" title={title}>
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        {order.items.map((item, i) => renderItem(item, i + 1))}
      </Space>
    </Card>
  );
}

/** One item's inner card: #n, the CA type and the subject; `done` shows as a green tag when set. */
export function ItemCard({
  index,
  item,
  done,
  children,
}: {
  index: number;
  item: OrderItem;
  done: string | null;
  children: ReactNode;
}) {
  return (
    <Card
      type="inner"
      size="small"
      title={
        <Space wrap size={4}>
          <span>#{index}</span>
          <span>{item.caType.name}</span>
          <Typography.Text type="secondary">{item.subject.name}</Typography.Text>
        </Space>
      }
      extra={
        done ? (
          <Tag icon={<CheckCircleTwoTone twoToneColor="#52c41a" />} color="success">
            {done}
          </Tag>
        ) : null
      }
    >
      {children}
    </Card>
  );
}
