import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "./config";
import type { DbHandle } from "./db/database";
import { type Clock, systemClock } from "./lib/clock";
import { zProblem } from "./lib/http";
import { logRequest } from "./lib/log-url";
import type { SharedState } from "./lib/shared-state";
import { isWebAsset, webStaticOptions } from "./lib/web-static";
import { installChineseZodMessages } from "./lib/zod-zh";
import { accountRoutes } from "./modules/accounts/account.routes";
import { createAccountService } from "./modules/accounts/account.service";
import { createSmsCodeService } from "./modules/accounts/sms-code.service";
import { auditRoutes } from "./modules/audit/audit.routes";
import { catalogRoutes } from "./modules/catalog/catalog.routes";
import { createCatalogService } from "./modules/catalog/catalog.service";
import { certificateRoutes } from "./modules/certificates/certificate.routes";
import { createCertificateService } from "./modules/certificates/certificate.service";
import { type DevClock, devClockRoutes, devToolsAllowed } from "./modules/dev/dev-clock";
import { esealRoutes } from "./modules/eseal/eseal.routes";
import { createEsealService } from "./modules/eseal/eseal.service";
import { financeRoutes } from "./modules/finance/finance.routes";
import { createFinanceService } from "./modules/finance/finance.service";
import { createInvoiceProvider } from "./modules/invoices/invoice.factory";
import type { InvoiceProvider } from "./modules/invoices/invoice.provider";
import { invoiceRoutes } from "./modules/invoices/invoice.routes";
import { createInvoiceService } from "./modules/invoices/invoice.service";
import { devMailRoutes } from "./modules/mail/mail.outbox";
import { formRoutes } from "./modules/materials/forms.routes";
import { materialRoutes } from "./modules/materials/material.routes";
import { createMaterialService } from "./modules/materials/material.service";
import { createMaterialStore } from "./modules/materials/material.store";
import { noticeRoutes } from "./modules/notices/notices";
import { orderRoutes } from "./modules/orders/order.routes";
import { createOrderService } from "./modules/orders/order.service";
import { createPaymentProvider, createWechatProvider } from "./modules/payments/payment.factory";
import type { PaymentProvider } from "./modules/payments/payment.provider";
import { paymentRoutes, sandboxCashierRoutes, wechatNotifyRoutes } from "./modules/payments/payment.routes";
import {
  createPaymentService,
  fetchNotificationSender,
  type NotificationSender,
} from "./modules/payments/payment.service";
import { createProviderTradeCloser } from "./modules/payments/trade-close";
import { sharedCoordination } from "./modules/pki/ca.coordination";
import { type CaService, createCaService } from "./modules/pki/ca.service";
import { ocspFastPath } from "./modules/pki/ocsp.fast-path";
import { pkiPublicRoutes, pkiServiceRoutes } from "./modules/pki/pki.routes";
import { progressRoutes } from "./modules/progress/progress.routes";
import { createProgressService } from "./modules/progress/progress.service";
import { createInboundMail } from "./modules/queues/inbound-mail";
import { queueRoutes } from "./modules/queues/queue.routes";
import { receiptRoutes } from "./modules/receipts/receipt.routes";
import { createReceiptService } from "./modules/receipts/receipt.service";
import { reconciliationRoutes } from "./modules/reconciliation/reconciliation.routes";
import { createReconciliationService } from "./modules/reconciliation/reconciliation.service";
import { renewalRoutes } from "./modules/renewal/renewal.routes";
import { createRenewalService } from "./modules/renewal/renewal.service";
import { reportRoutes } from "./modules/reports/reports.routes";
import { createReportService } from "./modules/reports/reports.service";
import { settingsRoutes } from "./modules/settings/settings.routes";
import { createSettingsService } from "./modules/settings/settings.service";
import { devSmsRoutes } from "./modules/sms/sms.routes";
import { staffRoutes } from "./modules/staff/staff.routes";
import { createStaffService } from "./modules/staff/staff.service";
import { subjectRoutes } from "./modules/subjects/subject.routes";
import { createSubjectService } from "./modules/subjects/subject.service";
import { unlockRoutes } from "./modules/unlock/unlock.routes";
import { windowRoutes } from "./modules/windows/window.routes";
import { createWindowService } from "./modules/windows/window.service";
import { workbenchRoutes } from "./modules/workbench/workbench.routes";
import { createWorkbenchService } from "./modules/workbench/workbench.service";
import { registerErrorHandler, sendProblem } from "./plugins/error-handler";
import { registerInputGuard } from "./plugins/input-guard";
import { registerSecurity } from "./plugins/security";

