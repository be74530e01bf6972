import { BankOutlined, DeleteOutlined, PlusOutlined, UserOutlined } from "@ant-design/icons";
import { type BusinessCode, formatFen, MAX_YEARS } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Divider,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Typography,
} from "antd";
import { useEffect, useMemo, useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { ApiError } from "../../api/client";
import {
  createOrder,
  getHandler,
  getOrder,
  type HandlerInput,
  listCaTypes,
  listHandlers,
  listSubjects,
  type OrderDetail,
  type OrderInput,
  orderStep,
  type SubjectKind,
  updateOrder,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { mobileRule } from "../../components/fields";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { idCardRule, normalizeCode, SubjectFormModal } from "../subjects/SubjectForm";
import { subjectKeys } from "../subjects/SubjectsPage";
import { type ApplyRow, fieldPath, liveFees, newClientToken } from "./logic";
import { orderKeys } from "./queries";
import "./orders.css";

const { Title, Text, Paragraph } = Typography;

interface ApplyValues {
  handlerId?: string;
  handler: Partial<HandlerInput>;
  items: ApplyRow[];
}

function RequireLogin({ next, children }: { next: string; children: React.ReactNode }) {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  return <>{children}</>;
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

/** /orders/:id/edit — 【查看订单信息】: the same form on an existing order while the machine allows edits. */
export function EditOrderPage() {
  const { id = "" } = useParams();
  return (
    <RequireLogin next={`/orders/${id}/edit`}>
      <EditOrderLoader id={id} />
    </RequireLogin>
  );
}

function EditOrderLoader({ id }: { id: string }) {
  const order = useQuery({ queryKey: orderKeys.detail(id), queryFn: () => getOrder(id) });
  if (order.isPending) return <PageLoading />;
  if (order.isError) return <LoadError error={order.error} onRetry={() => order.refetch()} />;
  const o = order.data;
  return <ApplyForm business={o.business as BusinessCode} kind={o.subjectKind as SubjectKind} order={o} />;
}

/** Puts server field problems ("handler.idNumber", "items.1.caTypeId") on their nested inputs. */
// biome-ignore lint/suspicious/noExplicitAny: server paths are checked at run time, not against the form type
function showServerErrors(err: unknown, form: FormInstance<any>, fallback: (e: unknown) => void) {
  if (!(err instanceof ApiError) || err.status === 401 || err.status === 403) return fallback(err);
  const problems =
    err.errors.length > 0 ? err.errors : err.field ? [{ field: err.field, message: err.detail }] : [];
  const placed = problems.filter((p) => {
    const path = fieldPath(p.field);
    return path.length > 0 && (path[0] === "handler" || path[0] === "items") && path.length > 1;
  });
  if (placed.length > 0) {
    form.setFields(placed.map((p) => ({ name: fieldPath(p.field), errors: [p.message] })));
    form.scrollToField(fieldPath(placed[0]!.field));
  }
  if (placed.length < problems.length || problems.length === 0)
    fallback(new ApiError({ ...err, errors: [] }));
}

function ApplyForm({
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
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ApplyValues>();
  // One token per form: a double click on 提交订单 reaches the server twice with the same token,
  // and the server answers both with the one order it made.
  const [clientToken] = useState(newClientToken);
  const [busy, setBusy] = useState<"draft" | "submit" | null>(null);
  const [addFor, setAddFor] = useState<number | null>(null);

  const subjects = useQuery({
    queryKey: subjectKeys.list(kind, false, ""),
    queryFn: () => listSubjects({ kind, archived: false }),
  });
  const caTypes = useQuery({ queryKey: ["catalog", "ca-types", kind], queryFn: () => listCaTypes(kind) });
  const handlers = useQuery({ queryKey: ["handlers"], queryFn: listHandlers });

  const rows = Form.useWatch("items", form) ?? [];
  const fees = useMemo(
    () => liveFees(business, rows, caTypes.data?.caTypes ?? []),
    [business, rows, caTypes.data],
  );
  const demo = (caTypes.data?.caTypes ?? []).filter((c) => c.demoPrices);

  // Pre-fill the handler: the order's own (edit) or the most recently used one (new order).
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per handler list; fillHandler and form are stable enough
  useEffect(() => {
    if (!handlers.data) return;
    const list = handlers.data.handlers;
    const pick = order
      ? list.find(
          (h) =>
            h.name === order.handler.name &&
            h.idNumberMasked === order.handler.idNumber &&
            h.phoneMasked === order.handler.phone,
        )
      : list[0];
    if (pick && !handlerTyped()) void fillHandler(pick.id, true);
  }, [handlers.data, order]);

  // An edited order starts with its handler's name (the rest is masked), so only a new order counts it.
  function handlerTyped() {
    const keys = order ? (["idNumber", "phone"] as const) : (["name", "idNumber", "phone"] as const);
    return keys.some((k) => !!form.getFieldValue(["handler", k]));
  }

  /** `prefill`: the automatic one, which must not overwrite what the applicant typed while it loaded. */
  async function fillHandler(id: string, prefill = false) {
    try {
      const { handler } = await getHandler(id);
      if (prefill && handlerTyped()) return;
      form.setFieldsValue({
        handlerId: id,
        handler: { name: handler.name, idNumber: handler.idNumber, phone: handler.phone },
      });
    } catch (err) {
      onError(err);
    }
  }

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
      handler: {
        name: (values.handler.name ?? "").trim(),
        idNumber: values.handler.idNumber ?? "",
        phone: values.handler.phone ?? "",
      },
      items: values.items.map((r) => ({
        subjectId: r.subjectId ?? "",
        caTypeId: r.caTypeId ?? "",
        years: r.years ?? 1,
        eseal: r.eseal ?? false,
      })),
    };
  }

  async function save(submit: boolean) {
    let values: ApplyValues;
    try {
      values = await form.validateFields();
    } catch {
      message.error(t("apply.fixErrors"));
      return;
    }
    setBusy(submit ? "submit" : "draft");
    try {
      const input = toInput(values);
      let saved: OrderDetail;
      if (!order) {
        saved = await createOrder({ ...input, clientToken, submit });
      } else {
        saved = await updateOrder(order.id, { ...input, version: order.version });
        if (submit && saved.actions.includes("submit")) {
          saved = await orderStep(order.id, "submit", { version: saved.version });
        }
      }
      queryClient.setQueryData(orderKeys.detail(saved.id), saved);
      await queryClient.invalidateQueries({ queryKey: orderKeys.lists });
      await queryClient.invalidateQueries({ queryKey: ["handlers"] });
      message.success(submit ? t("apply.submitted", { no: saved.orderNo }) : t("apply.draftSaved"));
      navigate(`/orders/${saved.id}`);
    } catch (err) {
      showServerErrors(err, form, onError);
    } finally {
      setBusy(null);
    }
  }

  if (subjects.isError) return <LoadError error={subjects.error} onRetry={() => subjects.refetch()} />;
  if (caTypes.isError) return <LoadError error={caTypes.error} onRetry={() => caTypes.refetch()} />;

  const title = kind === "company" ? t("apply.titleCompany") : t("apply.titlePerson");
  const canSubmit = !order || order.actions.includes("submit");
  const subjectOptions = (subjects.data?.subjects ?? []).map((s) => ({
    value: s.id,
    label: `${s.name}（${s.kind === "company" ? s.uscc : s.idNumberMasked}）`,
  }));
  const caTypeOptions = (caTypes.data?.caTypes ?? []).map((c) => ({ value: c.id, label: c.name }));

  return (
    <div className="page" style={{ maxWidth: 960 }}>
      <Title level={3} style={{ marginTop: 0 }}>
        {order ? t("apply.editTitle", { no: order.orderNo }) : title}
      </Title>
      {order?.state === "returned" && order.lastNote ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("order.returnedReason")}
          description={order.lastNote}
        />
      ) : null}
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
        <Card title={t("apply.handler")} style={{ marginBottom: 16 }}>
          <Paragraph type="secondary">{t("apply.handlerHint")}</Paragraph>
          {(handlers.data?.handlers.length ?? 0) > 0 ? (
            <Form.Item name="handlerId" label={t("apply.pickHandler")}>
              <Select
                allowClear
                placeholder={t("apply.pickHandlerPlaceholder")}
                onChange={(id?: string) => (id ? void fillHandler(id) : undefined)}
                options={handlers.data?.handlers.map((h) => ({
                  value: h.id,
                  label: `${h.name} · ${h.idNumberMasked} · ${h.phoneMasked}`,
                }))}
              />
            </Form.Item>
          ) : null}
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item
                name={["handler", "name"]}
                label={t("apply.handlerName")}
                rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: 100 }]}
              >
                <Input maxLength={100} autoComplete="name" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item
                name={["handler", "idNumber"]}
                label={t("subj.idNumber")}
                rules={[idCardRule]}
                validateTrigger={["onChange", "onBlur"]}
                normalize={normalizeCode}
              >
                <Input maxLength={18} autoComplete="off" placeholder={t("subj.idPlaceholder")} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item
                name={["handler", "phone"]}
                label={t("apply.handlerPhone")}
                rules={[mobileRule]}
                validateTrigger={["onChange", "onBlur"]}
                normalize={(v: string) => v.replace(/\s+/g, "")}
              >
                <Input
                  inputMode="tel"
                  maxLength={11}
                  autoComplete="tel"
                  placeholder={t("field.phonePlaceholder")}
                />
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Card
          title={t("apply.items")}
          style={{ marginBottom: 16 }}
          extra={
            <Link to="/subjects" target="_blank">
              {t("subj.title")}
            </Link>
          }
        >
          {subjectOptions.length === 0 && !subjects.isPending ? (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title={kind === "company" ? t("apply.noCompany") : t("apply.noPerson")}
            />
          ) : null}
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
                        fields.length > 1 ? (
                          <Button
                            type="text"
                            danger
                            size="small"
                            icon={<DeleteOutlined />}
                            onClick={() => remove(field.name)}
                          >
                            {t("common.delete")}
                          </Button>
                        ) : null
                      }
                    >
                      <Row gutter={12}>
                        <Col xs={24} md={9}>
                          <Form.Item
                            name={[field.name, "subjectId"]}
                            label={kind === "company" ? t("subj.company") : t("subj.person")}
                            rules={[{ required: true, message: t("apply.pickSubject") }]}
                          >
                            <Select
                              showSearch={{ optionFilterProp: "label" }}
                              loading={subjects.isPending}
                              placeholder={t("apply.pickSubject")}
                              options={subjectOptions}
                              popupRender={(menu) => (
                                <>
                                  {menu}
                                  <Divider style={{ margin: "4px 0" }} />
                                  <Button
                                    type="link"
                                    icon={<PlusOutlined />}
                                    onClick={() => setAddFor(index)}
                                  >
                                    {t("subj.add")}
                                  </Button>
                                </>
                              )}
                            />
                          </Form.Item>
                        </Col>
                        <Col xs={24} md={9}>
                          <Form.Item
                            name={[field.name, "caTypeId"]}
                            label={t("apply.caType")}
                            rules={[{ required: true, message: t("apply.pickCaType") }]}
                          >
                            <Select
                              loading={caTypes.isPending}
                              placeholder={t("apply.pickCaType")}
                              options={caTypeOptions}
                            />
                          </Form.Item>
                        </Col>
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
                      {fee && fee.lines.length > 0 ? (
                        <div className="fee-lines">
                          {fee.lines.map((l) => (
                            <span key={l.code}>
                              {l.labelZh} {formatFen(l.amount)}
                            </span>
                          ))}
                          <Text strong>
                            {t("apply.rowTotal")} {formatFen(fee.total)}
                          </Text>
                        </div>
                      ) : null}
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

        <Card>
          <Row align="middle" gutter={[16, 16]} justify="space-between">
            <Col xs={24} md={10}>
              <Text>{t("apply.total")}</Text>{" "}
              <Text strong style={{ fontSize: 24, color: "#cf1322" }} data-testid="order-total">
                {formatFen(fees.total)}
              </Text>
              <div>
                <Text type="secondary">{t("apply.totalHint")}</Text>
              </div>
            </Col>
            <Col xs={24} md={14} style={{ textAlign: "right" }}>
              <Space wrap style={{ justifyContent: "flex-end" }}>
                {order ? (
                  <Button onClick={() => navigate(`/orders/${order.id}`)}>{t("common.cancel")}</Button>
                ) : null}
                <Button onClick={() => save(false)} loading={busy === "draft"} disabled={busy === "submit"}>
                  {order ? t("apply.saveChanges") : t("apply.saveDraft")}
                </Button>
                {canSubmit ? (
                  <Button
                    type="primary"
                    onClick={() => save(true)}
                    loading={busy === "submit"}
                    disabled={busy === "draft"}
                  >
                    {t("apply.submit")}
                  </Button>
                ) : null}
              </Space>
            </Col>
          </Row>
        </Card>
      </Form>
      <SubjectFormModal
        open={addFor !== null}
        fixedKind={kind}
        onClose={() => setAddFor(null)}
        onSaved={async (s) => {
          const row = addFor;
          setAddFor(null);
          await queryClient.invalidateQueries({ queryKey: subjectKeys.all });
          if (row !== null) form.setFieldValue(["items", row, "subjectId"], s.id);
        }}
      />
    </div>
  );
}
