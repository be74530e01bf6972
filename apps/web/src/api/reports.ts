/** 报表 (apps/server/src/modules/reports/reports.routes.ts): figures for the charts and their exports. */
import { API_BASE, api } from "./client";

export const REPORT_NAMES = [
  "orders-per-day",
  "revenue",
  "time-in-state",
  "staff-work",
  "window-work",
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export interface Report {
  title: string;
  columns: { key: string; label: string; kind: "text" | "number" | "yuan" | "hours" }[];
  rows: Record<string, string | number>[];
}

export interface ReportRange {
  from: string;
  to: string;
}

export const getReport = (name: ReportName, range: ReportRange) =>
  api.get<Report>(`/admin/reports/${name}`, { query: { ...range } });

/** Same-origin download of the report (the staff cookie goes along; a GET needs no CSRF token). */
export const reportExportUrl = (name: ReportName, range: ReportRange, format: "xlsx" | "csv") =>
  `${API_BASE}/admin/reports/${name}/export?${new URLSearchParams({ ...range, format })}`;