export interface AppDeps {
  config: Config;
  database: DbHandle;
  clock?: Clock;
  /** Where the built web app lives; absent in API-only tests. */
  webDist?: string | null;
  /** Log destination (tests capture it); stdout by default. */
  logStream?: NodeJS.WritableStream;
  /** The CA service (bootstrapped by main.ts); built here, loading existing CAs only, when absent. */
  ca?: CaService;
  /** Payment overrides for tests: the provider (default: PAYMENT_PROVIDER's) and the sandbox's notification sender. */
  payments?: {
    provider?: PaymentProvider | null;
    wechat?: PaymentProvider | null;
    sender?: NotificationSender;
  };
  /** The e-invoice provider for tests (default: INVOICE_PROVIDER's). */
  invoices?: { provider?: InvoiceProvider | null };
  /** The development server's movable clock (main.ts); ignored outside the dev tools' guard. */
  devClock?: DevClock;
  /** Shared with the other instances (lib/shared-state.ts): rate limits in its Redis when there is one. */
  shared?: Pick<SharedState, "redis" | "prefix" | "bus" | "exclusive">;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_DIST = path.resolve(here, "../../web/dist");

/**
 * Logs carry request ids but no secrets or personal data: cookies, CSRF tokens, passwords, SMS codes,
 * phone and ID numbers are redacted wherever they appear in a logged object, and query values (search
 * terms) in logged URLs (lib/log-url.ts).
 */
export const LOG_REDACT = [
  "req.headers.cookie",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.newPassword",
  "*.currentPassword",
  "*.code",
  "*.phone",
  "*.idNumber",
  "*.idCard",
];

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  installChineseZodMessages();
  const { config } = deps;
  const devClock = deps.devClock && devToolsAllowed(config) ? deps.devClock : null;
  const clock = deps.clock ?? devClock?.clock ?? systemClock;
  const db = deps.database.db;

