import { PlusOutlined } from "@ant-design/icons";
import { formatFen, parseYuan } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Col,
  Form,
  Grid,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import {
  type CaType,
  type CaTypeFields,
  createCaType,
  listAllCaTypes,
  listCaProfiles,
  PRICE_KEYS,
  pricesFromYuan,
  pricesToYuan,
  profileOptions,
  type SubjectKind,
  updateCaType,
  type YuanPrices,
} from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";
import { RenewalWindowCard } from "./RenewalWindowCard";

const CATALOG_KEY = ["admin", "catalog"] as const;

interface FormValues {
  code: string;
  name: string;
  description: string;
  subjectKind: SubjectKind;
  profile: string;
  prices: YuanPrices;
  demoPrices: boolean;
  active: boolean;
  sortOrder: number;
}

const fieldsOf = (c: CaType): CaTypeFields => ({
  name: c.name,
  description: c.description,
  subjectKind: c.subjectKind,
  profile: c.profile,
  prices: c.prices,
  demoPrices: c.demoPrices,
  active: c.active,
  sortOrder: c.sortOrder,
});

/**
 * CA 类型与价格: the products on sale, each on a CA profile, fees edited in yuan and stored in fen; below
 * them the renewal window (延期办理窗口), the other admin-set rule of what applicants may order.
 */
