import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../errors";
import { multipartReadError } from "../../lib/http";
import { safeEqual } from "../../lib/tokens";
import { requireApplicant, type SecurityDeps } from "../../plugins/security";
import { type PaymentService, presentPayment } from "./payment.service";
import { renderCashierPage } from "./sandbox.page";
import { type CheckedVoucher, checkVoucher, VOUCHER_MAX_BYTES, voucherTooLarge } from "./voucher";

const zIdParam = z.object({ id: z.string().min(1).max(64) });
const zStartOnline = z
  .object({
    channel: z.enum(["alipay", "wechat"], { error: "支付方式（channel）只能是 alipay 或 wechat" }).optional(),
    scene: z.enum(["native", "h5"], { error: "支付场景（scene）只能是 native 或 h5" }).optional(),
  })
  .optional();
const zVersionBody = z.object({ version: z.coerce.number().int().min(1).optional() });

export const zPayment = z.object({
  id: z.string(),
  method: z.enum(["online", "transfer", "zero"]),
  methodLabel: z.string(),
  provider: z.string().nullable(),
  status: z.string(),
  statusLabel: z.string(),
  amountFen: z.number(),
  outTradeNo: z.string(),
  hasVoucher: z.boolean(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  bookedAt: z.string().nullable(),
  returnReason: z.string().nullable(),
});

/** Alipay (and our sandbox, which imitates it) notify and post forms as application/x-www-form-urlencoded. */
function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 64 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
}

/** Reads the optional `voucher` file and `version` field of a multipart transfer declaration. */
async function readTransferForm(
  req: FastifyRequest,
): Promise<{ version?: number; voucher?: CheckedVoucher }> {
  if (!req.isMultipart()) {
    const body = req.body ?? {};
    if (typeof body !== "object" || Array.isArray(body)) {
      throw new AppError("VALIDATION_FAILED", '请求内容应为 JSON 对象，如 {"version": 3}', { field: "body" });
    }
    return parseVersion(body);
  }
  let voucher: CheckedVoucher | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts()) {
      if (part.type === "file") {
        if (part.fieldname !== "voucher") {
          await part.toBuffer();
          throw new AppError("VALIDATION_FAILED", "只能上传一个转账凭证文件（字段 voucher）", {
            field: "voucher",
          });
        }
        if (voucher)
          throw new AppError("VALIDATION_FAILED", "只能上传一个转账凭证文件", { field: "voucher" });
        voucher = checkVoucher(part.filename, await part.toBuffer());
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE") throw voucherTooLarge();
    if (code === "FST_FILES_LIMIT")
      throw new AppError("VALIDATION_FAILED", "只能上传一个转账凭证文件", { field: "voucher" });
    throw multipartReadError(err, "voucher");
  }
  return { ...parseVersion(fields), voucher };
}

function parseVersion(fields: object): { version?: number } {
  const parsed = zVersionBody.safeParse(fields);
  if (!parsed.success)
    throw new AppError("VALIDATION_FAILED", "订单版本号（version）无效", { field: "version" });
  return parsed.data;
}