  let fastOcsp: ReturnType<typeof ocspFastPath> | undefined;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: LOG_REDACT, censor: "[redacted]" },
      serializers: { req: logRequest },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // OCSP requests are answered before Fastify's routing and hooks (modules/pki/ocsp.fast-path.ts).
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        if (!fastOcsp?.(req, res)) handler(req, res);
      }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerInputGuard(app);

  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    reply.header("x-frame-options", "DENY");
    if (!req.url.startsWith("/api/docs")) {
      // connect-src also allows 证书助手 on this computer's loopback (packages/assistant, docs/assistant.md).
      reply.header(
        "content-security-policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' http://127.0.0.1:*; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
      );
    }
  });

  // The tighter per-route limits (strictRateLimit) scale by one factor, applied before the rate-limit
  // plugin reads them (its own onRoute hook runs after this one).
  // Each route gets its own scaled copy: Fastify's automatic HEAD route shares the GET route's config
  // object, which would otherwise be scaled twice.
  if (config.rateLimitStrictFactor !== 1) {
    app.addHook("onRoute", (route) => {
      const routeConfig = route.config as { rateLimit?: { max?: unknown } } | undefined;
      const limit = routeConfig?.rateLimit;
      if (!limit || typeof limit.max !== "number") return;
      route.config = {
        ...routeConfig,
        rateLimit: { ...limit, max: limit.max * config.rateLimitStrictFactor },
      };
    });
  }
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: "1 minute",
    // Several instances count in one Redis (DESIGN §10); a Redis outage lets requests through rather
    // than failing them (login lockouts and SMS caps are in the database and still hold).
    ...(deps.shared?.redis
      ? { redis: deps.shared.redis, nameSpace: `${deps.shared.prefix}rl:`, skipOnError: true }
      : {}),
    // A first visit fetches a dozen or more hashed chunks (cached for a year afterwards): they must not
    // use up the budget of an office behind one address.
    allowList: (req) => isWebAsset(req.url),
    errorResponseBuilder: (_req, ctx) => {
      const seconds = Math.max(1, Math.ceil(ctx.ttl / 1000));
      return Object.assign(new Error(`rate limited`), { statusCode: 429, retryAfter: seconds });
    },
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: "certhall API",
        description:
          "RA service platform (网上营业厅) of a certificate authority. Errors are application/problem+json with a stable `code` and a Chinese `detail`. State-changing requests need the `x-csrf-token` header echoing the `certhall_csrf` cookie.",
        version: "0.1.0",
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });

  await registerSecurity(app, { config, db, clock });

  const security = { config, db, clock };
  const smsCodes = createSmsCodeService({ db, clock, config });
  const accounts = createAccountService({ db, clock, config, smsCodes });
  const staff = createStaffService({ db, clock });
  const windows = createWindowService({ db, clock });
  const subjects = createSubjectService({ db, clock });
  const catalog = createCatalogService({ db, clock });
  const settings = createSettingsService({ db, clock });
  const paymentProvider =
    deps.payments?.provider !== undefined ? deps.payments.provider : createPaymentProvider(config);
  const wechatProvider =
    deps.payments?.wechat !== undefined ? deps.payments.wechat : createWechatProvider(config, clock);
  const payments = createPaymentService({
    db,
    clock,
    config,
    provider: paymentProvider,
    wechat: wechatProvider,
    sender: deps.payments?.sender ?? fetchNotificationSender(app.log),
    log: app.log,
  });
  const invoices = createInvoiceService({
    db,
    clock,
    provider: deps.invoices?.provider !== undefined ? deps.invoices.provider : createInvoiceProvider(config),
    log: app.log,
  });
  const finance = createFinanceService({ db, clock, signName: config.sms.signName });
  const reconciliation = createReconciliationService({ db, clock, signName: config.sms.signName });
  const reports = createReportService({ db, clock });
  const receipts = createReceiptService({ db, clock, config });
  const coordination = deps.shared && sharedCoordination(deps.shared.bus, deps.shared.exclusive);
  const ca = deps.ca ?? createCaService({ db, clock, config, coordination });
  if (!deps.ca) await ca.loadAll();
  const materials = createMaterialService({ db, clock, store: createMaterialStore(config.dataDir) });
  const orders = createOrderService({
    db,
    clock,
    config,
    onStep: materials.onOrderStep,
    ourCas: () => ca.list().map((c) => ({ certDer: c.certDer })),
    closeTradesAtProvider: createProviderTradeCloser({
      db,
      clock,
      provider: paymentProvider,
      wechat: wechatProvider,
      log: app.log,
    }),
  });
  const workbench = createWorkbenchService({ db, clock, config, ca });
  const certificates = createCertificateService({ db, clock, ca });
  const renewal = createRenewalService({ db, clock, config, ca });
  const eseals = createEsealService({ db, clock, config, ca });
  await app.register(pkiPublicRoutes({ ca }));
  fastOcsp = ocspFastPath(ca, { trustProxy: config.trustProxy });

  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/health",
    {
      schema: {
        tags: ["system"],
        summary: "Liveness and database check",
        response: {
          200: z.object({ status: z.literal("ok"), db: z.enum(["sqlite", "postgres"]) }),
          503: zProblem,
        },
      },
    },
    async (_req, reply) => {
      try {
        await db.selectFrom("audit_head").select("id").limit(1).execute();
      } catch {
        return sendProblem(reply, { status: 503, code: "UNAVAILABLE", detail: "数据库不可用" });
      }
      return { status: "ok" as const, db: deps.database.kind };
    },
  );

  await app.register(
    async (v1) => {
      v1.withTypeProvider<ZodTypeProvider>().get(
        "/csrf",
        {
          schema: {
            tags: ["system"],
            summary: "A CSRF token (also set as the certhall_csrf cookie)",
            response: { 200: z.object({ token: z.string() }) },
          },
        },
        async (req) => ({ token: req.csrfToken! }),
      );
      await v1.register(accountRoutes({ ...security, accounts }));
      await v1.register(staffRoutes({ ...security, staff }));
      await v1.register(windowRoutes({ ...security, windows }));
      await v1.register(auditRoutes({ ...security, ca }));
      await v1.register(subjectRoutes({ ...security, subjects }));
      await v1.register(catalogRoutes({ ...security, catalog }));
      await v1.register(settingsRoutes({ ...security, settings }));
      await v1.register(orderRoutes({ ...security, orders }));
      await v1.register(materialRoutes({ ...security, materials }));
      await v1.register(formRoutes(security));
      await v1.register(progressRoutes({ ...security, progress: createProgressService({ db, smsCodes }) }));
      await v1.register(paymentRoutes({ ...security, payments }));
      await v1.register(wechatNotifyRoutes({ payments }));
      await v1.register(invoiceRoutes({ ...security, invoices }));
      await v1.register(financeRoutes({ ...security, finance }));
      await v1.register(reconciliationRoutes({ ...security, reconciliation }));
      await v1.register(reportRoutes({ ...security, reports }));
      await v1.register(workbenchRoutes({ ...security, orders, workbench }));
      await v1.register(noticeRoutes(security));
      await v1.register(
        queueRoutes({
          ...security,
          workbench,
          mail: createInboundMail({ db, clock }),
          signName: config.sms.signName,
        }),
      );
      await v1.register(unlockRoutes(security));
      await v1.register(certificateRoutes({ ...security, certificates }));
      await v1.register(renewalRoutes({ ...security, renewal }));
      await v1.register(esealRoutes({ ...security, eseals }));
      await v1.register(receiptRoutes({ ...security, receipts }));
      await v1.register(pkiServiceRoutes({ ca, serviceToken: config.ca.serviceToken }));
      // The outbox lists every verification code: never served in production, even when SMS_PROVIDER
      // was left at its dev default (it would let anyone register or reset the password of any phone).
      if (config.sms.provider === "dev" && config.env !== "production")
        await v1.register(devSmsRoutes({ db }));
      if (config.email.provider === "dev" && config.env !== "production")
        await v1.register(devMailRoutes({ db }));
      else if (config.sms.provider === "dev")
        app.log.warn("SMS_PROVIDER=dev in production: messages stay in the outbox and are not sent");
      if (devClock) await v1.register(devClockRoutes({ devClock }));
    },
    { prefix: "/api/v1" },
  );
  if (config.payment.provider === "sandbox") await app.register(sandboxCashierRoutes({ payments }));

  const webDist = deps.webDist === undefined ? DEFAULT_WEB_DIST : deps.webDist;
  const serveWeb = webDist !== null && existsSync(path.join(webDist, "index.html"));
  if (serveWeb) {
    await app.register(fastifyStatic, webStaticOptions(webDist));
  }

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split("?")[0] ?? "/";
    // The single-page app owns every other GET path (/, /login, /admin/...). A missing asset or any
    // path with a file extension is a real 404: answering index.html there would hide a stale build.
    if (
      serveWeb &&
      (req.method === "GET" || req.method === "HEAD") &&
      !url.startsWith("/api/") &&
      !url.startsWith("/pki/") &&
      !url.startsWith("/assets/") &&
      !/\.[a-z0-9]{1,5}$/i.test(url)
    ) {
      return reply.type("text/html; charset=utf-8").sendFile("index.html");
    }
    return sendProblem(reply, { status: 404, code: "NOT_FOUND", detail: `接口不存在：${req.method} ${url}` });
  });

  return app;
}
