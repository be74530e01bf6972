import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Checkbox, Form, Input, Space, Typography } from "antd";
import { type ReactNode, useEffect, useState } from "react";
import { getNotices, type Notices, saveNotices } from "../../api/notices";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError, PageLoading } from "../../components/PageLoading";

type Values = Notices & { hotline: { phone: string; hours: string } };

/** The admin edits what the portal home shows: announcements, FAQ and the hotline (each save audited). */
export function NoticesAdminPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const notices = useQuery({ queryKey: ["notices"], queryFn: getNotices });
  useEffect(() => {
    if (notices.data)
      form.setFieldsValue({ ...notices.data, hotline: notices.data.hotline ?? { phone: "", hours: "" } });
  }, [notices.data, form]);

  if (notices.isPending) return <PageLoading />;
  if (notices.isError) return <LoadError error={notices.error} onRetry={() => notices.refetch()} />;

  async function save(v: Values) {
    setBusy(true);
    try {
      const saved = await saveNotices({
        announcements: (v.announcements ?? []).map((a) => ({ ...a, pinned: !!a.pinned })),
        faq: v.faq ?? [],
        hotline: v.hotline,
      });
      queryClient.setQueryData(["notices"], saved);
      message.success(t("notices.saved"));
    } catch (err) {
      onError(err, form);
    } finally {
      setBusy(false);
    }
  }

  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  return (
    <Form<Values> form={form} layout="vertical" onFinish={save} requiredMark={false}>
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        <Card title={t("notices.hotline")} size="small">
          <Space wrap align="start">
            <Form.Item
              name={["hotline", "phone"]}
              label={t("notices.phone")}
              rules={[{ required: true, message: t("notices.phoneRequired") }]}
            >
              <Input maxLength={20} style={{ width: 200 }} />
            </Form.Item>
            <Form.Item
              name={["hotline", "hours"]}
              label={t("notices.hours")}
              rules={[{ required: true, message: t("notices.hoursRequired") }]}
            >
              <Input maxLength={60} style={{ width: 280 }} />
            </Form.Item>
          </Space>
        </Card>
        <Card title={t("notices.announcements")} size="small">
          <Form.List name="announcements">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: "100%" }}>
                {fields.map((f) => (
                  <Entry key={f.key} onRemove={() => remove(f.name)}>
                    <Space wrap align="start">
                      <Form.Item
                        name={[f.name, "title"]}
                        label={t("notices.title")}
                        rules={[{ required: true, message: t("notices.titleRequired") }]}
                      >
                        <Input maxLength={60} style={{ width: 320 }} />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, "date"]}
                        label={t("notices.date")}
                        rules={[
                          { required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: t("notices.dateRule") },
                        ]}
                      >
                        <Input maxLength={10} style={{ width: 130 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, "pinned"]} valuePropName="checked" label=" ">
                        <Checkbox>{t("notices.pinned")}</Checkbox>
                      </Form.Item>
                    </Space>
                    <Form.Item
                      name={[f.name, "body"]}
                      label={t("notices.body")}
                      rules={[{ required: true, message: t("notices.bodyRequired") }]}
                    >
                      <Input.TextArea rows={3} maxLength={2000} showCount />
                    </Form.Item>
                  </Entry>
                ))}
                <Button
                  icon={<PlusOutlined />}
                  onClick={() => add({ title: "", body: "", date: today, pinned: false })}
                >
                  {t("notices.addAnnouncement")}
                </Button>
              </Space>
            )}
          </Form.List>
        </Card>
        <Card title={t("notices.faq")} size="small">
          <Form.List name="faq">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: "100%" }}>
                {fields.map((f) => (
                  <Entry key={f.key} onRemove={() => remove(f.name)}>
                    <Form.Item
                      name={[f.name, "question"]}
                      label={t("notices.question")}
                      rules={[{ required: true, message: t("notices.questionRequired") }]}
                    >
                      <Input maxLength={100} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, "answer"]}
                      label={t("notices.answer")}
                      rules={[{ required: true, message: t("notices.answerRequired") }]}
                    >
                      <Input.TextArea rows={2} maxLength={2000} />
                    </Form.Item>
                  </Entry>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ question: "", answer: "" })}>
                  {t("notices.addFaq")}
                </Button>
              </Space>
            )}
          </Form.List>
        </Card>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t("common.save")}
          </Button>
          <Typography.Text type="secondary">{t("notices.auditHint")}</Typography.Text>
        </Space>
      </Space>
    </Form>
  );
}

/** One announcement or question in the editor, with its delete button. */
function Entry(props: { onRemove: () => void; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <Card
      size="small"
      extra={
        <Button
          icon={<DeleteOutlined />}
          danger
          type="text"
          onClick={props.onRemove}
          aria-label={t("common.delete")}
        />
      }
    >
      {props.children}
    </Card>
  );
}
