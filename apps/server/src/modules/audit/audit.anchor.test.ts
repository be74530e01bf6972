import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../app";
import { runCli } from "../../cli/main";
import { seedDemoData } from "../../seed";
import { createTestDatabase, staffClient, type TestApp } from "../../test/harness";
import { type CaService, createCaService } from "../pki/ca.service";
import {
  readNewestAnchor,
  startAuditAnchorScheduler,
  verifyAuditWithAnchor,
  writeAuditAnchor,
} from "./audit.anchor";
import { appendAudit, verifyAuditChain } from "./audit.service";

let env: Awaited<ReturnType<typeof createTestDatabase>>;
let ca: CaService;
beforeAll(async () => {
  env = await createTestDatabase({ PUBLIC_URL: "http://anchor.test.example" });
  ca = createCaService({ db: env.database.db, clock: () => new Date(), config: env.config });
  await ca.bootstrap();
});
afterAll(async () => {
  await env.cleanup();
});

const db = () => env.database.db;
const dir = () => env.config.audit.anchorDir;
const deps = () => ({ db: db(), ca, clock: () => new Date(), dir: dir() });

async function append(n: number) {
  for (let i = 0; i < n; i++) {
    await db()
      .transaction()
      .execute((trx) =>
        appendAudit(trx, { at: new Date(), actorType: "system", actorId: null, action: `a.${i}` }),
      );
  }
}