/** Applicant payment routes and the provider notify endpoint, under /api/v1. */
export function paymentRoutes(deps: SecurityDeps & { payments: PaymentService }) {
  return async (app: FastifyInstance) => {
    acceptFormBodies(app);
    await app.register(multipart, {
      limits: { fileSize: VOUCHER_MAX_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6 },
    });
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { payments, config } = deps;
    const applicant = requireApplicant(deps);
    const tags = ["payments"];
    const me = (req: FastifyRequest) => req.applicant!.subjectId;

    r.get(
      "/payment-info",
      {
        schema: {
          tags,
          summary: "How to pay: our bank account for transfers, the remittance code rule, online provider",
          response: {
            200: z.object({
              bank: z.object({
                accountName: z.string(),
                bankName: z.string(),
                accountNo: z.string(),
                demo: z.boolean(),
              }),
              remittanceHint: z.string(),
              online: z.enum(["sandbox", "alipay", "none"]),
              channels: z.array(z.enum(["alipay", "wechat"])),
              voucher: z.object({ maxBytes: z.number(), types: z.array(z.string()) }),
            }),
          },
        },
      },
      async () => ({
        bank: config.payment.bank,
        remittanceHint:
          "银行转账时请在附言（用途/摘要）栏只填写本订单的 8 位汇款识别码，财务据此核对到账；转账金额须与订单金额一致。转账后请在订单页点击【提交转账信息】，可上传转账凭证。",
        online: config.payment.provider,
        channels: payments.channels(),
        voucher: { maxBytes: VOUCHER_MAX_BYTES, types: ["image/jpeg", "image/png", "application/pdf"] },
      }),
    );

    r.get(
      "/orders/:id/payments",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "The payments of one of my orders",
          params: zIdParam,
          response: {
            200: z.object({ remittanceCode: z.string(), totalFen: z.number(), payments: z.array(zPayment) }),
          },
        },
      },
      async (req) => {
        const { order, payments: rows } = await payments.listForOrder(me(req), req.params.id);
        return {
          remittanceCode: order.remittance_code,
          totalFen: order.total_fen,
          payments: rows.map(presentPayment),
        };
      },
    );

    r.post(
      "/orders/:id/payments/online",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "Start (or continue) an online payment: 支付宝 or 微信支付 (Native QR on desktop, H5 on phones); answers the cashier URL or the QR code's content",
          params: zIdParam,
          body: zStartOnline,
          response: {
            200: z.object({
              paymentId: z.string(),
              redirectUrl: z.string(),
              kind: z.enum(["redirect", "qr"]),
              channel: z.enum(["alipay", "wechat"]),
            }),
          },
        },
      },
      async (req) => payments.startOnline(me(req), req.params.id, { ip: req.ip }, req.body ?? {}),
    );

    r.post(
      "/orders/:id/payments/transfer",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "Declare a bank transfer: JSON {version} or multipart with an optional `voucher` file (JPEG/PNG/PDF, ≤ 5 MB)",
          params: zIdParam,
          response: { 201: zPayment },
        },
      },
      async (req, reply) => {
        const form = await readTransferForm(req);
        const p = await payments.declareTransfer(me(req), req.params.id, form, { ip: req.ip });
        return reply.code(201).send(presentPayment(p));
      },
    );

    r.post(
      "/orders/:id/payments/zero",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "支付（不扣款）: the zero-amount payment of a business that pays nothing",
          params: zIdParam,
          body: zVersionBody,
          response: { 201: zPayment },
        },
      },
      async (req, reply) => {
        const p = await payments.payZero(me(req), req.params.id, req.body, { ip: req.ip });
        return reply.code(201).send(presentPayment(p));
      },
    );

    // The provider's server calls this, not a browser: no session, no CSRF token; the signature is the proof.
    r.post(
      "/payments/notify/:provider",
      {
        config: { csrf: false },
        schema: {
          tags,
          summary: "Asynchronous payment notification (Alipay format, RSA2-signed); answers success or fail",
          params: z.object({ provider: z.string().max(20) }),
        },
      },
      async (req, reply) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const params: Record<string, string> = {};
        for (const [k, v] of Object.entries(body)) if (typeof v === "string") params[k] = v;
        const answer = await payments.handleNotification(req.params.provider, params, req.ip);
        return reply.type("text/plain; charset=utf-8").send(answer);
      },
    );
  };
}

/** The message of a refused WeChat notification, naming what was wrong (WeChat's dashboard shows it). */
const WECHAT_REFUSALS: Record<string, string> = {
  bad_signature: "验签失败：Wechatpay-Signature 不是微信支付平台对该报文的签名",
  stale: "Wechatpay-Timestamp 与服务器时间相差超过 5 分钟（过期或重放的通知）",
  malformed: "通知内容无效：resource 解密后缺少 out_trade_no、transaction_id 或 amount，或商户号不符",
  provider_not_enabled: "微信支付未开通",
  unknown_trade: "out_trade_no 不是本平台的微信支付订单",
  amount_mismatch: "amount.total 与支付单金额不符",
  trade_no_mismatch: "transaction_id 与已处理的通知不符",
  unknown_order: "订单不存在",
};

