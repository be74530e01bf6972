import { addDays, type OrderState } from "@certhall/domain";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, invalidField, notFound } from "../../errors";
import { iso, newId } from "../../lib/clock";
import { zNoContent } from "../../lib/http";
import { requireApplicant, requireStaff, type SecurityDeps } from "../../plugins/security";
import { findOwnedOrder } from "../orders/order.queries";
import { zIdParam } from "../orders/order.schemas";
import type { WorkbenchService } from "../workbench/workbench.service";
import type { createInboundMail } from "./inbound-mail";
import { listQueue, type QueueFilter } from "./queue.list";
import { QUEUES, type QueueQuery, zQueueAnswer, zQueueQuery, zSavedFilter, zWaybill } from "./queue.schemas";
import { claimNextForReview } from "./review-claim";

const REVIEW_STATES: readonly OrderState[] = ["submitted", "in_review", "returned"];
const WINDOW_STATES: readonly OrderState[] = ["awaiting_materials", "processing", "ready"];

/** A Shanghai date's first instant (UTC ISO). */
const shanghaiStart = (date: string) => new Date(`${date}T00:00:00+08:00`).toISOString();

function filterOf(
  query: QueueQuery,
  states: readonly OrderState[],
  allowed: readonly OrderState[],
): QueueFilter {
  const wanted = query.state?.length ? query.state : states;
  const bad = wanted.find((s) => !allowed.includes(s));
  if (bad) throw invalidField("state", `此队列不含状态「${bad}」`);
  if (query.from && query.to && query.from > query.to) throw invalidField("to", "结束日期不能早于开始日期");
  if (query.minFen !== undefined && query.maxFen !== undefined && query.minFen > query.maxFen) {
    throw invalidField("maxFen", "最高金额不能低于最低金额");
  }
  return {
    states: wanted,
    business: query.business,
    caTypeId: query.caType,
    windowId: query.window,
    appointmentDate: query.date,
    from: query.from ? shanghaiStart(query.from) : undefined,
    to: query.to ? shanghaiStart(addDays(query.to, 1)) : undefined,
    minFen: query.minFen,
    maxFen: query.maxFen,
    q: query.q || undefined,
    mail: query.mail,
  };
}

/**
 * The back office's work queues under /api/v1/admin/queues (issue 15): the reviewer's queue with
 * 领取下一单, the window's appointments and mail with 签收 by waybill and batch 材料已收齐, each staff
 * member's saved filters; and the applicant's waybill of the envelope they mailed.
 */
