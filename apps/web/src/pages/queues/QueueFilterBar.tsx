import { BUSINESS_CODES, BUSINESS_TYPES, formatFen, parseYuan } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, DatePicker, Form, Input, Popconfirm, Select, Space } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useState } from "react";
import { listCaTypes } from "../../api/orders";
import { getWindows } from "../../api/portal";
import {
  deleteSavedFilter,
  filtersFrom,
  filtersToQuery,
  listSavedFilters,
  type QueueFilters,
  type QueueName,
  saveFilter,
} from "../../api/queues";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";

export type FilterField = "business" | "caType" | "window" | "date" | "range" | "amount" | "mail";

interface Values {
  business?: string;
  caType?: string;
  window?: string;
  date?: Dayjs | null;
  range?: [Dayjs | null, Dayjs | null] | null;
  minYuan?: string;
  maxYuan?: string;
  mail?: string;
  q?: string;
}

const fenToYuan = (fen?: string) => (fen ? formatFen(Number(fen)).replace(/[¥,]/g, "") : undefined);

function toValues(f: QueueFilters): Values {
  return {
    business: f.business,
    caType: f.caType,
    window: f.window,
    date: f.date ? dayjs(f.date) : null,
    range: f.from || f.to ? [f.from ? dayjs(f.from) : null, f.to ? dayjs(f.to) : null] : null,
    minYuan: fenToYuan(f.minFen),
    maxYuan: fenToYuan(f.maxFen),
    mail: f.mail,
    q: f.q,
  };
}

/**
 * A queue's filters (business, CA type, window, dates, amount in yuan, search) and the staff member's
 * saved filters. The filters live in the URL; applying one replaces them there.
 */
export function QueueFilterBar(props: {
  queue: QueueName;
  fields: readonly FilterField[];
  filters: QueueFilters;
  onChange: (f: QueueFilters) => void;
  searchPlaceholder: string;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [saveName, setSaveName] = useState("");
  const has = (f: FilterField) => props.fields.includes(f);
  const caTypes = useQuery({ queryKey: ["ca-types"], queryFn: () => listCaTypes(), enabled: has("caType") });
  const windows = useQuery({ queryKey: ["windows"], queryFn: getWindows, enabled: has("window") });
  const saved = useQuery({
    queryKey: ["saved-filters", props.queue],
    queryFn: () => listSavedFilters(props.queue),
  });
  const key = filtersToQuery(props.filters);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the URL's filters are the form's source
  useEffect(() => form.setFieldsValue(toValues(props.filters)), [key]);

  function apply(v: Values) {
    const amount = (text: string | undefined, field: "minYuan" | "maxYuan") => {
      if (!text?.trim()) return undefined;
      const fen = parseYuan(text.trim());
      if (fen === null) {
        form.setFields([{ name: field, errors: [t("queue.amountInvalid")] }]);
        throw new Error("amount");
      }
      return String(fen);
    };
    let minFen: string | undefined;
    let maxFen: string | undefined;
    try {
      minFen = amount(v.minYuan, "minYuan");
      maxFen = amount(v.maxYuan, "maxYuan");
    } catch {
      return;
    }
    props.onChange({
      ...(props.filters.state ? { state: props.filters.state } : {}),
      business: v.business || undefined,
      caType: v.caType || undefined,
      window: v.window || undefined,
      date: v.date ? v.date.format("YYYY-MM-DD") : undefined,
      from: v.range?.[0] ? v.range[0].format("YYYY-MM-DD") : undefined,
      to: v.range?.[1] ? v.range[1].format("YYYY-MM-DD") : undefined,
      minFen,
      maxFen,
      mail: v.mail || undefined,
      q: v.q?.trim() || undefined,
    });
  }

  async function save() {
    try {
      await saveFilter(props.queue, saveName.trim(), key);
      setSaveName("");
      message.success(t("queue.filterSaved"));
      await queryClient.invalidateQueries({ queryKey: ["saved-filters", props.queue] });
    } catch (err) {
      onError(err);
    }
  }

  return (
    <Form<Values> form={form} layout="inline" onFinish={apply} style={{ rowGap: 8, marginBottom: 12 }}>
      {has("business") ? (
        <Form.Item name="business">
          <Select
            allowClear
            placeholder={t("queue.business")}
            style={{ width: 150 }}
            options={BUSINESS_CODES.map((c) => ({ value: c, label: BUSINESS_TYPES[c].name }))}
          />
        </Form.Item>
      ) : null}
      {has("caType") ? (
        <Form.Item name="caType">
          <Select
            allowClear
            placeholder={t("queue.caType")}
            style={{ width: 180 }}
            options={(caTypes.data?.caTypes ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
      ) : null}
      {has("window") ? (
        <Form.Item name="window">
          <Select
            allowClear
            placeholder={t("queue.window")}
            style={{ width: 140 }}
            options={(windows.data?.windows ?? []).map((w) => ({ value: w.id, label: w.city }))}
          />
        </Form.Item>
      ) : null}
      {has("date") ? (
        <Form.Item name="date">
          <DatePicker placeholder={t("queue.date")} />
        </Form.Item>
      ) : null}
      {has("range") ? (
        <Form.Item name="range">
          <DatePicker.RangePicker allowEmpty={[true, true]} placeholder={[t("queue.from"), t("queue.to")]} />
        </Form.Item>
      ) : null}
      {has("amount") ? (
        <>
          <Form.Item name="minYuan">
            <Input placeholder={t("queue.minYuan")} style={{ width: 110 }} maxLength={12} />
          </Form.Item>
          <Form.Item name="maxYuan">
            <Input placeholder={t("queue.maxYuan")} style={{ width: 110 }} maxLength={12} />
          </Form.Item>
        </>
      ) : null}
      {has("mail") ? (
        <Form.Item name="mail">
          <Select
            allowClear
            placeholder={t("queue.mail")}
            style={{ width: 120 }}
            options={[
              { value: "expected", label: t("queue.mail.expected") },
              { value: "received", label: t("queue.mail.received") },
            ]}
          />
        </Form.Item>
      ) : null}
      <Form.Item name="q">
        <Input allowClear placeholder={props.searchPlaceholder} style={{ width: 260 }} maxLength={60} />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t("queue.apply")}
          </Button>
          <Select
            placeholder={t("queue.saved")}
            style={{ width: 150 }}
            value={null}
            options={(saved.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            onChange={(id) => {
              const s = saved.data?.find((x) => x.id === id);
              if (s) props.onChange(filtersFrom(new URLSearchParams(s.query)));
            }}
            optionRender={(o) => (
              <Space style={{ justifyContent: "space-between", width: "100%" }}>
                {o.label}
                <Popconfirm
                  title={t("queue.deleteFilter")}
                  onConfirm={async () => {
                    await deleteSavedFilter(props.queue, String(o.value)).catch(onError);
                    await queryClient.invalidateQueries({ queryKey: ["saved-filters", props.queue] });
                  }}
                >
                  <Button size="small" type="link" danger onClick={(e) => e.stopPropagation()}>
                    {t("common.delete")}
                  </Button>
                </Popconfirm>
              </Space>
            )}
          />
          <Space.Compact>
            <Input
              placeholder={t("queue.saveName")}
              value={saveName}
              onChange={(e) => setSaveName(e.target.value)}
              maxLength={30}
              style={{ width: 120 }}
            />
            <Button disabled={!saveName.trim()} onClick={() => void save()}>
              {t("queue.saveFilter")}
            </Button>
          </Space.Compact>
        </Space>
      </Form.Item>
    </Form>
  );
}