/** Deletes entries from `seq` on and sets the head to the entry before: every remaining link holds. */
async function cutTail(seq: number) {
  await db().deleteFrom("audit_log").where("seq", ">=", seq).execute();
  const last = await db()
    .selectFrom("audit_log")
    .select(["seq", "hash"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirstOrThrow();
  await db().updateTable("audit_head").set({ seq: last.seq, hash: last.hash }).execute();
}

describe("audit anchors (signed checkpoints outside the database)", () => {
  beforeEach(() => {
    rmSync(dir(), { recursive: true, force: true });
  });

  it("writes a checkpoint signed by the issuing CA, owner-only, and verifies the chain against it", async () => {
    await append(3);
    const o = await writeAuditAnchor(deps());
    expect(o.written).not.toBeNull();
    if (!o.written) return;
    expect(statSync(dir()).mode & 0o777).toBe(0o700);
    expect(statSync(o.file).mode & 0o777).toBe(0o600);
    const head = await db().selectFrom("audit_head").selectAll().executeTakeFirstOrThrow();
    expect(o.written).toMatchObject({ seq: head.seq, hash: head.hash });
    const file = JSON.parse(readFileSync(o.file, "utf8"));
    expect(file.ca).toBe(ca.issuing().slug);
    expect(await writeAuditAnchor(deps())).toEqual({ written: null, reason: "unchanged" });
    const r = await verifyAuditWithAnchor(deps());
    expect(r).toMatchObject({ ok: true, anchor: { seq: head.seq } });
  });

  it("detects a cut tail with a fixed head through the anchor (the chain alone cannot)", async () => {
    await append(4);
    await writeAuditAnchor(deps());
    const head = await db().selectFrom("audit_head").selectAll().executeTakeFirstOrThrow();
    await cutTail(head.seq - 1);
    expect((await verifyAuditChain(db())).ok).toBe(true);
    const r = await verifyAuditWithAnchor(deps());
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ kind: "cut", seq: head.seq - 1 });
    expect(r.firstBad?.problem).toContain("截断");
  });

  it("detects a rewritten history when new entries were appended after the cut", async () => {
    await append(2);
    await writeAuditAnchor(deps());
    const head = await db().selectFrom("audit_head").selectAll().executeTakeFirstOrThrow();
    await cutTail(head.seq - 1);
    await append(3);
    expect((await verifyAuditChain(db())).ok).toBe(true);
    const r = await verifyAuditWithAnchor(deps());
    expect(r.firstBad).toMatchObject({ kind: "rewritten", seq: head.seq });
    // And no new anchor blesses it.
    const o = await writeAuditAnchor(deps());
    expect(o).toMatchObject({ written: null, reason: "bad" });
  });

  it("names a wrong key as such when an anchor exists", async () => {
    await append(1);
    await writeAuditAnchor(deps());
    const r = await verifyAuditWithAnchor(deps(), { key: randomBytes(32) });
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ kind: "key" });
    expect(r.firstBad?.problem).toContain("AUDIT_KEY");
  });

  it("refuses an anchor file whose content was edited (its signature no longer holds)", async () => {
    await append(2);
    const o = await writeAuditAnchor(deps());
    if (!o.written) throw new Error("no anchor");
    const body = JSON.parse(readFileSync(o.file, "utf8"));
    writeFileSync(o.file, JSON.stringify({ ...body, seq: body.seq - 1 }));
    expect(readNewestAnchor(deps())).toHaveProperty("error");
    const r = await verifyAuditWithAnchor(deps());
    expect(r.firstBad).toMatchObject({ kind: "anchor" });
  });

  it("certhall audit anchor and audit verify report the state and which problem", async () => {
    const cliEnv = {
      NODE_ENV: "test",
      DATA_DIR: env.config.dataDir,
      LOG_LEVEL: "silent",
      SECRET_KEY: "test-secret-key-test-secret-key-0123456789",
      PUBLIC_URL: "http://anchor.test.example",
      ...(env.config.database.kind === "postgres"
        ? { DATABASE_URL: env.config.database.url, DATABASE_SCHEMA: env.config.database.schema ?? "" }
        : {}),
    };
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await runCli(argv, (s) => lines.push(s), cliEnv);
      return { code, out: lines.join("\n") };
    };
    await append(2);
    const noAnchor = await cli("audit", "verify");
    expect(noAnchor).toMatchObject({ code: 0 });
    expect(noAnchor.out).toContain("尚无锚点");
    const anchored = await cli("audit", "anchor");
    expect(anchored.code).toBe(0);
    expect(readdirSync(dir())).toHaveLength(1);
    expect((await cli("audit", "verify")).out).toContain("锚点");
    const head = await db().selectFrom("audit_head").selectAll().executeTakeFirstOrThrow();
    await cutTail(head.seq);
    const cut = await cli("audit", "verify");
    expect(cut.code).toBe(1);
    expect(cut.out).toContain("（cut）");
    expect((await cli("audit", "anchor")).code).toBe(1);
    expect(readdirSync(dir()).filter((n) => n.endsWith(".json"))).toHaveLength(1);
    expect(path.dirname(dir())).toBe(env.config.dataDir);
  });

  it("POST /admin/audit/verify names the problem and the anchor checked against", async () => {
    await seedDemoData(db(), () => new Date());
    const app = await buildApp({ config: env.config, database: env.database, ca, webDist: null });
    await app.ready();
    try {
      const auditor = await staffClient({ app } as TestApp, "auditor");
      await writeAuditAnchor(deps());
      const ok = await auditor.post("/api/v1/admin/audit/verify");
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ ok: true, anchor: { seq: expect.any(Number) } });
      expect(ok.body.anchor).not.toHaveProperty("file");
      await cutTail(ok.body.anchor.seq - 1);
      const cut = await auditor.post("/api/v1/admin/audit/verify");
      expect(cut.body).toMatchObject({ ok: false, firstBad: { kind: "cut" } });
    } finally {
      await app.close();
    }
  });

  it("the server's job anchors at start and stops cleanly", async () => {
    await append(1);
    const job = startAuditAnchorScheduler(deps(), pino({ level: "silent" }), 3_600_000);
    await job.stop();
    const newest = readNewestAnchor(deps());
    const head = await db().selectFrom("audit_head").selectAll().executeTakeFirstOrThrow();
    expect(newest).toMatchObject({ anchor: { seq: head.seq, hash: head.hash } });
  });
});
