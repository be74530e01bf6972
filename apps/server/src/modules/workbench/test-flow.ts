// Test helpers for the window workbench and the wallet: an app with a bootstrapped CA and demo staff on
// a clean database (SQLite, or PostgreSQL when DATABASE_URL is set), and an order driven to
// awaiting_materials. Not imported by production code.
import { readFileSync } from "node:fs";
import path from "node:path";
import { BUSINESS_TYPES, type BusinessCode, materialsFor } from "@certhall/domain";
import { buildApp } from "../../app";
import type { Order } from "../../db/tables.orders";
import { systemClock } from "../../lib/clock";
import { seedDemoData, seedReferenceData } from "../../seed";
import { type Client, createTestDatabase, type TestApp, testClock } from "../../test/harness";
import { applyTransition } from "../orders/order.transition";
import { createCaService } from "../pki/ca.service";
import { openssl, opensslOk, write } from "../pki/test-support";

export interface FlowApp extends TestApp {
  ca: ReturnType<typeof createCaService>;
}

/** The app under test with a real CA. Its clock starts now (the CA's is the system clock) and can move. */
export async function createFlowApp(opts: { logStream?: NodeJS.WritableStream } = {}): Promise<FlowApp> {
  const { config, database, cleanup } = await createTestDatabase({ PUBLIC_URL: "http://ca.test.example" });
  const time = testClock(new Date().toISOString());
  await seedReferenceData(database.db, time.clock);
  await seedDemoData(database.db, time.clock);
  const ca = createCaService({ db: database.db, clock: systemClock, config });
  await ca.bootstrap();
  const app = await buildApp({
    config,
    database,
    ca,
    clock: time.clock,
    webDist: null,
    ...(opts.logStream ? { logStream: opts.logStream, config: { ...config, logLevel: "info" } } : {}),
  });
  await app.ready();
  return {
    app,
    config,
    database,
    time,
    ca,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

export const HANDLER = { name: "李经办", idNumber: "11010519491231002X", phone: "13700001111" };

/** Valid 统一社会信用代码 (GB 32100 check characters). */
export const COMPANY = {
  kind: "company",
  name: "福建窗口测试科技有限公司",
  uscc: "91350100M000100Y43",
  legalRep: "张三",
  address: "福建省福州市鼓楼区",
};

export async function caTypeId(t: TestApp, code: string): Promise<string> {
  const row = await t.database.db
    .selectFrom("ca_types")
    .select("id")
    .where("code", "=", code)
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A 新证 order for `subject` with the given CA types, driven to awaiting_materials: created, submitted,
 * reviewed and approved through the real API; then — because the payment module is being written in
 * parallel — `pay` (online, actor system) and `book` (finance) applied with applyTransition directly.
 */
export async function orderAwaitingMaterials(
  t: TestApp,
  applicant: Client,
  reviewer: Client,
  opts: {
    subject?: Record<string, string>;
    subjectKind?: "company" | "person";
    caTypes?: { code: string; years: number }[];
  } = {},
): Promise<Order> {
  const subjectKind = opts.subjectKind ?? "company";
  const body = opts.subject ?? COMPANY;
  let subjectId: string;
  const created = await applicant.post("/api/v1/subjects", body);
  if (created.status === 201) subjectId = created.body.subject.id;
  else {
    const list = await applicant.get("/api/v1/subjects");
    subjectId = list.body.subjects.find((s: { name: string }) => s.name === body.name).id;
  }
  const items = [];
  for (const c of opts.caTypes ?? [
    { code: "trading-platform-company", years: 1 },
    { code: "enterprise-sign", years: 2 },
  ]) {
    items.push({ subjectId, caTypeId: await caTypeId(t, c.code), years: c.years, eseal: false });
  }
  const order = await applicant.post("/api/v1/orders", {
    business: "new",
    subjectKind,
    handler: HANDLER,
    items,
    submit: true,
  });
  if (order.status !== 201) throw new Error(`order ${order.status} ${JSON.stringify(order.body)}`);
  const id = order.body.id as string;
  const started = await reviewer.post(`/api/v1/admin/orders/${id}/start-review`, {
    version: order.body.version,
  });
  const approved = await reviewer.post(`/api/v1/admin/orders/${id}/approve`, {
    version: started.body.version,
  });
  if (approved.status !== 200) throw new Error(`approve ${approved.status} ${JSON.stringify(approved.body)}`);
  return payAndBook(t, id);
}

/** An approved order paid online (actor system) and booked by finance (`financeId`, or none), in one transaction. */
export function payAndBook(t: TestApp, id: string, financeId: string | null = null): Promise<Order> {
  const db = t.database.db;
  const deps = { clock: t.time.clock, signName: t.config.sms.signName };
  return db.transaction().execute(async (trx) => {
    const o = await trx.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const paid = await applyTransition(trx, deps, {
      order: o,
      event: "pay",
      method: "online",
      actor: { role: "system", type: "system", id: null },
    });
    return applyTransition(trx, deps, {
      order: paid,
      event: "book",
      actor: { role: "finance", type: "staff", id: financeId },
    });
  });
}

/** A fresh P-256 key and CSR from the openssl command line (its CN is deliberately not the order's). */
export async function opensslCsr(dir: string, name: string): Promise<string> {
  await opensslOk(
    [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=x",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
    ],
    dir,
  );
  return readFileSync(path.join(dir, `${name}.csr`), "utf8");
}

export interface FlowClients {
  applicant: Client;
  reviewer: Client;
  operator: Client;
}

/**
 * A 新证 order driven to completion at the window: every item on a USB key serial (`media`, or
 * UKEY-<order>-<n>) and issued from a fresh openssl key (<name>-<n>.key in `dir`). Returns the serials.
 */
export async function windowIssued(
  t: FlowApp,
  clients: FlowClients,
  dir: string,
  opts: Parameters<typeof orderAwaitingMaterials>[3] & { name?: string; media?: string[] } = {},
): Promise<{ orderId: string; serials: string[]; mediaSerials: string[] }> {
  const { applicant, reviewer, operator } = clients;
  const order = await orderAwaitingMaterials(t, applicant, reviewer, opts);
  const url = (rest: string) => `/api/v1/admin/orders/${order.id}${rest}`;
  const ticked = await operator.post(url("/materials"), {
    version: order.version,
    received: materialsFor("new", order.subject_kind).map((m) => m.code),
  });
  const received = await operator.post(url("/receive"), { version: ticked.body.version });
  if (received.status !== 200) throw new Error(`receive ${received.status} ${JSON.stringify(received.body)}`);
  const serials: string[] = [];
  const mediaSerials: string[] = [];
  const name = opts.name ?? `k${order.order_no}`;
  for (const [n, item] of (received.body.items as { id: string }[]).entries()) {
    const media = opts.media?.[n] ?? `UKEY-${order.order_no.slice(-6)}-${n}`;
    const m = await operator.post(url(`/items/${item.id}/media`), { mediaSerial: media });
    if (m.status !== 200) throw new Error(`media ${m.status} ${JSON.stringify(m.body)}`);
    const issued = await operator.post(url(`/items/${item.id}/issue`), {
      csrPem: await opensslCsr(dir, `${name}-${n}`),
    });
    if (issued.status !== 201) throw new Error(`issue ${issued.status} ${JSON.stringify(issued.body)}`);
    serials.push(issued.body.certificate.serialHex);
    mediaSerials.push(m.body.mediaSerial);
  }
  const fresh = await operator.get(url(""));
  const done = await operator.post(url("/complete"), { version: fresh.body.version, how: "handover" });
  if (done.status !== 200) throw new Error(`complete ${done.status} ${JSON.stringify(done.body)}`);
  return { orderId: order.id, serials, mediaSerials };
}

/**
 * An order of `business` filed by the applicant through the API and driven to processing: paid
 * (online, or the zero payment), booked by finance when the business books, materials ticked and
 * received at the window. Returns the operator's view of the order.
 */
export async function businessOrderProcessing(
  t: FlowApp,
  clients: FlowClients,
  business: BusinessCode,
  items: Record<string, unknown>[],
  opts: { subjectKind?: "company" | "person"; handler?: typeof HANDLER } = {},
) {
  const subjectKind = opts.subjectKind ?? "company";
  const created = await clients.applicant.post("/api/v1/orders", {
    business,
    subjectKind,
    handler: opts.handler ?? HANDLER,
    items,
    submit: true,
    ...(BUSINESS_TYPES[business].confirmation ? { confirmed: true } : {}),
  });
  if (created.status !== 201) throw new Error(`order ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const db = t.database.db;
  const deps = { clock: t.time.clock, signName: t.config.sms.signName };
  const awaiting = await db.transaction().execute(async (trx) => {
    let o = await trx.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    o = await applyTransition(trx, deps, {
      order: o,
      event: "pay",
      method: BUSINESS_TYPES[business].payment === "zero" ? "zero" : "online",
      actor: { role: "system", type: "system", id: null },
    });
    if (o.state === "awaiting_booking") {
      o = await applyTransition(trx, deps, {
        order: o,
        event: "book",
        actor: { role: "finance", type: "staff", id: null },
      });
    }
    return o;
  });
  if (awaiting.state !== "awaiting_materials") throw new Error(`state ${awaiting.state}`);
  const url = (rest: string) => `/api/v1/admin/orders/${id}${rest}`;
  const ticked = await clients.operator.post(url("/materials"), {
    version: awaiting.version,
    received: materialsFor(business, subjectKind).map((m) => m.code),
  });
  if (ticked.status !== 200) throw new Error(`materials ${ticked.status} ${JSON.stringify(ticked.body)}`);
  const received = await clients.operator.post(url("/receive"), { version: ticked.body.version });
  if (received.status !== 200) throw new Error(`receive ${received.status} ${JSON.stringify(received.body)}`);
  return received.body as OrderDetailBody;
}

export interface OrderDetailBody {
  id: string;
  orderNo: string;
  state: string;
  version: number;
  items: {
    id: string;
    certificateSerial: string | null;
    mediaSerial: string | null;
    targetSerial: string | null;
    details: Record<string, unknown> | null;
    subject: { name: string; legalRep: string | null; address: string | null };
  }[];
}

/** The CA certificates as PEM files in `dir` (issuing.pem, root.pem) for openssl verify/ocsp. */
export function writeCaFiles(t: FlowApp, dir: string): void {
  const issuing = t.ca.issuing();
  write(dir, "issuing.pem", issuing.certPem);
  write(dir, "root.pem", t.ca.chainOf(issuing)[1]!.certPem);
  write(dir, "chain.pem", issuing.certPem);
}

/** openssl ocsp against the listening app for `certFile` (in `dir`), without a nonce. */
export async function ocspText(baseUrl: string, dir: string, certFile: string): Promise<string> {
  const r = await openssl(
    [
      "ocsp",
      "-issuer",
      "issuing.pem",
      "-cert",
      certFile,
      "-url",
      `${baseUrl}/pki/ocsp`,
      "-CAfile",
      "root.pem",
      "-no_nonce",
    ],
    dir,
  );
  return r.out;
}

/** The issuing CA's current CRL as `openssl crl -text`, once the revocations so far are in it. */
export async function crlText(t: FlowApp, dir: string): Promise<string> {
  await t.ca.flushCrls();
  const res = await t.app.inject({ method: "GET", url: `/pki/crl/${t.ca.issuing().slug}.crl` });
  if (res.statusCode !== 200) throw new Error(`crl ${res.statusCode}`);
  write(dir, "current.crl.der", res.rawPayload);
  return opensslOk(["crl", "-inform", "DER", "-in", "current.crl.der", "-noout", "-text"], dir);
}