export function CatalogPage() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: CATALOG_KEY, queryFn: listAllCaTypes });
  const [editing, setEditing] = useState<CaType | "new" | null>(null);
  const [saving, setSaving] = useState(false);
  const [toggling, setToggling] = useState<string | null>(null);
  const [form] = Form.useForm<FormValues>();
  const kind = Form.useWatch("subjectKind", form);
  // The profiles come from the server per subject kind (catalog.routes.ts), not from the types on sale,
  // so a profile no type uses yet can be chosen for the first one.
  const profilesQ = useQuery({
    queryKey: [...CATALOG_KEY, "profiles", kind],
    queryFn: () => listCaProfiles(kind as SubjectKind),
    enabled: editing !== null && (kind === "company" || kind === "person"),
    staleTime: 5 * 60_000,
  });

  function open(row: CaType | "new") {
    setEditing(row);
    form.resetFields();
    if (row === "new") {
      form.setFieldsValue({
        subjectKind: "company",
        demoPrices: true,
        active: true,
        sortOrder: (q.data?.length ?? 0) * 10 + 10,
        prices: pricesToYuan({
          certFee: 0,
          mediaFee: 0,
          annualFee: 0,
          esealFee: 0,
          changeFee: 0,
          reissueFee: 0,
          replaceFee: 0,
        }),
      });
    } else {
      form.setFieldsValue({ ...fieldsOf(row), code: row.code, prices: pricesToYuan(row.prices) });
    }
  }

  async function save(v: FormValues) {
    const parsed = pricesFromYuan(v.prices);
    if (!parsed.ok) {
      form.setFields([{ name: ["prices", parsed.bad as keyof YuanPrices], errors: [t("catalog.yuanRule")] }]);
      return;
    }
    const fields: CaTypeFields = {
      name: v.name.trim(),
      description: (v.description ?? "").trim(),
      subjectKind: v.subjectKind,
      profile: v.profile,
      prices: parsed.prices,
      demoPrices: v.demoPrices,
      active: v.active,
      sortOrder: v.sortOrder ?? 0,
    };
    setSaving(true);
    try {
      if (editing === "new") {
        await createCaType({ ...fields, code: v.code.trim() });
        message.success(t("catalog.created", { name: fields.name }));
      } else if (editing) {
        await updateCaType(editing.id, fields);
        message.success(t("catalog.saved", { name: fields.name }));
      }
      await queryClient.invalidateQueries({ queryKey: CATALOG_KEY });
      setEditing(null);
    } catch (err) {
      onError(err, form);
    } finally {
      setSaving(false);
    }
  }

  async function toggleActive(row: CaType, active: boolean) {
    setToggling(row.id);
    try {
      await updateCaType(row.id, { ...fieldsOf(row), active });
      await queryClient.invalidateQueries({ queryKey: CATALOG_KEY });
      message.success(t("catalog.saved", { name: row.name }));
    } catch (err) {
      onError(err);
    } finally {
      setToggling(null);
    }
  }

  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;
  // An edited type keeps its profile in the list while its kind is unchanged.
  const currentProfile =
    editing && editing !== "new" && editing.subjectKind === kind ? editing.profile : undefined;
  const profiles = profileOptions(profilesQ.data ?? [], currentProfile);

  return (
    <>
      <Card
        title={t("catalog.title")}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open("new")}>
            {t("catalog.add")}
          </Button>
        }
        styles={{ body: { padding: screens.md ? 24 : 8 } }}
      >
        <Table<CaType>
          rowKey="id"
          loading={q.isPending}
          dataSource={q.data}
          pagination={false}
          scroll={{ x: 1100 }}
          size={screens.md ? "middle" : "small"}
          columns={[
            {
              title: t("catalog.name"),
              dataIndex: "name",
              render: (v: string, row) => (
                <Space orientation="vertical" size={0}>
                  <Typography.Text strong>{v}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {row.code}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t("catalog.kind"),
              dataIndex: "subjectKind",
              render: (k: SubjectKind) =>
                k === "person" ? t("sorder.kind.person") : t("sorder.kind.company"),
            },
            { title: t("catalog.profile"), dataIndex: "profileName" },
            ...(["certFee", "mediaFee", "annualFee", "esealFee"] as const).map((k) => ({
              title: t(`catalog.price.${k}`),
              key: k,
              align: "right" as const,
              render: (_: unknown, row: CaType) => formatFen(row.prices[k]),
            })),
            {
              title: t("catalog.demo"),
              dataIndex: "demoPrices",
              render: (d: boolean) => (d ? <Tag color="orange">{t("catalog.demo")}</Tag> : null),
            },
            {
              title: t("catalog.active"),
              dataIndex: "active",
              render: (a: boolean, row) => (
                <Switch
                  checked={a}
                  loading={toggling === row.id}
                  checkedChildren={t("catalog.onSale")}
                  unCheckedChildren={t("catalog.offSale")}
                  onChange={(v) => toggleActive(row, v)}
                />
              ),
            },
            {
              title: t("sorder.updatedAt"),
              dataIndex: "updatedAt",
              render: (v: string) => <span style={{ whiteSpace: "nowrap" }}>{formatDateTime(v)}</span>,
            },
            {
              title: t("common.actions"),
              key: "actions",
              fixed: "right",
              render: (_: unknown, row) => (
                <Button size="small" onClick={() => open(row)}>
                  {t("common.edit")}
                </Button>
              ),
            },
          ]}
        />
        <Modal
          open={editing !== null}
          title={
            editing === "new"
              ? t("catalog.add")
              : editing
                ? t("catalog.editTitle", { name: editing.name })
                : ""
          }
          onCancel={() => setEditing(null)}
          onOk={() => form.submit()}
          okText={t("common.save")}
          confirmLoading={saving}
          width={720}
          forceRender
        >
          <Form<FormValues> form={form} layout="vertical" requiredMark={false} onFinish={save}>
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item
                  name="code"
                  label={t("catalog.code")}
                  extra={t("catalog.codeRule")}
                  rules={[
                    { required: true, message: t("common.required") },
                    { pattern: /^[a-z][a-z0-9-]{1,39}$/, message: t("catalog.codeRule") },
                  ]}
                >
                  <Input disabled={editing !== "new"} maxLength={40} autoComplete="off" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item
                  name="name"
                  label={t("catalog.name")}
                  rules={[{ required: true, whitespace: true, message: t("common.required") }]}
                >
                  <Input maxLength={100} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="subjectKind" label={t("catalog.kind")} rules={[{ required: true }]}>
                  <Select
                    // Profiles differ per kind: a company profile is never valid for a person type.
                    onChange={() => form.setFieldValue("profile", undefined)}
                    options={[
                      { value: "company", label: t("sorder.kind.company") },
                      { value: "person", label: t("sorder.kind.person") },
                    ]}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item
                  name="profile"
                  label={t("catalog.profile")}
                  extra={t("catalog.profileHint")}
                  rules={[{ required: true, message: t("common.required") }]}
                >
                  <Select options={profiles} loading={profilesQ.isFetching} />
                </Form.Item>
              </Col>
              <Col span={24}>
                <Form.Item name="description" label={t("catalog.description")}>
                  <Input.TextArea rows={2} maxLength={500} />
                </Form.Item>
              </Col>
            </Row>
            <Typography.Title level={5}>{t("catalog.prices")}</Typography.Title>
            <Row gutter={16}>
              {PRICE_KEYS.map((k) => (
                <Col xs={12} md={6} key={k}>
                  <Form.Item
                    name={["prices", k]}
                    label={t(`catalog.price.${k}`)}
                    rules={[
                      {
                        validator: async (_r, value: unknown) => {
                          if (parseYuan(String(value ?? "")) === null) throw new Error(t("catalog.yuanRule"));
                        },
                      },
                    ]}
                  >
                    <Input suffix={t("catalog.yuan")} inputMode="decimal" maxLength={12} />
                  </Form.Item>
                </Col>
              ))}
            </Row>
            <Space wrap size={24}>
              <Form.Item
                name="demoPrices"
                label={t("catalog.demo")}
                valuePropName="checked"
                extra={t("catalog.demoHint")}
              >
                <Switch />
              </Form.Item>
              <Form.Item name="active" label={t("catalog.active")} valuePropName="checked">
                <Switch />
              </Form.Item>
              <Form.Item name="sortOrder" label={t("catalog.sortOrder")}>
                <InputNumber min={0} max={100000} precision={0} />
              </Form.Item>
            </Space>
          </Form>
        </Modal>
      </Card>
      <RenewalWindowCard />
    </>
  );
}
