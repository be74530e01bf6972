import { PhoneOutlined, PushpinOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Card, Col, Collapse, List, Row, Space, Tag, Typography } from "antd";
import { getNotices } from "../../api/notices";
import { useI18n } from "../../app/i18n";

/** The portal home's 公告, 常见问题 and 客服热线, as the admin published them (nothing until then). */
export function PortalNotices() {
  const { t } = useI18n();
  const notices = useQuery({ queryKey: ["notices"], queryFn: getNotices, staleTime: 60_000 });
  const n = notices.data;
  if (!n || (n.announcements.length === 0 && n.faq.length === 0 && !n.hotline)) return null;
  return (
    <Row gutter={[16, 16]} style={{ marginTop: 24 }}>
      <Col xs={24} lg={14}>
        <Card title={t("notices.announcements")} size="small">
          <List
            dataSource={n.announcements}
            locale={{ emptyText: t("notices.none") }}
            renderItem={(a) => (
              <List.Item>
                <List.Item.Meta
                  title={
                    <Space>
                      {a.pinned ? (
                        <Tag icon={<PushpinOutlined />} color="red">
                          {t("notices.pinned")}
                        </Tag>
                      ) : null}
                      {a.title}
                      <Typography.Text type="secondary">{a.date}</Typography.Text>
                    </Space>
                  }
                  description={<span style={{ whiteSpace: "pre-wrap" }}>{a.body}</span>}
                />
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Space orientation="vertical" size={16} style={{ width: "100%" }}>
          {n.hotline ? (
            <Card size="small" title={t("notices.hotline")}>
              <Typography.Title level={4} style={{ margin: 0 }}>
                <PhoneOutlined /> <a href={`tel:${n.hotline.phone}`}>{n.hotline.phone}</a>
              </Typography.Title>
              <Typography.Text type="secondary">{n.hotline.hours}</Typography.Text>
            </Card>
          ) : null}
          {n.faq.length > 0 ? (
            <Card size="small" title={t("notices.faq")}>
              <Collapse
                ghost
                items={n.faq.map((f, i) => ({
                  key: String(i),
                  label: f.question,
                  children: <span style={{ whiteSpace: "pre-wrap" }}>{f.answer}</span>,
                }))}
              />
            </Card>
          ) : null}
        </Space>
      </Col>
    </Row>
  );
}
