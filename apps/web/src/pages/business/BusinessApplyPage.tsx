import { PlusOutlined } from "@ant-design/icons";
import { BUSINESS_TYPES, MAX_ITEMS } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Form, type FormInstance, Typography } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, Navigate, useLocation, useParams, useSearchParams } from "react-router";
import { listCandidates, listCaTypes, type OrderDetail, type SubjectKind } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { NotFound } from "../../app/NotFound";
import { useApiError } from "../../app/useApiError";
import { displaySerials } from "../../lib/serial";
import { ApplyHeading, RemoveItemButton, RowFeeLines, SubmitBar, useOrderSave } from "../orders/ApplyParts";
import { resolveAmong } from "../orders/form-errors";
import {
  HandlerCard,
  type HandlerValues,
  handlerInput,
  RequireLogin,
  showServerErrors,
} from "../orders/HandlerCard";
import { BUSINESS_DESCRIPTIONS_EN } from "../portal/business-en";
import { BUSINESS_FORMS } from "./businesses";
import type { BusinessRow, CertPick, OwnTargetCode } from "./businesses/define";
import { CandidatePicker } from "./CandidatePicker";
import { CertSummary } from "./CertSummary";
import {
  businessFees,
  checkRows,
  isOwnTargetBusiness,
  isZeroBusiness,
  kindOfPicks,
  knownFields,
  newRow,
  pickFromCandidate,
  pickFromOrderItem,
  rowsFromOrder,
  toBusinessInput,
} from "./logic";
import { VendorSwapPage } from "./VendorSwapPage";
import "../orders/orders.css";

const { Text } = Typography;

interface BusinessValues extends HandlerValues {
  items: BusinessRow[];
  confirmed?: boolean;
}

/** /business/:code — the apply page of every business but 新证 (its own pages) and vendor_swap (own form). */
export function BusinessApplyPage() {
  const { code } = useParams();
  const location = useLocation();
  if (code === "new") return <Navigate to="/apply/new" replace />;
  if (code === "vendor_swap") return <VendorSwapPage />;
  if (!isOwnTargetBusiness(code)) return <NotFound />;
  return (
    <RequireLogin next={location.pathname + location.search}>
      <BusinessForm business={code} order={null} />
    </RequireLogin>
  );
}

/**
 * The form of the seven businesses that act on the account's own certificates: 经办人, then
 * 【添加其他证书】 and per certificate what the business asks; live fees; the order-level confirmation
 * box of 换证 and 注销. `order` = editing (查看订单信息) an existing order.
 */
