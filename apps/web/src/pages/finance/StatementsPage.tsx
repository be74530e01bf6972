import { InboxOutlined } from "@ant-design/icons";
import { formatFen } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Form,
  Grid,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
  Upload,
} from "antd";
import { useState } from "react";
import {
  bookStatement,
  getStatement,
  importStatement,
  listStatementFormats,
  listStatements,
  resolveStatementLine,
  type StatementLine,
  type StatementLineStatus,
} from "../../api/reconciliation";
import { useI18n } from "../../app/i18n";
import type { MessageKey } from "../../app/messages";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";

const STATUS_COLORS: Record<StatementLineStatus, string> = {
  exact: "blue",
  amount_mismatch: "orange",
  duplicate: "red",
  unknown: "default",
  not_payable: "purple",
  already_imported: "default",
  booked: "green",
  resolved: "cyan",
};

/** Statuses a person decides (the machine neither books them nor lets them be). */
const UNDECIDED: readonly StatementLineStatus[] = ["amount_mismatch", "duplicate", "unknown", "not_payable"];

const statusKey = (s: StatementLineStatus) => `rec.s.${s}` as MessageKey;

/**
 * 银行对账: finance uploads the bank's statement (工商银行 CSV, 建设银行 XLSX, …); each credit is matched to
 * its order by the 汇款识别码 and the amount; the exact ones are booked in one confirmed step.
 */
