import { createSign, createVerify, type KeyObject } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buildApp } from "../../app";
import type { Clock } from "../../lib/clock";
import { seedDemoData, seedReferenceData } from "../../seed";
import { accountIdOf, buildCaType, buildCompany } from "../../test/factories";
import {
  type Client,
  createTestDatabase,
  registerApplicant,
  staffClient,
  type TestApp,
  testClock,
} from "../../test/harness";
import { type PaymentProvider, rsa2Sign } from "./payment.provider";
import type { NotifyFormat } from "./payment.service";

export interface SentNotification {
  url: string;
  params: Record<string, string>;
  format?: NotifyFormat;
}

/** The test app with the sandbox's notification sender replaced by a recorder (tests deliver them). */
export async function createPaymentTestApp(
  opts: {
    env?: Record<string, string>;
    realSender?: boolean;
    /** The WeChat-channel provider to use instead of the configured one (built on the test clock). */
    wechat?: (clock: Clock) => PaymentProvider | null;
  } = {},
): Promise<TestApp & { sent: SentNotification[] }> {
  const { config, database, cleanup } = await createTestDatabase(opts.env);
  const time = testClock();
  await seedReferenceData(database.db, time.clock);
  await seedDemoData(database.db, time.clock);
  const sent: SentNotification[] = [];
  const app = await buildApp({
    config,
    database,
    clock: time.clock,
    webDist: null,
    payments: {
      ...(opts.realSender ? {} : { sender: (url, params, format) => sent.push({ url, params, format }) }),
      ...(opts.wechat ? { wechat: opts.wechat(time.clock) } : {}),
    },
  });
  await app.ready();
  return {
    app,
    config,
    database,
    time,
    sent,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

export const HANDLER = { name: "李经办", idNumber: "11010519491231002X", phone: "13700001111" };

let phoneCounter = 0;

/** A new applicant with a company, and a CA type priced 300 + 80 + 200 yuan for one year. */
export async function newApplicant(t: TestApp) {
  const phone = `1360${String(process.pid % 1000).padStart(3, "0")}${String(++phoneCounter).padStart(4, "0")}`;
  const client = await registerApplicant(t, phone);
  const accountId = await accountIdOf(t.database.db, phone);
  const company = await buildCompany(t.database.db, accountId);
  const caType = await buildCaType(t.database.db);
  return { client, accountId, companyId: company.id, caTypeId: caType.id };
}

/** An order of 新证 taken through submit and a reviewer's approval: awaiting payment. */
export async function approvedOrder(t: TestApp, a: Awaited<ReturnType<typeof newApplicant>>) {
  const created = await a.client.post("/api/v1/orders", {
    business: "new",
    subjectKind: "company",
    handler: HANDLER,
    items: [{ subjectId: a.companyId, caTypeId: a.caTypeId, years: 1, eseal: false }],
    submit: true,
  });
  if (created.status !== 201) throw new Error(`create ${created.status} ${JSON.stringify(created.body)}`);
  const reviewer = await staffClient(t, "reviewer");
  const started = await reviewer.post(`/api/v1/admin/orders/${created.body.id}/start-review`, {
    version: created.body.version,
  });
  const approved = await reviewer.post(`/api/v1/admin/orders/${created.body.id}/approve`, {
    version: started.body.version,
  });
  if (approved.body.state !== "awaiting_payment") throw new Error(`approve ${JSON.stringify(approved.body)}`);
  return approved.body as {
    id: string;
    orderNo: string;
    version: number;
    totalFen: number;
    remittanceCode: string;
  };
}

/** Delivers a notification the way the provider's server would: form-encoded, no cookies, no CSRF header. */
export async function deliver(t: TestApp, params: Record<string, string>, provider = "sandbox") {
  const res = await t.app.inject({
    method: "POST",
    url: `/api/v1/payments/notify/${provider}`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams(params).toString(),
  });
  return { status: res.statusCode, body: res.body };
}

/** A multipart body with one file field (and optional text fields), as a browser's FormData sends it. */
export function multipart(
  file: { field: string; filename: string; contentType: string; data: Buffer } | null,
  fields: Record<string, string> = {},
) {
  const boundary = `----certhall${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
      ),
      file.data,
      Buffer.from("\r\n"),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A real (tiny) PNG: the 8-byte signature and an IHDR chunk. */
export const PNG_BYTES = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

export async function uploadVoucher(
  client: Client,
  orderId: string,
  file: Parameters<typeof multipart>[0],
  fields: Record<string, string> = {},
) {
  const m = multipart(file, fields);
  return client.request("POST", `/api/v1/orders/${orderId}/payments/transfer`, m.body, {
    "content-type": m.contentType,
  });
}

/** A request the fake Alipay gateway received, with whether our application's signature verifies. */
export interface GatewayCall {
  method: string;
  params: Record<string, string>;
  bizContent: Record<string, unknown>;
  signatureValid: boolean;
}

/**
 * A local stand-in for Alipay's openapi gateway: reads a signed request (common parameters in the query,
 * the rest form-encoded in the body, as alipay-sdk sends them), checks our RSA2 signature with our
 * application's public key, and answers `answer(call)` signed with "Alipay's" private key the way
 * Alipay signs (over the JSON text of `<method>_response`).
 */
export async function startFakeAlipayGateway(keys: {
  appPublicKey: KeyObject;
  alipayPrivateKey: KeyObject;
  answer?: (call: GatewayCall) => { body: Record<string, unknown>; badSign?: boolean };
}) {
  const calls: GatewayCall[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://gateway");
      const params: Record<string, string> = {
        ...Object.fromEntries(url.searchParams),
        ...Object.fromEntries(new URLSearchParams(raw)),
      };
      const content = Object.keys(params)
        .filter((k) => k !== "sign")
        .sort()
        .map((k) => `${k}=${params[k]}`)
        .join("&");
      const signatureValid = createVerify("RSA-SHA256")
        .update(content, "utf8")
        .verify(keys.appPublicKey, params.sign ?? "", "base64");
      const call: GatewayCall = {
        method: params.method ?? "",
        params,
        bizContent: JSON.parse(params.biz_content ?? "{}") as Record<string, unknown>,
        signatureValid,
      };
      calls.push(call);
      const answer = keys.answer?.(call) ?? {
        body: signatureValid
          ? {
              code: "10000",
              msg: "Success",
              out_trade_no: call.bizContent.out_trade_no,
              trade_no: "2026112522001400000000000001",
            }
          : {
              code: "40002",
              msg: "Invalid Arguments",
              sub_code: "isv.invalid-signature",
              sub_msg: "验签出错",
            },
      };
      const inner = JSON.stringify(answer.body);
      const sign = createSign("RSA-SHA256")
        .update(answer.badSign ? `${inner} ` : inner, "utf8")
        .sign(keys.alipayPrivateKey, "base64");
      res.setHeader("content-type", "application/json;charset=utf-8");
      res.end(`{"${call.method.replaceAll(".", "_")}_response":${inner},"sign":"${sign}"}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A TRADE_SUCCESS notification as Alipay sends it, signed with "Alipay's" key by Alipay's rule. */
export function alipayNotice(
  over: Record<string, string>,
  alipayPrivateKey: KeyObject,
): Record<string, string> {
  const p: Record<string, string> = {
    notify_time: "2026-11-25 10:00:00",
    notify_type: "trade_status_sync",
    notify_id: "ac05099524730693a8b330c5ecf72da9786",
    charset: "utf-8",
    version: "1.0",
    trade_no: "2026112522001401234567890123",
    total_amount: "580.00",
    trade_status: "TRADE_SUCCESS",
    subject: "数字证书服务 订单 CH20261125100000",
    gmt_payment: "2026-11-25 10:00:00",
    sign_type: "RSA2",
    ...over,
  };
  p.sign = rsa2Sign(p, alipayPrivateKey);
  return p;
}
