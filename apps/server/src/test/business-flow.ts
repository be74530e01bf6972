// Shared set-up for the businesses that act on a certificate already issued (延期, 电子签章开通, …): an
// app with a real CA whose sandbox payment notifications the test delivers, an applicant holding a
// certificate issued by the window from a real CSR, orders paid online through the sandbox cashier.
// Everything goes through the HTTP API. Not imported by production code.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BusinessCode } from "@certhall/domain";
import { buildApp } from "../app";
import { systemClock } from "../lib/clock";
import { issuedCertificates } from "../modules/orders/order.test-flow";
import { multipart, type SentNotification } from "../modules/payments/payment.test-support";
import { createCaService } from "../modules/pki/ca.service";
import { opensslOk } from "../modules/pki/test-support";
import { type FlowApp, HANDLER, opensslCsr } from "../modules/workbench/test-flow";
import { seedDemoData, seedReferenceData } from "../seed";
import {
  type Client,
  createTestDatabase,
  registerApplicant,
  STRONG_PASSWORD,
  staffClient,
  testClock,
} from "./harness";

export { HANDLER };

export interface BusinessApp extends FlowApp {
  /** Sandbox payment notifications, delivered by the test (deliverLast) as the provider would. */
  sent: SentNotification[];
  /** A scratch directory for keys and files, removed on close. */
  dir: string;
  staff: { reviewer: Client; operator: Client; finance: Client };
}

/**
 * The app with a real CA (system clock) and the app's own movable clock starting now, demo staff
 * logged in, and the sandbox notification sender replaced by a recorder.
 */
export async function createBusinessApp(
  opts: { logStream?: NodeJS.WritableStream } = {},
): Promise<BusinessApp> {
  const { config, database, cleanup } = await createTestDatabase({ PUBLIC_URL: "http://ca.test.example" });
  const time = testClock(new Date().toISOString());
  await seedReferenceData(database.db, time.clock);
  await seedDemoData(database.db, time.clock);
  const ca = createCaService({ db: database.db, clock: systemClock, config });
  await ca.bootstrap();
  const sent: SentNotification[] = [];
  const app = await buildApp({
    config,
    database,
    ca,
    clock: time.clock,
    webDist: null,
    payments: { sender: (url, params) => sent.push({ url, params }) },
    ...(opts.logStream ? { logStream: opts.logStream, config: { ...config, logLevel: "info" } } : {}),
  });
  await app.ready();
  const dir = mkdtempSync(path.join(os.tmpdir(), "certhall-business-"));
  const t = { app, config, database, time, ca, sent, dir } as BusinessApp;
  t.staff = {
    reviewer: await staffClient(t, "reviewer"),
    operator: await staffClient(t, "operator"),
    finance: await staffClient(t, "finance"),
  };
  t.close = async () => {
    await app.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  return t;
}

/**
 * Moves the app's clock. Sessions do not survive a jump of months (idle and absolute limits), so the
 * staff and the given applicants log in again at the new time.
 */
export async function moveClock(
  t: BusinessApp,
  at: Date | string,
  applicants: { client: Client; phone: string }[] = [],
): Promise<void> {
  t.time.set(typeof at === "string" ? at : at.toISOString());
  t.staff = {
    reviewer: await staffClient(t, "reviewer"),
    operator: await staffClient(t, "operator"),
    finance: await staffClient(t, "finance"),
  };
  for (const a of applicants) {
    const res = await a.client.post("/api/v1/auth/login", { phone: a.phone, password: STRONG_PASSWORD });
    if (res.status !== 200) throw new Error(`login ${res.status} ${JSON.stringify(res.body)}`);
  }
}

let phoneCounter = 0;

/** A new applicant account with its own phone number. */
export async function newAccount(
  t: BusinessApp,
): Promise<{ client: Client; phone: string; accountId: string }> {
  const phone = `1390${String(process.pid % 1000).padStart(3, "0")}${String(++phoneCounter).padStart(4, "0")}`;
  const client = await registerApplicant(t, phone);
  const row = await t.database.db
    .selectFrom("accounts")
    .select("id")
    .where("phone", "=", phone)
    .executeTakeFirstOrThrow();
  return { client, phone, accountId: row.id };
}

export interface IssuedCertificate {
  client: Client;
  accountId: string;
  phone: string;
  /** The 新证 order that produced it. */
  orderId: string;
  serial: string;
  notAfter: Date;
  mediaSerial: string;
  /** The openssl private key (PEM file) when the CSR was made by openssl. */
  keyFile: string | null;
}

/**
 * An account holding one certificate: a 新证 order for a company, reviewed, paid and booked, the
 * materials received, issued by the window from a CSR (openssl's, or the one `csr` makes, e.g. a
 * token's) on a recorded USB key, and handed over. `years` is the validity bought.
 */
export async function accountWithCertificate(
  t: BusinessApp,
  opts: {
    account?: { client: Client; phone: string; accountId: string };
    caType?: string;
    years?: number;
    csr?: () => Promise<string>;
  } = {},
): Promise<IssuedCertificate> {
  const account = opts.account ?? (await newAccount(t));
  const { reviewer, operator } = t.staff;
  const issued = await issuedCertificates(t, { applicant: account.client, reviewer, operator }, t.dir, {
    caTypes: [{ code: opts.caType ?? "enterprise-sign", years: opts.years ?? 1 }],
    ...(opts.csr ? { csr: opts.csr } : {}),
  });
  return {
    ...account,
    orderId: issued.orderId,
    serial: issued.serials[0]!,
    notAfter: issued.notAfters[0]!,
    mediaSerial: issued.mediaSerials[0]!,
    keyFile: issued.keyFiles[0]!,
  };
}

/** A CSR over an existing openssl key (the "keep the key" case of 延期). */
export async function opensslCsrForKey(t: BusinessApp, keyFile: string): Promise<string> {
  return opensslOk(["req", "-new", "-key", keyFile, "-subj", "/CN=renew"], t.dir);
}

/** A fresh openssl key and its CSR (the "new key" case). */
export async function freshCsr(t: BusinessApp, name: string): Promise<string> {
  return opensslCsr(t.dir, name);
}

/** Files an order of `business` on the applicant's certificates through POST /orders, submitted. */
export async function fileOrder(
  client: Client,
  business: BusinessCode,
  items: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) {
  return client.post("/api/v1/orders", {
    business,
    subjectKind: "company",
    handler: HANDLER,
    items,
    submit: true,
    ...extra,
  });
}

/**
 * Pays an order online as the payer would: starts the payment, confirms in the sandbox cashier, and
 * delivers the signed notification the sandbox sent. Returns the order's state afterwards.
 */
export async function payOnline(t: BusinessApp, client: Client, orderId: string): Promise<string> {
  const started = await client.post(`/api/v1/orders/${orderId}/payments/online`);
  if (started.status !== 200) throw new Error(`pay ${started.status} ${JSON.stringify(started.body)}`);
  const page = await client.get(started.body.redirectUrl);
  const token = /name="_csrf" value="([^"]+)"/.exec(String(page.body))?.[1];
  if (!token) throw new Error("no cashier form");
  const before = t.sent.length;
  const confirmed = await client.request(
    "POST",
    `${started.body.redirectUrl}/confirm`,
    `_csrf=${encodeURIComponent(token)}`,
    { "content-type": "application/x-www-form-urlencoded" },
  );
  if (confirmed.status !== 303 || t.sent.length !== before + 1) throw new Error("cashier did not notify");
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/payments/notify/sandbox",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams(t.sent.at(-1)!.params).toString(),
  });
  if (res.body !== "success") throw new Error(`notify answered ${res.statusCode} ${res.body}`);
  return orderState(t, orderId);
}