export function BusinessForm({ business, order }: { business: OwnTargetCode; order: OrderDetail | null }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const [params] = useSearchParams();
  const info = BUSINESS_TYPES[business];
  const def = BUSINESS_FORMS[business];
  const [form] = Form.useForm<BusinessValues>();
  const { busy, save } = useOrderSave(order);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [certs, setCerts] = useState<ReadonlyMap<string, CertPick>>(() => {
    const picks = (order?.items ?? []).map(pickFromOrderItem).filter((p): p is CertPick => p !== null);
    return new Map(picks.map((p) => [p.serialHex, p]));
  });
  const [preselectProblem, setPreselectProblem] = useState<string | null>(null);
  const caTypes = useQuery({ queryKey: ["catalog", "ca-types", "all"], queryFn: () => listCaTypes() });

  const rows: (BusinessRow | undefined)[] = Form.useWatch("items", form) ?? [];
  const picks = rows.flatMap((r) => {
    const c = r ? certs.get(r.certificateSerial) : undefined;
    return c ? [c] : [];
  });
  const kind: SubjectKind | null = order ? (order.subjectKind as SubjectKind) : kindOfPicks(picks);
  const chosen = useMemo(() => new Set(rows.flatMap((r) => (r ? [r.certificateSerial] : []))), [rows]);
  const fees = useMemo(
    () => businessFees(business, rows, certs, caTypes.data?.caTypes ?? []),
    [business, rows, certs, caTypes.data],
  );
  const zero = isZeroBusiness(business);

  function addPicks(more: CertPick[]) {
    if (more.length === 0) return;
    setCerts((m) => new Map([...m, ...more.map((p) => [p.serialHex, p] as const)]));
    const current: BusinessRow[] = form.getFieldValue("items") ?? [];
    const fresh = more.filter((p) => !current.some((r) => r.certificateSerial === p.serialHex));
    form.setFieldValue("items", [...current, ...fresh.map((p) => newRow(business, p))]);
    void form.validateFields([["items"]]).catch(() => undefined);
  }

  // ?serial=<hex>[&serial=…] (the wallet's 「去延期」 and 「一起延期」): the certificates come preselected
  // when this business may act on them; the others are named with the server's reason.
  const preselect = order ? [] : params.getAll("serial");
  const preselected = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per page load
  useEffect(() => {
    if (preselect.length === 0 || preselected.current) return;
    preselected.current = true;
    const serials = [...new Set(preselect.map((s) => s.trim().toLowerCase()))].slice(0, MAX_ITEMS);
    Promise.all(serials.map((serial) => listCandidates(business, serial)))
      .then((answers) => {
        const picks: CertPick[] = [];
        const problems: string[] = [];
        answers.forEach((res, i) => {
          const c = res.certificates.find((x) => x.serialHex === serials[i]);
          if (!c) problems.push(t("biz.preselectMissing"));
          else if (!c.eligible) problems.push(displaySerials(c.problem ?? t("biz.preselectMissing")));
          else picks.push(pickFromCandidate(c));
        });
        if (problems.length > 0) setPreselectProblem([...new Set(problems)].join("；"));
        addPicks(picks);
      })
      .catch(onError);
  }, [preselect.join(",")]);

  const initialValues: BusinessValues = order
    ? { handler: { name: order.handler.name }, items: rowsFromOrder(order), confirmed: !!order.confirmed }
    : { handler: {}, items: [], confirmed: false };

  async function onSave(submit: boolean) {
    try {
      await form.validateFields();
    } catch {
      message.error(t("apply.fixErrors"));
      return;
    }
    const values = form.getFieldsValue(true) as BusinessValues;
    const items = values.items ?? [];
    const local = checkRows(business, items, certs);
    if (local.length > 0) {
      // Paths built from the row index; the form's own type cannot spell them.
      (form as FormInstance).setFields(local);
      form.scrollToField(local[0]!.name);
      message.error(t("apply.fixErrors"));
      return;
    }
    if (!kind) {
      message.error(t("biz.pickAtLeastOne"));
      return;
    }
    const input = toBusinessInput(business, kind, handlerInput(values), items, !!values.confirmed);
    await save(submit, input, (err) =>
      showServerErrors(err, form, onError, resolveAmong(knownFields(business, items.length))),
    );
  }

  const name = lang === "zh" ? info.name : info.nameEn;
  const addLabel = t(def.addLabel);

  return (
    <div className="page" style={{ maxWidth: 960 }}>
      <ApplyHeading
        order={order}
        title={name}
        description={lang === "zh" ? info.description : BUSINESS_DESCRIPTIONS_EN[business]}
      />
      {preselectProblem ? (
        <Alert
          type="warning"
          showIcon
          closable
          style={{ marginBottom: 16 }}
          title={t("biz.preselectFailed")}
          description={preselectProblem}
          onClose={() => setPreselectProblem(null)}
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
          title={t("biz.items")}
          style={{ marginBottom: 16 }}
          extra={
            <Link to="/certificates" target="_blank">
              {t("nav.certificates")}
            </Link>
          }
        >
          <Form.List
            name="items"
            rules={[
              {
                validator: async (_r, items: unknown[]) => {
                  if (!items || items.length === 0) throw new Error(t("biz.pickAtLeastOne"));
                },
              },
            ]}
          >
            {(fields, { remove }, { errors }) => (
              <>
                {fields.map((field, index) => {
                  const row = rows[index];
                  const cert = row ? certs.get(row.certificateSerial) : undefined;
                  const fee = fees.rows[index];
                  return (
                    <Card
                      key={field.key}
                      size="small"
                      type="inner"
                      style={{ marginBottom: 12 }}
                      title={
                        cert
                          ? t("biz.itemTitle", { n: index + 1, name: cert.subjectName })
                          : t("apply.itemN", { n: index + 1 })
                      }
                      extra={<RemoveItemButton onClick={() => remove(field.name)} />}
                    >
                      <Form.Item name={[field.name, "certificateSerial"]} style={{ marginBottom: 12 }}>
                        <CertSummary certs={certs} showMedia={def.showMedia} />
                      </Form.Item>
                      <def.Fields name={field.name} row={row} cert={cert} form={form} />
                      <RowFeeLines fee={fee} unknown={fee?.unknown} showZero />
                    </Card>
                  );
                })}
                <Form.ErrorList errors={errors} />
                <Button
                  type="dashed"
                  block
                  icon={<PlusOutlined />}
                  onClick={() => setPickerOpen(true)}
                  disabled={fields.length >= 20}
                >
                  {addLabel}
                </Button>
              </>
            )}
          </Form.List>
        </Card>

        {info.confirmation ? (
          <Card style={{ marginBottom: 16 }}>
            <Form.Item
              name="confirmed"
              valuePropName="checked"
              style={{ marginBottom: 0 }}
              rules={[
                {
                  validator: async (_r, v: boolean) => {
                    if (!v) throw new Error(t("biz.confirmRequired", { box: info.confirmation ?? "" }));
                  },
                },
              ]}
            >
              <Checkbox>
                <Text strong>【{info.confirmation}】</Text> {def.confirmText ? t(def.confirmText) : null}
              </Checkbox>
            </Form.Item>
          </Card>
        ) : null}

        <SubmitBar
          order={order}
          total={fees.total}
          hint={zero ? t("biz.zeroHint") : fees.unknown ? t("biz.feeUnknownTotal") : t("biz.totalHint")}
          busy={busy}
          onSave={onSave}
        />
      </Form>
      <CandidatePicker
        business={business}
        open={pickerOpen}
        kind={kind}
        chosen={chosen}
        onClose={() => setPickerOpen(false)}
        onAdd={addPicks}
      />
    </div>
  );
}