export function queueRoutes(
  deps: SecurityDeps & {
    workbench: WorkbenchService;
    mail: ReturnType<typeof createInboundMail>;
    signName: string;
  },
) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { db, clock } = deps;
    const review = requireStaff(deps, "orders.review");
    const process = requireStaff(deps, "orders.process");
    const anyStaff = requireStaff(deps);
    const tags = ["queues"];
    const page = (q: QueueQuery) => ({ limit: q.limit, after: q.after });

    r.get(
      "/admin/queues/review",
      {
        preHandler: review,
        schema: {
          tags,
          summary: "审核队列, oldest first",
          querystring: zQueueQuery,
          response: { 200: zQueueAnswer },
        },
      },
      async (req) =>
        listQueue(db, filterOf(req.query, ["submitted"], REVIEW_STATES), page(req.query), clock()),
    );

    r.post(
      "/admin/queues/review/claim",
      {
        preHandler: review,
        schema: {
          tags,
          summary: "领取下一单: claim the oldest unclaimed order and take it into review",
          response: { 200: z.object({ id: z.string(), orderNo: z.string(), version: z.number() }) },
        },
      },
      async (req) => {
        const staff = req.staffSession!.staff;
        const o = await claimNextForReview(db, { clock, signName: deps.signName }, staff.id, req.ip);
        if (!o) throw new AppError("NOT_FOUND", "暂无待领取的订单：队列已清空");
        return { id: o.id, orderNo: o.order_no, version: o.version };
      },
    );

    r.get(
      "/admin/queues/appointments",
      {
        preHandler: process,
        schema: {
          tags,
          summary: "今日预约: orders booked at a window on a date (default today, Asia/Shanghai)",
          querystring: zQueueQuery,
          response: { 200: zQueueAnswer },
        },
      },
      async (req) => {
        const f = filterOf(req.query, ["awaiting_materials"], WINDOW_STATES);
        const date = req.query.date ?? new Date(clock().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
        return listQueue(db, { ...f, delivery: "window", appointmentDate: date }, page(req.query), clock());
      },
    );

    r.get(
      "/admin/queues/mail",
      {
        preHandler: process,
        schema: {
          tags,
          summary: "邮寄材料: orders whose materials come by mail (expected or received)",
          querystring: zQueueQuery,
          response: { 200: zQueueAnswer },
        },
      },
      async (req) =>
        listQueue(
          db,
          { ...filterOf(req.query, ["awaiting_materials"], WINDOW_STATES), delivery: "mail" },
          page(req.query),
          clock(),
        ),
    );

    r.post(
      "/admin/mail/receive",
      {
        preHandler: process,
        schema: {
          tags,
          summary: "签收: the window has the envelope with this waybill",
          body: zWaybill.pick({ waybill: true }),
          response: {
            200: z.object({ orderId: z.string(), orderNo: z.string(), alreadyReceived: z.boolean() }),
          },
        },
      },
      async (req) => deps.mail.receive(req.body.waybill, { staffId: req.staffSession!.staff.id, ip: req.ip }),
    );

    r.post(
      "/admin/queues/receive-batch",
      {
        preHandler: process,
        schema: {
          tags,
          summary:
            "批量 材料已收齐: every required material ticked and received, each order in its own transaction",
          body: z.object({
            orders: z
              .array(z.object({ id: z.string().max(64), version: z.number().int() }), { error: "请选择订单" })
              .min(1, { error: "请至少选择一个订单" })
              .max(100, { error: "一次最多 100 个订单" }),
          }),
          response: {
            200: z.object({
              results: z.array(
                z.object({
                  id: z.string(),
                  orderNo: z.string().nullable(),
                  ok: z.boolean(),
                  error: z.string().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => {
        const meta = { staffId: req.staffSession!.staff.id, ip: req.ip };
        const results = [];
        for (const o of req.body.orders) {
          try {
            const m = await deps.workbench.materials(o.id);
            if (m.version !== o.version) throw new AppError("CONFLICT", "订单已被更新，请刷新后重试");
            // Tick what is not ticked yet (a recorded fact of its own), then the machine's receive step.
            const version = m.complete
              ? m.version
              : (
                  await deps.workbench.tick(
                    o.id,
                    m.version,
                    m.materials.map((x) => x.code),
                    meta,
                  )
                ).version;
            await deps.workbench.receive(o.id, version, meta);
            results.push({ id: o.id, orderNo: m.orderNo, ok: true, error: null });
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            results.push({ id: o.id, orderNo: null, ok: false, error: err.message });
          }
        }
        return { results };
      },
    );

    // ---- saved filters, per staff member and queue ----
    const zQueueParam = z.object({ queue: z.enum(QUEUES, { error: "未知的队列" }) });
    const zFilter = z.object({ id: z.string(), name: z.string(), query: z.string() });

    r.get(
      "/admin/saved-filters/:queue",
      {
        preHandler: anyStaff,
        schema: { tags, params: zQueueParam, response: { 200: z.object({ filters: z.array(zFilter) }) } },
      },
      async (req) => ({
        filters: await db
          .selectFrom("saved_filters")
          .select(["id", "name", "query"])
          .where("staff_id", "=", req.staffSession!.staff.id)
          .where("queue", "=", req.params.queue)
          .orderBy("name")
          .execute(),
      }),
    );

    r.post(
      "/admin/saved-filters/:queue",
      {
        preHandler: anyStaff,
        schema: { tags, params: zQueueParam, body: zSavedFilter, response: { 201: zFilter } },
      },
      async (req, reply) => {
        const staffId = req.staffSession!.staff.id;
        const count = await db
          .selectFrom("saved_filters")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("staff_id", "=", staffId)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= 50) throw invalidField("name", "最多保存 50 个筛选，请先删除不用的");
        const row = {
          id: newId(),
          staff_id: staffId,
          queue: req.params.queue,
          ...req.body,
          created_at: iso(clock()),
        };
        await db
          .insertInto("saved_filters")
          .values(row)
          .onConflict((oc) =>
            oc.columns(["staff_id", "queue", "name"]).doUpdateSet({ query: req.body.query }),
          )
          .execute();
        const saved = await db
          .selectFrom("saved_filters")
          .select(["id", "name", "query"])
          .where("staff_id", "=", staffId)
          .where("queue", "=", req.params.queue)
          .where("name", "=", req.body.name)
          .executeTakeFirstOrThrow();
        return reply.code(201).send(saved);
      },
    );

    r.delete(
      "/admin/saved-filters/:queue/:id",
      {
        preHandler: anyStaff,
        schema: {
          tags,
          params: zQueueParam.extend({ id: z.string().max(64) }),
          response: { 204: zNoContent },
        },
      },
      async (req, reply) => {
        const res = await db
          .deleteFrom("saved_filters")
          .where("id", "=", req.params.id)
          .where("staff_id", "=", req.staffSession!.staff.id)
          .executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw notFound("筛选");
        return reply.code(204).send(null);
      },
    );

    // ---- the applicant's waybill (订单页的邮寄面板) ----
    const applicant = requireApplicant(deps);
    const zMail = z.object({
      courier: z.string(),
      waybill: z.string(),
      declaredAt: z.string(),
      receivedAt: z.string().nullable(),
    });

    r.get(
      "/orders/:id/mail",
      {
        preHandler: applicant,
        schema: { tags, params: zIdParam, response: { 200: z.object({ mail: zMail.nullable() }) } },
      },
      async (req) => {
        await findOwnedOrder(db, req.applicant!.subjectId, req.params.id);
        return { mail: await deps.mail.of(req.params.id) };
      },
    );

    r.put(
      "/orders/:id/mail",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "The waybill of the envelope the applicant mailed the materials in",
          params: zIdParam,
          body: zWaybill,
          response: { 200: z.object({ mail: zMail }) },
        },
      },
      async (req) => {
        const accountId = req.applicant!.subjectId;
        const order = await findOwnedOrder(db, accountId, req.params.id);
        await deps.mail.declare(order, req.body, { accountId, ip: req.ip });
        return { mail: (await deps.mail.of(order.id))! };
      },
    );
  };
}
