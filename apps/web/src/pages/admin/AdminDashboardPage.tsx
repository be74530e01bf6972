import { Alert, Card, Col, Row, Space, Tag, Typography } from "antd";
import { Link } from "react-router";
import { menuFor, ROLE_COLORS } from "../../app/AdminLayout";
import { useI18n } from "../../app/i18n";
import { useAdminMe } from "../../app/queries";
import { dayPart, shanghaiHour } from "../../lib/time";

export function AdminDashboardPage() {
  const { t } = useI18n();
  const staff = useAdminMe().data;
  if (!staff) return null;
  const part = dayPart(shanghaiHour(new Date()));
  const shortcuts = menuFor(staff.role).filter((m) => m.path !== "/admin");

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Card>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t(`dashboard.${part}`)}，{staff.name}
        </Typography.Title>
        <Space wrap>
          <Typography.Text type="secondary">{t("field.role")}</Typography.Text>
          <Tag color={ROLE_COLORS[staff.role]}>{t(`role.${staff.role}`)}</Tag>
          <Typography.Text type="secondary">@{staff.username}</Typography.Text>
        </Space>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={t("dashboard.duty")} style={{ height: "100%" }}>
            <Typography.Paragraph>{t(`roleDuty.${staff.role}`)}</Typography.Paragraph>
            <Alert type="info" showIcon title={t("dashboard.separation")} />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={t("dashboard.shortcuts")} style={{ height: "100%" }}>
            <Space orientation="vertical">
              {shortcuts.map((m) => (
                <Link key={m.path} to={m.path}>
                  <Space>
                    {m.icon}
                    {t(m.label)}
                  </Space>
                </Link>
              ))}
            </Space>
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
