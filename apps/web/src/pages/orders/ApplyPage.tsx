import { BankOutlined, PlusOutlined, UserOutlined } from "@ant-design/icons";
import { type BusinessCode, MAX_YEARS } from "@certhall/domain";
import { Alert, App, Button, Card, Checkbox, Col, Form, InputNumber, Row, Space, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import type { OrderDetail, OrderInput, SubjectKind } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import {
  AddSubjectModal,
  ApplyHeading,
  NoSubjectsAlert,
  RemoveItemButton,
  RowFeeLines,
  SubjectAndCaTypeCols,
  SubmitBar,
  useOrderSave,
  useSubjectChoices,
} from "./ApplyParts";
import { HandlerCard, type HandlerValues, handlerInput, RequireLogin, showServerErrors } from "./HandlerCard";
import { type ApplyRow, liveFees } from "./logic";
import "./orders.css";

const { Title, Text, Paragraph } = Typography;

interface ApplyValues extends HandlerValues {
  items: ApplyRow[];
}

/** /apply/new: 新证 for a company or for a person. */
export function ApplyChooserPage() {
  const { t } = useI18n();
  return (
    <div className="page" style={{ maxWidth: 720 }}>
      <Title level={3}>{t("apply.chooseTitle")}</Title>
      <Paragraph type="secondary">{t("apply.chooseText")}</Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12}>
          <Link to="/apply/new/company">
            <Card hoverable>
              <Space orientation="vertical">
                <Title level={4} style={{ margin: 0 }}>
                  <BankOutlined /> {t("apply.titleCompany")}
                </Title>
                <Text type="secondary">{t("apply.companyHint")}</Text>
              </Space>
            </Card>
          </Link>
        </Col>
        <Col xs={24} sm={12}>
          <Link to="/apply/new/person">
            <Card hoverable>
              <Space orientation="vertical">
                <Title level={4} style={{ margin: 0 }}>
                  <UserOutlined /> {t("apply.titlePerson")}
                </Title>
                <Text type="secondary">{t("apply.personHint")}</Text>
              </Space>
            </Card>
          </Link>
        </Col>
      </Row>
    </div>
  );
}

/** /apply/new/company and /apply/new/person */
export function ApplyNewPage({ kind }: { kind: SubjectKind }) {
  return (
    <RequireLogin next={`/apply/new/${kind}`}>
      <ApplyForm business="new" kind={kind} order={null} />
    </RequireLogin>
  );
}

/** The 新证 form, new (order null) or editing an existing order (/orders/:id/edit). */
export function ApplyForm({
  business,
  kind,
  order,
}: {
  business: BusinessCode;
  kind: SubjectKind;
  order: OrderDetail | null;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const [form] = Form.useForm<ApplyValues>();
  const { busy, save } = useOrderSave(order);
  const [addFor, setAddFor] = useState<number | null>(null);

  const choices = useSubjectChoices(kind);
  const { subjects, caTypes } = choices;

  const rows = Form.useWatch("items", form) ?? [];
  const fees = useMemo(
    () => liveFees(business, rows, caTypes.data?.caTypes ?? []),
    [business, rows, caTypes.data],
  );
  const demo = (caTypes.data?.caTypes ?? []).filter((c) => c.demoPrices);

  const initialValues: ApplyValues = order
    ? {
        handler: { name: order.handler.name },
        items: order.items.map((i) => ({
          subjectId: i.subject.id,
          caTypeId: i.caType.id,
          years: i.years,
          eseal: i.eseal,
        })),
      }
    : { handler: {}, items: [{ years: 1, eseal: false }] };

  function toInput(values: ApplyValues): OrderInput {
    return {
      business,
      subjectKind: kind,
      handler: handlerInput(values),
      items: values.items.map((r) => ({
        subjectId: r.subjectId ?? "",
        caTypeId: r.caTypeId ?? "",
        years: r.years ?? 1,
        eseal: r.eseal ?? false,
      })),
    };
  }

  async function onSave(submit: boolean) {
    let values: ApplyValues;
    try {
      values = await form.validateFields();
    } catch {
      message.error(t("apply.fixErrors"));
      return;
    }
    await save(submit, toInput(values), (err) => showServerErrors(err, form, onError));
  }

  if (subjects.isError) return <LoadError error={subjects.error} onRetry={() => subjects.refetch()} />;
  if (caTypes.isError) return <LoadError error={caTypes.error} onRetry={() => caTypes.refetch()} />;

  const title = kind === "company" ? t("apply.titleCompany") : t("apply.titlePerson");

  return (
    <div className="page" style={{ maxWidth: 960 }}>
      <ApplyHeading order={order} title={title} />
      {demo.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("apply.demoPrices")}
          description={demo.find((c) => c.priceNotice)?.priceNotice ?? t("apply.demoPricesText")}
        />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={initialValues}
        requiredMark={false}
        scrollToFirstError
      >
        <HandlerCard form={form} order={order} />

        <Card
          title={t("apply.items")}
          style={{ marginBottom: 16 }}
          extra={
            <Link to="/subjects" target="_blank">
              {t("subj.title")}
            </Link>
          }
        >
          <NoSubjectsAlert kind={kind} choices={choices} />
          <Form.List
            name="items"
            rules={[
              {
                validator: async (_r, items: unknown[]) => {
                  if (!items || items.length === 0) throw new Error(t("apply.atLeastOne"));
                },
              },
            ]}
          >
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((field, index) => {
                  const fee = fees.rows[index];
                  return (
                    <Card
                      key={field.key}
                      size="small"
                      type="inner"
                      style={{ marginBottom: 12 }}
                      title={t("apply.itemN", { n: index + 1 })}
                      extra={
                        fields.length > 1 ? <RemoveItemButton onClick={() => remove(field.name)} /> : null
                      }
                    >
                      <Row gutter={12}>
                        <SubjectAndCaTypeCols
                          name={field.name}
                          kind={kind}
                          md={9}
                          choices={choices}
                          onAddSubject={() => setAddFor(index)}
                        />
                        <Col xs={12} md={3}>
                          <Form.Item
                            name={[field.name, "years"]}
                            label={t("apply.years")}
                            rules={[{ required: true, message: t("common.required") }]}
                          >
                            <InputNumber min={1} max={MAX_YEARS} precision={0} style={{ width: "100%" }} />
                          </Form.Item>
                        </Col>
                        <Col xs={12} md={3}>
                          <Form.Item
                            name={[field.name, "eseal"]}
                            label={t("apply.eseal")}
                            valuePropName="checked"
                          >
                            <Checkbox>{t("apply.esealYes")}</Checkbox>
                          </Form.Item>
                        </Col>
                      </Row>
                      <RowFeeLines fee={fee} />
                    </Card>
                  );
                })}
                <Form.ErrorList errors={errors} />
                <Button
                  type="dashed"
                  block
                  icon={<PlusOutlined />}
                  onClick={() => add({ years: 1, eseal: false })}
                  disabled={fields.length >= 20}
                >
                  {t("apply.addItem")}
                </Button>
              </>
            )}
          </Form.List>
        </Card>

        <SubmitBar order={order} total={fees.total} hint={t("apply.totalHint")} busy={busy} onSave={onSave} />
      </Form>
      <AddSubjectModal kind={kind} row={addFor} form={form} onClose={() => setAddFor(null)} />
    </div>
  );
}
