// Test helpers for the window workbench and the wallet: an app with a bootstrapped CA and demo staff on
// a clean database (SQLite, or PostgreSQL when DATABASE_URL is set), and an order driven to
// awaiting_materials. Not imported by production code.
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildApp } from "../../app";
import type { Order } from "../../db/tables.orders";
import { systemClock } from "../../lib/clock";
import { seedDemoData, seedReferenceData } from "../../seed";
import { type Client, createTestDatabase, type TestApp, testClock } from "../../test/harness";
import { applyTransition } from "../orders/order.transition";
import { createCaService } from "../pki/ca.service";
import { opensslOk } from "../pki/test-support";

export interface FlowApp extends TestApp {
  ca: ReturnType<typeof createCaService>;
}

/** The app under test with a real CA. Its clock starts now (the CA's is the system clock) and can move. */
export async function createFlowApp(): Promise<FlowApp> {
  const { config, database, cleanup } = await createTestDatabase({ PUBLIC_URL: "http://ca.test.example" });
  const time = testClock(new Date().toISOString());
  await seedReferenceData(database.db, time.clock);
  await seedDemoData(database.db, time.clock);
  const ca = createCaService({ db: database.db, clock: systemClock, config });
  await ca.bootstrap();
  const app = await buildApp({ config, database, ca, clock: time.clock, webDist: null });
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
      actor: { role: "finance", type: "staff", id: null },
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
