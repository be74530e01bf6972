import { ArrowRightOutlined } from "@ant-design/icons";
import { listBusinessTypes } from "@certhall/domain";
import { Button, Card, List, Tag, Typography } from "antd";
import { Link } from "react-router";
import { useI18n } from "../../app/i18n";
import { BUSINESS_DESCRIPTIONS_EN } from "../portal/business-en";
import { businessLink, isZeroBusiness } from "./logic";

const { Title, Paragraph, Text } = Typography;

/** 「业务办理」: the nine businesses with what each one involves, and a way in for those that are open. */
export function BusinessListPage() {
  const { t, lang } = useI18n();
  const businesses = listBusinessTypes();
  return (
    <div className="page" style={{ maxWidth: 960 }}>
      <Title level={3} style={{ marginTop: 0 }}>
        {t("biz.title")}
      </Title>
      <Paragraph type="secondary">{t("biz.subtitle")}</Paragraph>
      <Card>
        <List
          itemLayout="horizontal"
          dataSource={businesses}
          renderItem={(b) => {
            return (
              <List.Item
                key={b.code}
                id={`business-${b.code}`}
                actions={[
                  <Link key="go" to={businessLink(b.code)}>
                    <Button type="primary">
                      {t("home.go")} <ArrowRightOutlined />
                    </Button>
                  </Link>,
                ]}
              >
                <List.Item.Meta
                  title={
                    <span>
                      {lang === "zh" ? b.name : b.nameEn}
                      {isZeroBusiness(b.code) ? (
                        <Tag color="green" style={{ marginInlineStart: 8 }}>
                          {t("biz.free")}
                        </Tag>
                      ) : null}
                      {b.reviewBeforePay ? (
                        <Tag color="blue" style={{ marginInlineStart: 8 }}>
                          {t("biz.reviewed")}
                        </Tag>
                      ) : null}
                    </span>
                  }
                  description={
                    <Text>{lang === "zh" ? b.description : BUSINESS_DESCRIPTIONS_EN[b.code]}</Text>
                  }
                />
              </List.Item>
            );
          }}
        />
      </Card>
    </div>
  );
}
