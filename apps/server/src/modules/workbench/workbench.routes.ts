import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import { zIdParam, zOrderDetail, zVersion } from "../orders/order.schemas";
import { type OrderService, presentOrderDetail } from "../orders/order.service";
import type { WorkbenchService } from "./workbench.service";

const zItemParams = zIdParam.extend({ itemId: z.uuid({ error: "证书项编号格式不正确" }) });

const zMaterials = z.object({
  orderId: z.string(),
  orderNo: z.string(),
  state: z.string(),
  version: z.number(),
  materials: z.array(
    z.object({
      code: z.string(),
      labelZh: z.string(),
      labelEn: z.string(),
      received: z.boolean(),
      receivedAt: z.string().nullable(),
      receivedBy: z.string().nullable(),
    }),
  ),
  complete: z.boolean(),
  missing: z.array(z.string()),
});

// A USB key's serial as printed on it / read by the token client: letters, digits and hyphens.
const zMediaSerial = z
  .string({ error: "请填写介质序列号" })
  .trim()
  .regex(/^[A-Za-z0-9-]{4,64}$/, { error: "介质序列号应为 4–64 位字母、数字或连字符" });

const zCsrPem = z
  .string({ error: "请上传证书请求（CSR）文件" })
  .min(1, { error: "请上传证书请求（CSR）文件" })
  .max(64 * 1024, { error: "证书请求（CSR）文件过大" });

const zCertificateOut = z.object({
  serialHex: z.string(),
  subject: z.string(),
  profile: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  certificatePem: z.string(),
  chainPem: z.string(),
});

