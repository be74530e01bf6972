import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, DatePicker, Empty, Space, Table, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import type { EChartsCoreOption } from "echarts/core";
import { useMemo, useState } from "react";
import {
  getReport,
  REPORT_NAMES,
  type Report,
  type ReportName,
  type ReportRange,
  reportExportUrl,
} from "../../api/reports";
import { useI18n } from "../../app/i18n";
import type { MessageKey } from "../../app/messages";
import { LoadError } from "../../components/PageLoading";
import { Chart } from "./Chart";

const numeric = (r: Report) => r.columns.filter((c) => c.kind !== "text" && c.key !== "total");

/** How each report is drawn: the x axis, the series, stacked or not, bars or a line. */
function chartOf(name: ReportName, r: Report): EChartsCoreOption {
  const base = { tooltip: { trigger: "axis" }, legend: { type: "scroll" }, grid: { containLabel: true } };
  const first = r.columns[0]!.key;
  if (name === "revenue") {
    // Rows are (month, CA type): months on the axis, one series per CA type.
    const months = [...new Set(r.rows.map((x) => String(x.month)))];
    const types = [...new Set(r.rows.map((x) => String(x.caType)))];
    return {
      ...base,
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", name: "元" },
      series: types.map((ty) => ({
        name: ty,
        type: "bar",
        stack: "yuan",
        data: months.map((m) => r.rows.find((x) => x.month === m && x.caType === ty)?.yuan ?? 0),
      })),
    };
  }
  if (name === "time-in-state") {
    return {
      ...base,
      xAxis: { type: "value", name: "小时" },
      yAxis: { type: "category", data: r.rows.map((x) => x.state) },
      series: [{ name: r.columns[2]!.label, type: "bar", data: r.rows.map((x) => x.avgHours) }],
    };
  }
  const series = numeric(r).filter((c) => r.rows.some((x) => Number(x[c.key]) > 0));
  return {
    ...base,
    xAxis: { type: "category", data: r.rows.map((x) => x[first]) },
    yAxis: { type: "value" },
    series: series.map((c) => ({
      name: c.label,
      type: name === "orders-per-day" && r.rows.length > 31 ? "line" : "bar",
      stack: "n",
      data: r.rows.map((x) => x[c.key] ?? 0),
    })),
  };
}

function ReportCard({ name, range }: { name: ReportName; range: ReportRange }) {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ["admin", "report", name, range], queryFn: () => getReport(name, range) });
  const option = useMemo(() => (q.data ? chartOf(name, q.data) : null), [name, q.data]);
  const title = t(`reports.${name}` as MessageKey);
  return (
    <Card
      title={title}
      loading={q.isPending}
      extra={
        <Space>
          <Button size="small" icon={<DownloadOutlined />} href={reportExportUrl(name, range, "xlsx")}>
            XLSX
          </Button>
          <Button size="small" icon={<DownloadOutlined />} href={reportExportUrl(name, range, "csv")}>
            CSV
          </Button>
        </Space>
      }
    >
      {q.isError ? <LoadError error={q.error} onRetry={() => q.refetch()} /> : null}
      {q.data && q.data.rows.length === 0 ? <Empty description={t("reports.empty")} /> : null}
      {q.data && q.data.rows.length > 0 && option ? (
        <>
          <Chart option={option} />
          <Table
            size="small"
            rowKey={(_, i) => String(i)}
            dataSource={q.data.rows}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: true }}
            columns={q.data.columns.map((c) => ({
              title: c.label,
              dataIndex: c.key,
              align: c.kind === "text" ? ("left" as const) : ("right" as const),
              render: (v: string | number) => (c.kind === "yuan" ? Number(v).toFixed(2) : v),
            }))}
          />
        </>
      ) : null}
    </Card>
  );
}

/** 报表: the figures staff and management ask for, each with its chart, its table and its exports. */
export function ReportsPage() {
  const { t } = useI18n();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(29, "day"), dayjs()]);
  const r: ReportRange = { from: range[0].format("YYYY-MM-DD"), to: range[1].format("YYYY-MM-DD") };
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card title={t("reports.title")}>
        <Space wrap>
          <Typography.Text>{t("reports.range")}</Typography.Text>
          <DatePicker.RangePicker
            allowClear={false}
            value={range}
            maxDate={dayjs()}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
          />
          <Typography.Text type="secondary">{t("reports.hint")}</Typography.Text>
        </Space>
      </Card>
      {REPORT_NAMES.map((name) => (
        <ReportCard key={name} name={name} range={r} />
      ))}
    </Space>
  );
}