export function StatementsPage() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const formats = useQuery({ queryKey: ["admin", "statement-formats"], queryFn: listStatementFormats });
  const statements = useQuery({ queryKey: ["admin", "statements"], queryFn: () => listStatements() });
  const [bank, setBank] = useState<string | undefined>();
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const detail = useQuery({
    queryKey: ["admin", "statement", selected],
    queryFn: () => getStatement(selected!),
    enabled: selected !== null,
  });
  const [resolving, setResolving] = useState<StatementLine | null>(null);
  const [form] = Form.useForm<{ note: string }>();

  async function refresh() {
    await queryClient.invalidateQueries({ queryKey: ["admin", "statements"] });
    await queryClient.invalidateQueries({ queryKey: ["admin", "statement"] });
  }

  async function upload(file: File) {
    if (!bank) {
      message.warning(t("rec.pickBank"));
      return;
    }
    setBusy(true);
    try {
      const res = await importStatement(bank, file);
      message.success(t("rec.imported"));
      setSelected(res.id);
      await refresh();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  async function book() {
    if (!selected) return;
    setBusy(true);
    try {
      const res = await bookStatement(selected);
      message.success(t("rec.bookedN", { n: res.booked }));
      if (res.moved > 0) message.warning(t("rec.movedN", { n: res.moved }));
      if (res.ownSkipped > 0) message.warning(t("rec.ownSkippedN", { n: res.ownSkipped }));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
      await refresh();
    }
  }

  async function resolve(note: string) {
    if (!resolving) return;
    try {
      await resolveStatementLine(resolving.id, note);
      message.success(t("rec.resolved"));
      setResolving(null);
      form.resetFields();
    } catch (err) {
      onError(err, form);
    } finally {
      await refresh();
    }
  }

  if (statements.isError) return <LoadError error={statements.error} onRetry={() => statements.refetch()} />;
  const exact = detail.data?.counts.exact ?? 0;

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card title={t("rec.title")} styles={{ body: { padding: screens.md ? 24 : 8 } }}>
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Typography.Text type="secondary">{t("rec.hint")}</Typography.Text>
          <Select
            aria-label={t("rec.bank")}
            placeholder={t("rec.bank")}
            style={{ width: 240 }}
            value={bank}
            onChange={setBank}
            options={(formats.data?.formats ?? []).map((f) => ({ value: f.code, label: f.name }))}
          />
          <Upload.Dragger
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            showUploadList={false}
            disabled={busy}
            beforeUpload={(file) => {
              void upload(file);
              return false;
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t("rec.drop")}</p>
          </Upload.Dragger>
        </Space>
      </Card>

      <Card title={t("rec.history")}>
        <Table
          rowKey="id"
          size="small"
          loading={statements.isFetching}
          dataSource={statements.data?.statements}
          pagination={false}
          onRow={(s) => ({ onClick: () => setSelected(s.id), style: { cursor: "pointer" } })}
          rowClassName={(s) => (s.id === selected ? "ant-table-row-selected" : "")}
          columns={[
            { title: t("rec.importedAt"), dataIndex: "importedAt", render: (v: string) => formatDateTime(v) },
            { title: t("rec.bank"), dataIndex: "bankName" },
            { title: t("rec.file"), dataIndex: "filename" },
            { title: t("rec.credits"), dataIndex: "creditCount", align: "right" },
          ]}
        />
      </Card>

      {selected && detail.data ? (
        <Card
          title={t("rec.detail", { file: detail.data.statement.filename })}
          extra={
            <Popconfirm title={t("rec.bookConfirm", { n: exact })} onConfirm={book} disabled={exact === 0}>
              <Button type="primary" disabled={exact === 0} loading={busy}>
                {t("rec.bookAll", { n: exact })}
              </Button>
            </Popconfirm>
          }
        >
          <Space wrap size="large" style={{ marginBottom: 16 }}>
            {(Object.keys(STATUS_COLORS) as StatementLineStatus[])
              .filter((s) => detail.data.counts[s])
              .map((s) => (
                <Statistic key={s} title={t(statusKey(s))} value={detail.data.counts[s]} />
              ))}
          </Space>
          <Table<StatementLine>
            rowKey="id"
            size="small"
            dataSource={detail.data.lines}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 900 }}
            columns={[
              { title: t("rec.line"), dataIndex: "lineNo", width: 70 },
              { title: t("rec.date"), dataIndex: "date", width: 110 },
              {
                title: t("finance.amount"),
                dataIndex: "amountFen",
                align: "right",
                render: (v: number, l) => (
                  <Space orientation="vertical" size={0} style={{ alignItems: "flex-end" }}>
                    <Typography.Text strong>{formatFen(v)}</Typography.Text>
                    {l.order && l.order.totalFen !== v ? (
                      <Typography.Text type="danger" style={{ fontSize: 12 }}>
                        {t("sorder.total")} {formatFen(l.order.totalFen)}
                      </Typography.Text>
                    ) : null}
                  </Space>
                ),
              },
              {
                title: t("rec.payer"),
                key: "payer",
                render: (_: unknown, l) => `${l.payerName} ·${l.payerAccountTail}`,
              },
              { title: t("rec.remark"), dataIndex: "remark", ellipsis: true },
              {
                title: t("sorder.no"),
                key: "order",
                render: (_: unknown, l) => l.order?.orderNo ?? "—",
              },
              {
                title: t("rec.status"),
                key: "status",
                render: (_: unknown, l) => (
                  <Space orientation="vertical" size={0}>
                    <Tag color={STATUS_COLORS[l.status]}>{t(statusKey(l.status))}</Tag>
                    {l.note ? (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {l.note}
                      </Typography.Text>
                    ) : null}
                  </Space>
                ),
              },
              {
                title: t("common.actions"),
                key: "actions",
                render: (_: unknown, l) =>
                  UNDECIDED.includes(l.status) ? (
                    <Button size="small" onClick={() => setResolving(l)}>
                      {t("rec.resolve")}
                    </Button>
                  ) : null,
              },
            ]}
          />
        </Card>
      ) : null}

      <Modal
        open={resolving !== null}
        title={resolving ? t("rec.resolveTitle", { line: resolving.lineNo }) : ""}
        onCancel={() => setResolving(null)}
        onOk={() => form.submit()}
        okText={t("rec.resolve")}
        forceRender
      >
        <Form<{ note: string }> form={form} layout="vertical" onFinish={(v) => resolve(v.note.trim())}>
          <Form.Item
            name="note"
            label={t("rec.note")}
            rules={[
              { required: true, whitespace: true, message: t("rec.noteRequired") },
              { max: 500, message: t("review.reasonTooLong") },
            ]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount placeholder={t("rec.notePlaceholder")} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