export function workbenchRoutes(deps: SecurityDeps & { orders: OrderService; workbench: WorkbenchService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { orders, workbench } = deps;
    // DESIGN §1: the window operator (窗口受理员) takes in materials, issues and hands over.
    const operator = requireStaff(deps, "orders.process");
    const tags = ["workbench"];
    const meta = (req: FastifyRequest) => ({ staffId: req.staffSession!.staff.id, ip: req.ip ?? null });
    const detail = async (orderId: string) => {
      const o = await orders.getAny(orderId);
      return presentOrderDetail(o, await orders.items(o.id), await orders.events(o.id), "operator");
    };

    r.get(
      "/admin/workbench/find",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "Find an order by number, remittance code or the receipt's QR code text",
          querystring: z.object({ q: z.string().max(500).default("") }),
          response: { 200: zOrderDetail },
        },
      },
      async (req) => detail((await workbench.find(req.query.q)).id),
    );

    r.get(
      "/admin/orders/:id/materials",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "The materials this order's business and subject kind require, with received flags",
          params: zIdParam,
          response: { 200: zMaterials },
        },
      },
      async (req) => workbench.materials(req.params.id),
    );

    r.post(
      "/admin/orders/:id/materials",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "Record the ticked materials (the full set in hand)",
          params: zIdParam,
          body: zVersion.extend({ received: z.array(z.string().max(64)).max(50) }),
          response: { 200: zMaterials },
        },
      },
      async (req) => workbench.tick(req.params.id, req.body.version, req.body.received, meta(req)),
    );

    r.post(
      "/admin/orders/:id/receive",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "Materials complete: awaiting_materials → processing (SMS)",
          params: zIdParam,
          body: zVersion,
          response: { 200: zOrderDetail },
        },
      },
      async (req) => {
        await workbench.receive(req.params.id, req.body.version, meta(req));
        return detail(req.params.id);
      },
    );

    r.post(
      "/admin/orders/:id/items/:itemId/media",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "Record the USB key (media) serial of an item",
          params: zItemParams,
          body: z.object({ mediaSerial: zMediaSerial }),
          response: { 200: z.object({ itemId: z.string(), mediaSerial: z.string() }) },
        },
      },
      async (req) => workbench.setMedia(req.params.id, req.params.itemId, req.body.mediaSerial, meta(req)),
    );

    r.post(
      "/admin/orders/:id/items/:itemId/issue",
      {
        preHandler: operator,
        schema: {
          tags,
          summary:
            "Issue an item's certificate from a CSR (proof of possession); subject, profile and years come from the approved order",
          params: zItemParams,
          body: z.object({ csrPem: zCsrPem }),
          response: { 201: z.object({ certificate: zCertificateOut, order: zOrderDetail }) },
        },
      },
      async (req, reply) => {
        const c = await workbench.issue(req.params.id, req.params.itemId, req.body.csrPem, meta(req));
        return reply.code(201).send({
          certificate: {
            serialHex: c.serialHex,
            subject: c.subject,
            profile: c.profile,
            notBefore: c.notBefore,
            notAfter: c.notAfter,
            certificatePem: c.certificatePem,
            chainPem: c.chainPem,
          },
          order: await detail(req.params.id),
        });
      },
    );

    r.get(
      "/admin/orders/:id/items/:itemId/validity",
      {
        preHandler: operator,
        schema: {
          tags,
          summary:
            "The end date issuing this item now would give, and its basis (years bought, the old certificate's end, the vendor rule)",
          params: zItemParams,
          response: {
            200: z.object({
              itemId: z.string(),
              basis: z.enum(["years", "old_end", "plus_one_year", "two_years_from_processing"]),
              notAfter: z.string(),
              oldSerial: z.string().nullable(),
              oldNotAfter: z.string().nullable(),
            }),
          },
        },
      },
      async (req) => workbench.validityPreview(req.params.id, req.params.itemId),
    );

    r.post(
      "/admin/orders/:id/items/:itemId/revoke",
      {
        preHandler: operator,
        schema: {
          tags,
          summary:
            "注销: revoke the item's certificate and its lineage with the applicant's reason; once per item",
          params: zItemParams,
          body: z.object({}).strict().optional(),
          response: {
            200: z.object({
              revocation: z.object({
                itemId: z.string(),
                serialHex: z.string(),
                reason: z.string(),
                revokedAt: z.string(),
              }),
              order: zOrderDetail,
            }),
          },
        },
      },
      async (req) => {
        const revocation = await workbench.revoke(req.params.id, req.params.itemId, meta(req));
        return { revocation, order: await detail(req.params.id) };
      },
    );

    r.post(
      "/admin/orders/:id/items/:itemId/unlock-code",
      {
        preHandler: operator,
        schema: {
          tags,
          summary:
            "解锁授权码: a one-time code (7 days) for the token client, also sent by SMS to the handler; a new code ends the previous one",
          params: zItemParams,
          body: z.object({}).strict().optional(),
          response: { 201: z.object({ code: z.string(), expiresAt: z.string() }) },
        },
      },
      async (req, reply) => {
        const out = await workbench.unlockCode(req.params.id, req.params.itemId, meta(req));
        return reply.code(201).header("cache-control", "no-store").send(out);
      },
    );

    r.post(
      "/admin/orders/:id/items/:itemId/unlocked-at-window",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "已在窗口解锁: the item's key was unlocked at the window (outstanding codes stop working)",
          params: zItemParams,
          body: z.object({}).strict().optional(),
          response: {
            200: z.object({
              unlock: z.object({
                itemId: z.string(),
                mediaSerial: z.string(),
                unlockedAt: z.string(),
                unlockedVia: z.string(),
              }),
              order: zOrderDetail,
            }),
          },
        },
      },
      async (req) => {
        const unlock = await workbench.unlockedAtWindow(req.params.id, req.params.itemId, meta(req));
        return { unlock, order: await detail(req.params.id) };
      },
    );

    r.get(
      "/admin/orders/:id/items/:itemId/so-pin",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "The SO PIN of an unlock item's key, for unlocking it at the window (audited)",
          params: zItemParams,
          response: { 200: z.object({ mediaSerial: z.string(), soPin: z.string() }) },
        },
      },
      async (req, reply) => {
        const out = await workbench.soPin(req.params.id, req.params.itemId, meta(req));
        return reply.header("cache-control", "no-store").send(out);
      },
    );

    r.post(
      "/admin/orders/:id/complete",
      {
        preHandler: operator,
        schema: {
          tags,
          summary: "Hand over at the window or mail out: processing → completed (SMS)",
          params: zIdParam,
          body: zVersion.extend({
            how: z.enum(["handover", "mail"], { error: "办结方式应为 handover（窗口领取）或 mail（邮寄）" }),
            courier: z.string().trim().max(40).optional(),
            trackingNo: z
              .string()
              .trim()
              .max(40)
              .regex(/^[A-Za-z0-9-]*$/, { error: "快递单号只能包含字母、数字或连字符" })
              .optional(),
          }),
          response: { 200: zOrderDetail },
        },
      },
      async (req) => {
        await workbench.complete(req.params.id, req.body, meta(req));
        return detail(req.params.id);
      },
    );
  };
}