/**
 * WeChat Pay's notify endpoint (and the sandbox's WeChat one): JSON signed over the raw body, so this
 * scope reads application/json as text; the body is parsed only after its signature verified. Static
 * routes, so they take precedence over the Alipay-style /payments/notify/:provider.
 * Answers as WeChat Pay expects: 204 without a body stops its retries; 4xx with {code: FAIL} retries.
 */
export function wechatNotifyRoutes(deps: { payments: PaymentService }) {
  return async (app: FastifyInstance) => {
    app.addContentTypeParser(
      "application/json",
      { parseAs: "string", bodyLimit: 64 * 1024 },
      (_req, body, done) => done(null, body),
    );
    const r = app.withTypeProvider<ZodTypeProvider>();
    for (const provider of ["wechatpay", "sandbox_wechat"] as const) {
      r.post(
        `/payments/notify/${provider}`,
        {
          config: { csrf: false },
          schema: {
            tags: ["payments"],
            summary: `Asynchronous ${provider === "wechatpay" ? "WeChat Pay" : "sandbox WeChat"} notification (APIv3, Wechatpay-Signature, AEAD_AES_256_GCM)`,
          },
        },
        async (req, reply) => {
          const header = (name: string) => {
            const v = req.headers[name];
            return typeof v === "string" ? v : "";
          };
          const params = {
            timestamp: header("wechatpay-timestamp"),
            nonce: header("wechatpay-nonce"),
            signature: header("wechatpay-signature"),
            serial: header("wechatpay-serial"),
            body: typeof req.body === "string" ? req.body : "",
          };
          const r = await deps.payments.handleNotificationDetailed(provider, params, req.ip);
          if (r.answer === "success") return reply.code(204).send();
          return reply.code(400).send({ code: "FAIL", message: WECHAT_REFUSALS[r.reason] ?? "失败" });
        },
      );
    }
  };
}

/** The sandbox cashier pages, at the site root like a provider's own pages (only with PAYMENT_PROVIDER=sandbox). */
export function sandboxCashierRoutes(deps: { payments: PaymentService }) {
  return async (app: FastifyInstance) => {
    acceptFormBodies(app);
    const r = app.withTypeProvider<ZodTypeProvider>();
    const params = z.object({ paymentId: z.string().min(1).max(64) });

    r.get("/sandbox-pay/:paymentId", { schema: { hide: true, params } }, async (req, reply) => {
      const p = await deps.payments.sandboxCheckout(req.params.paymentId);
      return sendHtml(
        reply,
        renderCashierPage({
          paymentId: p.id,
          orderId: p.order_id,
          orderNo: p.order_no,
          amountFen: p.amount_fen,
          status: p.status,
          csrfToken: req.csrfToken!,
          channel: p.provider === "sandbox_wechat" ? "wechat" : "alipay",
        }),
      );
    });

    // A plain form POST (no script: the CSP allows none inline). The form echoes the CSRF cookie in a
    // hidden field, because a form cannot set the x-csrf-token header the API uses.
    r.post(
      "/sandbox-pay/:paymentId/confirm",
      { config: { csrf: false }, schema: { hide: true, params } },
      async (req, reply) => {
        const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
        if (typeof sent !== "string" || !req.csrfToken || !safeEqual(sent, req.csrfToken)) {
          throw new AppError("CSRF_FAILED", "页面已过期或请求来源不可信，请返回订单重新发起支付");
        }
        const { orderId } = await deps.payments.sandboxConfirm(req.params.paymentId);
        // ?payment=returned tells the order page to watch for the asynchronous notification.
        return reply.redirect(`/orders/${encodeURIComponent(orderId)}?payment=returned`, 303);
      },
    );
  };
}

function sendHtml(reply: FastifyReply, html: string) {
  return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(html);
}
