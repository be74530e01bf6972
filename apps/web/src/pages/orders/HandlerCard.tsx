import { useQuery } from "@tanstack/react-query";
import { Card, Col, Form, type FormInstance, Input, Row, Select, Typography } from "antd";
import { useEffect } from "react";
import { Navigate } from "react-router";
import { ApiError } from "../../api/client";
import { getHandler, type HandlerInput, listHandlers, type OrderDetail } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { mobileRule } from "../../components/fields";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { idCardRule, normalizeCode } from "../subjects/SubjectForm";
import { nestedHandlerOrItem, placeProblems, type ResolveField } from "./form-errors";

const { Paragraph } = Typography;

/** The 经办人 part of every apply form (新证 and the other businesses). */
export interface HandlerValues {
  handlerId?: string;
  handler: Partial<HandlerInput>;
}

export function handlerInput(values: HandlerValues): HandlerInput {
  return {
    name: (values.handler?.name ?? "").trim(),
    idNumber: values.handler?.idNumber ?? "",
    phone: values.handler?.phone ?? "",
  };
}

/** Apply pages need an account: send the visitor to log in and come back. */
export function RequireLogin({ next, children }: { next: string; children: React.ReactNode }) {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  return <>{children}</>;
}

/**
 * Puts server field problems ("handler.idNumber", "items.1.caTypeId") on their nested inputs; what has
 * no input goes to `fallback` (a toast). `resolve` says which server paths the form shows.
 */
export function showServerErrors(
  err: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: server paths are checked at run time, not against the form type
  form: FormInstance<any>,
  fallback: (e: unknown) => void,
  resolve: ResolveField = nestedHandlerOrItem,
) {
  if (!(err instanceof ApiError) || err.status === 401 || err.status === 403) return fallback(err);
  const { placed, rest } = placeProblems(err, resolve);
  if (placed.length > 0) {
    form.setFields(placed.map((p) => ({ name: p.name, errors: p.errors })));
    form.scrollToField(placed[0]!.name);
  }
  if (rest) fallback(new ApiError({ ...err, errors: [] }));
}

/**
 * 经办人: pick a remembered handler or type one. Pre-fills the order's own handler (edit) or the most
 * recently used one (new order), without overwriting what the applicant typed meanwhile. Must sit
 * inside the form whose values extend HandlerValues.
 */
export function HandlerCard({
  form,
  order,
}: {
  // biome-ignore lint/suspicious/noExplicitAny: any form whose values extend HandlerValues
  form: FormInstance<any>;
  order: Pick<OrderDetail, "handler"> | null;
}) {
  const { t } = useI18n();
  const onError = useApiError();
  const handlers = useQuery({ queryKey: ["handlers"], queryFn: listHandlers });

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

  return (
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
  );
}
