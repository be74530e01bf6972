import {
  BUSINESS_TYPES,
  type BusinessCode,
  ORDER_STATE_INFO,
  ORDER_TRANSITIONS,
  type OrderEvent,
  type OrderState,
} from "@certhall/domain";
import { sql } from "kysely";
import type { Db } from "../../db/database";
import { invalidField } from "../../errors";
import type { Clock } from "../../lib/clock";
import { ROLE_LABELS } from "../auth/policy";

/** A report as a table: what the page charts and what the XLSX and CSV exports hold. */
export interface Report {
  title: string;
  columns: { key: string; label: string; kind: "text" | "number" | "yuan" | "hours" }[];
  rows: Record<string, string | number>[];
}

export const REPORT_NAMES = [
  "orders-per-day",
  "revenue",
  "time-in-state",
  "staff-work",
  "window-work",
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** The longest range one report covers. */
export const REPORT_MAX_DAYS = 366;

const HOUR_MS = 3_600_000;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/** [from, to] Shanghai dates → the UTC instants [start, end) as the ISO text the tables store. */
export function utcRange(from: string, to: string): { start: string; end: string } {
  const ok = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));
  if (!ok(from)) throw invalidField("from", "开始日期无效，应为 YYYY-MM-DD");
  if (!ok(to)) throw invalidField("to", "结束日期无效，应为 YYYY-MM-DD");
  const start = Date.parse(`${from}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
  const end = Date.parse(`${to}T00:00:00Z`) + 24 * HOUR_MS - SHANGHAI_OFFSET_MS;
  if (end <= start) throw invalidField("to", "结束日期不能早于开始日期");
  if (end - start > REPORT_MAX_DAYS * 24 * HOUR_MS)
    throw invalidField("to", `统计区间最长 ${REPORT_MAX_DAYS} 天`);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/**
 * A UTC hour bucket ("2026-12-03T16") as its Shanghai date or month. SQL groups by the UTC hour
 * (substr of the ISO text, the same on both engines, using the index order); the few buckets are
 * folded into Shanghai days here, so no engine-specific time-zone function is needed.
 */
function shanghaiOf(hour: string, unit: "day" | "month"): string {
  const d = new Date(Date.parse(`${hour}:00:00Z`) + SHANGHAI_OFFSET_MS).toISOString();
  return unit === "day" ? d.slice(0, 10) : d.slice(0, 7);
}

/** Seconds between two ISO-text columns, in the engine's own date arithmetic. */
function secondsBetween(db: Db, a: string, b: string) {
  const pg = db.getExecutor().adapter.constructor.name === "PostgresAdapter";
  return pg
    ? sql<number>`extract(epoch from (${sql.ref(b)}::timestamptz - ${sql.ref(a)}::timestamptz))`
    : sql<number>`((julianday(${sql.ref(b)}) - julianday(${sql.ref(a)})) * 86400.0)`;
}

const businessName = (code: string) => BUSINESS_TYPES[code as BusinessCode]?.name ?? code;
const stateName = (s: string) => ORDER_STATE_INFO[s as OrderState]?.labelZh ?? s;

/**
 * A table of counts with one row per `rowOf` value and one column per business (plus 合计), from SQL
 * rows that each carry a business and a count.
 */
function perBusiness<R extends { business: string; n: number }>(
  title: string,
  first: { key: string; label: string },
  rows: R[],
  rowOf: (r: R) => string,
): Report {
  const codes = Object.keys(BUSINESS_TYPES) as BusinessCode[];
  const acc = new Map<string, Record<string, string | number>>();
  for (const r of rows) {
    const k = rowOf(r);
    const row = acc.get(k) ?? { [first.key]: k, total: 0, ...Object.fromEntries(codes.map((c) => [c, 0])) };
    row[r.business] = Number(row[r.business] ?? 0) + Number(r.n);
    row.total = Number(row.total) + Number(r.n);
    acc.set(k, row);
  }
  return {
    title,
    columns: [
      { ...first, kind: "text" },
      ...codes.map((c) => ({ key: c, label: businessName(c), kind: "number" as const })),
      { key: "total", label: "合计", kind: "number" },
    ],
    rows: [...acc.values()].sort((a, b) => String(a[first.key]).localeCompare(String(b[first.key]))),
  };
}

/** 报表: figures computed by grouped SQL over indexed ranges, so they stay fast as the tables grow. */
export function createReportService(deps: { db: Db; clock: Clock }) {
  const { db } = deps;

  async function ordersPerDay(start: string, end: string): Promise<Report> {
    const rows = await db
      .selectFrom("orders")
      .select([
        "business",
        sql<string>`substr(submitted_at, 1, 13)`.as("hour"),
        sql<number>`count(*)`.as("n"),
      ])
      .where("submitted_at", ">=", start)
      .where("submitted_at", "<", end)
      .groupBy(["business", sql`substr(submitted_at, 1, 13)`])
      .execute();
    return perBusiness("每日订单量（按业务）", { key: "day", label: "日期" }, rows, (r) =>
      shanghaiOf(r.hour, "day"),
    );
  }

  async function revenue(start: string, end: string): Promise<Report> {
    const rows = await db
      .selectFrom("payments")
      .innerJoin("order_items", "order_items.order_id", "payments.order_id")
      .innerJoin("ca_types", "ca_types.id", "order_items.ca_type_id")
      .select([
        "ca_types.name as caType",
        sql<string>`substr(payments.paid_at, 1, 13)`.as("hour"),
        sql<number>`sum(order_items.amount_fen)`.as("fen"),
        sql<number>`count(*)`.as("items"),
      ])
      .where("payments.status", "in", ["paid", "booked"])
      .where("payments.paid_at", ">=", start)
      .where("payments.paid_at", "<", end)
      .groupBy(["ca_types.name", sql`substr(payments.paid_at, 1, 13)`])
      .execute();
    const acc = new Map<string, { month: string; caType: string; items: number; yuan: number }>();
    for (const r of rows) {
      const month = shanghaiOf(r.hour, "month");
      const key = `${month}\u0000${r.caType}`;
      const a = acc.get(key) ?? { month, caType: r.caType, items: 0, yuan: 0 };
      a.items += Number(r.items);
      a.yuan += Number(r.fen) / 100;
      acc.set(key, a);
    }
    return {
      title: "收入（按 CA 类型、月份）",
      columns: [
        { key: "month", label: "月份", kind: "text" },
        { key: "caType", label: "CA 类型", kind: "text" },
        { key: "items", label: "证书数", kind: "number" },
        { key: "yuan", label: "金额（元）", kind: "yuan" },
      ],
      rows: [...acc.values()].sort(
        (a, b) => a.month.localeCompare(b.month) || a.caType.localeCompare(b.caType),
      ),
    };
  }

  async function timeInState(start: string, end: string): Promise<Report> {
    const now = new Date(deps.clock()).toISOString();
    // Each event starts a stay in its to_state that ends at the order's next event (or now).
    const stays = db
      .selectFrom("order_events")
      .select([
        "to_state",
        "at",
        sql<string>`coalesce(lead(at) over (partition by order_id order by version), ${now})`.as("until"),
      ])
      .where("at", ">=", start)
      .where("at", "<", end)
      .as("stays");
    const rows = await db
      .selectFrom(stays)
      .select([
        "to_state",
        sql<number>`count(*)`.as("n"),
        sql<number>`avg(${secondsBetween(db, "at", "until")})`.as("avg_s"),
        sql<number>`max(${secondsBetween(db, "at", "until")})`.as("max_s"),
      ])
      .groupBy("to_state")
      .execute();
    const order = Object.keys(ORDER_STATE_INFO);
    return {
      title: "各状态停留时间（订单在哪里等待）",
      columns: [
        { key: "state", label: "状态", kind: "text" },
        { key: "count", label: "次数", kind: "number" },
        { key: "avgHours", label: "平均停留（小时）", kind: "hours" },
        { key: "maxHours", label: "最长停留（小时）", kind: "hours" },
      ],
      rows: rows
        .filter((r) => !ORDER_STATE_INFO[r.to_state as OrderState]?.final)
        .sort((a, b) => order.indexOf(a.to_state) - order.indexOf(b.to_state))
        .map((r) => ({
          state: stateName(r.to_state),
          count: Number(r.n),
          avgHours: Math.round((Number(r.avg_s) / 3600) * 10) / 10,
          maxHours: Math.round((Number(r.max_s) / 3600) * 10) / 10,
        })),
    };
  }

  async function staffWork(start: string, end: string): Promise<Report> {
    const rows = await db
      .selectFrom("order_events")
      .innerJoin("staff", "staff.id", "order_events.actor_id")
      .select(["staff.name as name", "staff.role", "order_events.event", sql<number>`count(*)`.as("n")])
      .where("order_events.at", ">=", start)
      .where("order_events.at", "<", end)
      .where("order_events.actor_type", "in", ["reviewer", "finance", "operator"])
      .groupBy(["staff.name", "staff.role", "order_events.event"])
      .execute();
    const acc = new Map<string, Record<string, string | number>>();
    // The staff steps shown as columns, labelled as the order machine names them; every event counts in 合计.
    const events: OrderEvent[] = [
      "approve",
      "reject",
      "book",
      "return_payment",
      "receive_materials",
      "complete",
    ];
    for (const r of rows) {
      const key = `${r.name}\u0000${r.role}`;
      const row = acc.get(key) ?? {
        name: r.name,
        role: ROLE_LABELS[r.role as keyof typeof ROLE_LABELS] ?? r.role,
        total: 0,
        ...Object.fromEntries(events.map((e) => [e, 0])),
      };
      if ((events as string[]).includes(r.event)) row[r.event] = Number(row[r.event]) + Number(r.n);
      row.total = Number(row.total) + Number(r.n);
      acc.set(key, row);
    }
    return {
      title: "工作量（按工作人员）",
      columns: [
        { key: "name", label: "姓名", kind: "text" },
        { key: "role", label: "角色", kind: "text" },
        ...events.map((e) => ({ key: e, label: ORDER_TRANSITIONS[e].labelZh, kind: "number" as const })),
        { key: "total", label: "合计操作", kind: "number" },
      ],
      rows: [...acc.values()].sort((a, b) => Number(b.total) - Number(a.total)),
    };
  }

  async function windowWork(start: string, end: string): Promise<Report> {
    const rows = await db
      .selectFrom("orders")
      .innerJoin("service_windows", "service_windows.id", "orders.window_id")
      .select([
        "service_windows.city",
        "service_windows.name",
        "orders.business",
        sql<number>`count(*)`.as("n"),
      ])
      .where("orders.completed_at", ">=", start)
      .where("orders.completed_at", "<", end)
      .groupBy(["service_windows.city", "service_windows.name", "orders.business"])
      .execute();
    return perBusiness(
      "办结量（按网点、业务）",
      { key: "window", label: "网点" },
      rows,
      (r) => `【${r.city}】${r.name}`,
    );
  }

  const REPORTS: Record<ReportName, (start: string, end: string) => Promise<Report>> = {
    "orders-per-day": ordersPerDay,
    revenue,
    "time-in-state": timeInState,
    "staff-work": staffWork,
    "window-work": windowWork,
  };

  async function run(name: ReportName, range: { from: string; to: string }): Promise<Report> {
    const { start, end } = utcRange(range.from, range.to);
    return REPORTS[name](start, end);
  }

  return { run };
}

export type ReportService = ReturnType<typeof createReportService>;
