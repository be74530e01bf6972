import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import { reportCsv, reportXlsx } from "./reports.export";
import { REPORT_NAMES, type ReportService } from "./reports.service";

const zRange = z.object({
  from: z.string({ error: "请选择开始日期" }).max(10),
  to: z.string({ error: "请选择结束日期" }).max(10),
});

const zReport = z.object({
  title: z.string(),
  columns: z.array(
    z.object({ key: z.string(), label: z.string(), kind: z.enum(["text", "number", "yuan", "hours"]) }),
  ),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
});

/** 报表 under /api/v1/admin/reports: JSON for the charts, and the same table as XLSX or CSV. */
export function reportRoutes(deps: SecurityDeps & { reports: ReportService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const read = requireStaff(deps, "reports.read");
    const tags = ["reports"];
    const zName = z.object({ name: z.enum(REPORT_NAMES, { error: "未知的报表" }) });

    r.get(
      "/admin/reports/:name",
      {
        preHandler: read,
        schema: {
          tags,
          summary: "A report over [from, to] (Asia/Shanghai dates)",
          params: zName,
          querystring: zRange,
          response: { 200: zReport },
        },
      },
      async (req) => deps.reports.run(req.params.name, req.query),
    );

    r.get(
      "/admin/reports/:name/export",
      {
        preHandler: read,
        schema: {
          tags,
          summary: "The report as a download: format=xlsx (default) or csv",
          params: zName,
          querystring: zRange.extend({ format: z.enum(["xlsx", "csv"]).default("xlsx") }),
        },
      },
      async (req, reply) => {
        const { from, to, format } = req.query;
        const report = await deps.reports.run(req.params.name, { from, to });
        const file = `${req.params.name}-${from}-${to}.${format}`;
        const name = `${report.title}（${from} 至 ${to}）.${format}`;
        reply.header(
          "content-disposition",
          `attachment; filename="${file}"; filename*=UTF-8''${encodeURIComponent(name)}`,
        );
        if (format === "csv") return reply.type("text/csv; charset=utf-8").send(reportCsv(report));
        return reply
          .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
          .send(await reportXlsx(report, `统计区间：${from} 至 ${to}（北京时间）`));
      },
    );
  };
}