/** Declares a bank transfer (no voucher) and has finance book it. Returns the state after each step. */
export async function payByTransfer(t: BusinessApp, client: Client, orderId: string) {
  const order = await client.get(`/api/v1/orders/${orderId}`);
  const declared = await client.post(`/api/v1/orders/${orderId}/payments/transfer`, {
    version: order.body.version,
  });
  if (declared.status !== 201)
    throw new Error(`transfer ${declared.status} ${JSON.stringify(declared.body)}`);
  const afterDeclare = await orderState(t, orderId);
  const payment = await t.database.db
    .selectFrom("payments")
    .select("id")
    .where("order_id", "=", orderId)
    .where("method", "=", "transfer")
    .executeTakeFirstOrThrow();
  const version = (await client.get(`/api/v1/orders/${orderId}`)).body.version;
  const booked = await t.staff.finance.post(`/api/v1/admin/payments/${payment.id}/book`, { version });
  if (booked.status !== 200) throw new Error(`book ${booked.status} ${JSON.stringify(booked.body)}`);
  return { afterDeclare, afterBook: await orderState(t, orderId) };
}

export async function orderState(t: BusinessApp, orderId: string): Promise<string> {
  const o = await t.database.db
    .selectFrom("orders")
    .select("state")
    .where("id", "=", orderId)
    .executeTakeFirstOrThrow();
  return o.state;
}

/** Uploads a seal picture through POST /uploads/seal (multipart field sealImage). */
export async function uploadSeal(
  client: Client,
  data: Buffer,
  opts: { field?: string; filename?: string; contentType?: string } = {},
) {
  const m = multipart({
    field: opts.field ?? "sealImage",
    filename: opts.filename ?? "seal.png",
    contentType: opts.contentType ?? "image/png",
    data,
  });
  return client.request("POST", "/api/v1/uploads/seal", m.body, { "content-type": m.contentType });
}
