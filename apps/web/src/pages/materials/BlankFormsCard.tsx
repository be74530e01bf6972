import { ArrowRightOutlined, FilePdfOutlined, SearchOutlined } from "@ant-design/icons";
import { Card, Col, Row, Space, Typography } from "antd";
import { Link } from "react-router";
import { blankFormUrl, type FormKind } from "../../api/materials";
import { useI18n } from "../../app/i18n";
import type { MessageKey } from "../../app/messages";

const { Title, Text } = Typography;

const BLANKS: { kind: FormKind; business?: string; subjectKind?: "company" | "person"; label: MessageKey }[] =
  [
    { kind: "application", business: "new", subjectKind: "company", label: "mat.blank.newCompany" },
    { kind: "application", business: "new", subjectKind: "person", label: "mat.blank.newPerson" },
    { kind: "application", business: "change", label: "mat.blank.change" },
    { kind: "application", business: "reissue", label: "mat.blank.reissue" },
    { kind: "application", business: "revoke", label: "mat.blank.revoke" },
    { kind: "authorization", label: "mat.formAuthorization" },
    { kind: "eseal", label: "mat.formEseal" },
  ];

/** The home page's 表格下载 (blank forms to print and fill by hand) and the way to 进度查询 without login. */
export function BlankFormsCard() {
  const { t } = useI18n();
  return (
    <Row gutter={[16, 16]} style={{ marginTop: 24 }}>
      <Col xs={24} md={14}>
        <Card style={{ height: "100%" }} data-testid="blank-forms">
          <Title level={5} style={{ marginTop: 0 }}>
            <FilePdfOutlined /> {t("mat.blank.title")}
          </Title>
          <Text type="secondary">{t("mat.blank.text")}</Text>
          <Space wrap style={{ marginTop: 8 }}>
            {BLANKS.map((b) => (
              <a
                key={b.label}
                href={blankFormUrl(b.kind, b.business, b.subjectKind)}
                target="_blank"
                rel="noreferrer"
              >
                {t(b.label)}
              </a>
            ))}
          </Space>
        </Card>
      </Col>
      <Col xs={24} md={10}>
        <Card style={{ height: "100%" }}>
          <Title level={5} style={{ marginTop: 0 }}>
            <SearchOutlined /> {t("progress.title")}
          </Title>
          <Text type="secondary">{t("progress.homeText")}</Text>
          <div>
            <Link to="/progress">
              {t("progress.homeLink")} <ArrowRightOutlined />
            </Link>
          </div>
        </Card>
      </Col>
    </Row>
  );
}
