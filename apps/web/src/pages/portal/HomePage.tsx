import { ArrowRightOutlined, EnvironmentOutlined } from "@ant-design/icons";
import { type BusinessType, listBusinessTypes } from "@certhall/domain";
import { Button, Card, Col, Row, Space, Typography } from "antd";
import { Link } from "react-router";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { BlankFormsCard } from "../materials/BlankFormsCard";
import { PortalNotices } from "../notices/PortalNotices";
import { BUSINESS_DESCRIPTIONS_EN } from "./business-en";

const { Title, Paragraph, Text } = Typography;

/** Path of a business page. */
export function businessPath(code: BusinessType["code"]): string {
  // 新证 asks company or person first (issue 5).
  if (code === "new") return "/apply/new";
  return `/business/${code}`;
}

function BusinessCard({ business }: { business: BusinessType }) {
  const { lang } = useI18n();
  const title = lang === "zh" ? business.name : business.nameEn;
  return (
    <Link to={businessPath(business.code)} style={{ display: "block", height: "100%" }}>
      <Card className="business-card" hoverable size="small" title={title} extra={<ArrowRightOutlined />}>
        <Text>{lang === "zh" ? business.description : BUSINESS_DESCRIPTIONS_EN[business.code]}</Text>
      </Card>
    </Link>
  );
}

export function HomePage() {
  const { t } = useI18n();
  const me = useMe();
  const account = me.data ?? null;
  const businesses = listBusinessTypes();

  return (
    <div className="page">
      <Card style={{ marginBottom: 24 }} styles={{ body: { padding: "20px 24px" } }}>
        <Row gutter={[16, 16]} align="middle" justify="space-between">
          <Col xs={24} md={16}>
            <Title level={3} style={{ marginTop: 0 }}>
              {t("home.welcome")}
            </Title>
            <Paragraph type="secondary" style={{ marginBottom: 0 }}>
              {account ? t("home.loggedInAs", { phone: account.phoneMasked }) : t("home.welcomeText")}
            </Paragraph>
          </Col>
          <Col xs={24} md={8} style={{ textAlign: "right" }}>
            {account ? (
              <Link to="/account">
                <Button type="primary" block>
                  {t("nav.account")}
                </Button>
              </Link>
            ) : (
              <Row gutter={8}>
                <Col span={12}>
                  <Link to="/login">
                    <Button block>{t("nav.login")}</Button>
                  </Link>
                </Col>
                <Col span={12}>
                  <Link to="/register">
                    <Button type="primary" block>
                      {t("nav.register")}
                    </Button>
                  </Link>
                </Col>
              </Row>
            )}
          </Col>
        </Row>
      </Card>

      <Title level={4}>{t("home.title")}</Title>
      <Paragraph type="secondary">{t("home.subtitle")}</Paragraph>
      <Row gutter={[16, 16]}>
        {businesses.map((b) => (
          // The id is an anchor other pages link to (the wallet's 「去延期」 points at #business-renew).
          <Col key={b.code} id={`business-${b.code}`} xs={24} sm={12} lg={8}>
            <BusinessCard business={b} />
          </Col>
        ))}
      </Row>

      <Card style={{ marginTop: 24 }}>
        <Space orientation="vertical" size={4}>
          <Title level={5} style={{ margin: 0 }}>
            <EnvironmentOutlined /> {t("home.windowsTitle")}
          </Title>
          <Text type="secondary">{t("home.windowsText")}</Text>
          <Link to="/windows">
            {t("home.windowsLink")} <ArrowRightOutlined />
          </Link>
        </Space>
      </Card>
      <BlankFormsCard />
      <PortalNotices />
    </div>
  );
}
