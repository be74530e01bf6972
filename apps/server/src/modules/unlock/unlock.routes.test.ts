// 解锁 end to end: the window hands out a one-time code (SMS), the real token client (packages/token
// unlockToken) fetches the SO PIN of a SoftHSM2 token from the app listening on 127.0.0.1, resets the
// user PIN and reports done; the last item done completes the order. Also the window's own unlock and
// the ways a code is refused. Real database (SQLite or PostgreSQL), real SoftHSM2.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { openToken, readToken, TokenError, unlockToken } from "@certhall/token";
import pkcs11js from "pkcs11js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftHsm, type SoftHsm } from "../../../../../packages/token/src/testing/softhsm";
import { type Client, registerApplicant, staffClient } from "../../test/harness";
import {
  businessOrderProcessing,
  createFlowApp,
  type FlowApp,
  type FlowClients,
  windowIssued,
} from "../workbench/test-flow";
import { soPinFor } from "./so-pin";
import { newUnlockCode } from "./unlock.service";

const USER_PIN = "123456";
const NEW_PIN = "654321";
const TEMP_SO_PIN = "temp-so-pin-0000";

let t: FlowApp;
let baseUrl: string;
let dir: string;
let hsm: SoftHsm;
let clients: FlowClients;
let operator: Client;
const logs: string[] = [];
/** Token A: SO PIN = soPinFor(its serial), its serial recorded as the media of originals[0]. */
let serialA: string;
/** Token B: another key, with the temporary SO PIN. */
let serialB: string;
let originals: string[];

/**
 * A SoftHSM token's serial is made when it is initialised, and the SO PIN must be given then: so the
 * token starts with a temporary SO PIN, which the security officer then changes (C_SetPIN) to the
 * platform's soPinFor(serial), as a key's issuer would before handing it out.
 */
function provisionSoPin(modulePath: string, label: string, soPin: (serial: string) => string): string {
  const p = new pkcs11js.PKCS11();
  p.load(modulePath);
  p.C_Initialize();
  try {
    const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === label);
    if (!slot) throw new Error(`no token ${label}`);
    const serial = p.C_GetTokenInfo(slot).serialNumber.trim();
    const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p.C_Login(session, pkcs11js.CKU_SO, TEMP_SO_PIN);
    p.C_SetPIN(session, TEMP_SO_PIN, soPin(serial));
    p.C_Logout(session);
    p.C_CloseSession(session);
    return serial;
  } finally {
    p.C_Finalize();
    p.close();
  }
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  t = await createFlowApp({ logStream: sink });
  baseUrl = await t.app.listen({ port: 0, host: "127.0.0.1" });
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-unlock-"));
  hsm = createSoftHsm();
  hsm.initToken("unlock-a", { soPin: TEMP_SO_PIN, pin: USER_PIN });
  hsm.initToken("unlock-b", { soPin: TEMP_SO_PIN, pin: USER_PIN });
  serialA = provisionSoPin(hsm.modulePath, "unlock-a", (s) => soPinFor(t.config.secretKey, s));
  serialB = readToken({ modulePath: hsm.modulePath, tokenLabel: "unlock-b" }).serialNumber;
  expect(readToken({ modulePath: hsm.modulePath, tokenLabel: "unlock-a" }).serialNumber).toBe(serialA);
  const applicant = await registerApplicant(t, "13900000031");
  operator = await staffClient(t, "operator");
  clients = { applicant, reviewer: await staffClient(t, "reviewer"), operator };
  ({ serials: originals } = await windowIssued(t, clients, dir, {
    caTypes: [
      { code: "enterprise-sign", years: 1 },
      { code: "enterprise-sign", years: 1 },
      { code: "enterprise-sign", years: 1 },
    ],
    media: [serialA, "UKEY-WINDOW-1", "UKEY-WINDOW-2"],
    name: "orig",
  }));
}, 120_000);
afterAll(async () => {
  await t?.close();
  hsm?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const url = (orderId: string, rest = "") => `/api/v1/admin/orders/${orderId}${rest}`;
const pub = (code: string, tokenSerial: string, done = false) =>
  fetch(`${baseUrl}/api/v1/unlock${done ? "/done" : ""}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, tokenSerial }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

const pinWorks = (tokenLabel: string, pin: string) => {
  try {
    openToken({ modulePath: hsm.modulePath, tokenLabel, pin }).close();
    return true;
  } catch (error) {
    expect((error as TokenError).code).toBe("PIN_INCORRECT");
    return false;
  }
};

async function auditTexts(orderId: string) {
  const rows = await t.database.db
    .selectFrom("audit_log")
    .select(["action", "detail"])
    .where("object_id", "=", orderId)
    .execute();
  return rows;
}

describe("解锁 with a one-time code and the token client", () => {
  it("hands out a code by SMS, releases the SO PIN only for the recorded key, and completes on done", async () => {
    const order = await businessOrderProcessing(t, clients, "unlock", [{ certificateSerial: originals[0] }]);
    const item = order.items[0]!;
    // The unlock item carries the key the certificate was issued on.
    expect(item.mediaSerial).toBe(serialA.toUpperCase());
    // The applicant's order page learns that a code was sent only once the window sent one.
    const sentAt = async () =>
      (await clients.applicant.get(`/api/v1/orders/${order.id}`)).body.items[0].unlockCodeSentAt;
    expect(await sentAt()).toBeNull();

    const first = await operator.post(url(order.id, `/items/${item.id}/unlock-code`), {});
    expect(first.status).toBe(201);
    expect(first.body.code).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Date(first.body.expiresAt).getTime() - t.time.clock().getTime()).toBe(7 * 86_400_000);
    const second = await operator.post(url(order.id, `/items/${item.id}/unlock-code`), {});
    expect(second.status).toBe(201);
    const code = second.body.code as string;
    expect(code).not.toBe(first.body.code);
    expect(await sentAt()).toBe(t.time.clock().toISOString());

    // Only the hash is stored; the SMS to the handler carries the code and the key it is for.
    const stored = await t.database.db
      .selectFrom("item_authorisations")
      .select(["code_hash", "purpose"])
      .where("item_id", "=", item.id)
      .execute();
    expect(stored).toHaveLength(2);
    expect(stored.map((s) => s.code_hash)).toContain(createHash("sha256").update(code).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(code);
    const sms = await t.database.db
      .selectFrom("sms_outbox")
      .select("text")
      .where("template", "=", "unlock_code")
      .execute();
    expect(sms.map((s) => s.text)).toContainEqual(expect.stringContaining(code));
    expect(sms.map((s) => s.text)).toContainEqual(expect.stringContaining(serialA.toUpperCase()));

    // The first code ended when the second was made.
    const replaced = await pub(first.body.code, serialA);
    expect(replaced.status).toBe(410);
    expect(replaced.body.detail).toContain("已过期或已被新的授权码取代");
    // Unknown and malformed codes are simply not found.
    expect((await pub(newUnlockCode(), serialA)).status).toBe(404);
    const junk = await pub("not-a-code", serialA);
    expect(junk.status).toBe(404);
    expect(junk.body.detail).toContain("解锁授权码无效");
    // Done before the SO PIN was fetched is out of order.
    expect((await pub(code, serialA, true)).status).toBe(409);

    // The token client on another key: 409 naming tokenSerial, and that key's PIN is untouched.
    const wrong = await unlockToken(
      { modulePath: hsm.modulePath, tokenLabel: "unlock-b" },
      { url: baseUrl, code, newPin: NEW_PIN },
    ).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(TokenError);
    expect((wrong as TokenError).message).toContain("与订单登记的介质不符");
    expect(pinWorks("unlock-b", USER_PIN)).toBe(true);
    const raw = await pub(code, serialB);
    expect(raw.status).toBe(409);
    expect(raw.body.field).toBe("tokenSerial");
    // Three refused uses void the code (each one audited), even for the right key.
    const voided = await t.app.inject({
      method: "POST",
      url: "/api/v1/unlock",
      remoteAddress: "10.250.1.1",
      payload: { code, tokenSerial: serialA },
    });
    expect(voided.statusCode).toBe(410);
    expect(voided.json().detail).toContain("已连续 3 次使用未成功");
    const refusals = (await auditTexts(order.id)).filter((a) => a.action === "order.unlock_refused");
    expect(refusals.map((a) => JSON.parse(a.detail))).toEqual([
      expect.objectContaining({ reason: "INVALID_STATE", refusedUses: 1, voided: false }),
      expect.objectContaining({ reason: "CONFLICT", field: "tokenSerial", refusedUses: 2, voided: false }),
      expect.objectContaining({ reason: "CONFLICT", field: "tokenSerial", refusedUses: 3, voided: true }),
    ]);
    const fresh = (await operator.post(url(order.id, `/items/${item.id}/unlock-code`), {})).body
      .code as string;

    // The real client on the right key: SO PIN from the platform, C_InitPIN, done.
    const result = await unlockToken(
      { modulePath: hsm.modulePath, tokenLabel: "unlock-a" },
      { url: baseUrl, code: fresh, newPin: NEW_PIN },
    );
    expect(result.tokenSerial).toBe(serialA);
    expect(pinWorks("unlock-a", NEW_PIN)).toBe(true);
    expect(pinWorks("unlock-a", USER_PIN)).toBe(false);

    const after = await operator.get(url(order.id));
    expect(after.body.state).toBe("completed");
    expect(after.body.items[0].details.unlockedAt).toEqual(expect.any(String));
    expect(after.body.items[0].details.unlockedVia).toBe("online");
    const events = await t.database.db
      .selectFrom("order_events")
      .select(["event", "actor_type"])
      .where("order_id", "=", order.id)
      .where("event", "=", "complete")
      .execute();
    expect(events).toEqual([{ event: "complete", actor_type: "system" }]);
    const completedSms = await t.database.db
      .selectFrom("sms_outbox")
      .select("text")
      .where("template", "=", "order_completed")
      .execute();
    expect(completedSms.map((s) => s.text)).toContainEqual(
      expect.stringContaining(`${order.orderNo} 已办结`),
    );

    // Used: the code buys nothing more.
    const reused = await pub(fresh, serialA);
    expect(reused.status).toBe(410);
    expect(reused.body.detail).toContain("已使用");
    expect((await pub(fresh, serialA, true)).status).toBe(410);
    // A completed order gets no new code.
    expect((await operator.post(url(order.id, `/items/${item.id}/unlock-code`), {})).status).toBe(409);

    // The SO PIN appears in no log line and no audit entry; the audit has who released it to whom.
    // Nor does either code: they travel in request bodies, which are not logged; the routes are.
    const soPin = soPinFor(t.config.secretKey, serialA);
    expect(logs.join("")).toContain(`/items/${item.id}/unlock-code`);
    expect(logs.join("")).toContain('"url":"/api/v1/unlock/done"');
    expect(logs.join("")).not.toContain(soPin);
    expect(logs.join("")).not.toContain(code);
    expect(logs.join("")).not.toContain(fresh);
    const audit = await auditTexts(order.id);
    expect(JSON.stringify(audit)).not.toContain(soPin);
    expect(JSON.stringify(audit)).not.toContain(code);
    expect(JSON.stringify(audit)).not.toContain(fresh);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "order.unlock_code",
        "order.so_pin_released",
        "order.unlocked",
        "order.complete",
      ]),
    );
  });

  it("refuses an expired code with 410", async () => {
    const order = await businessOrderProcessing(t, clients, "unlock", [{ certificateSerial: originals[1] }]);
    const item = order.items[0]!;
    const issued = await operator.post(url(order.id, `/items/${item.id}/unlock-code`), {});
    expect(issued.status).toBe(201);
    const start = t.time.clock().toISOString();
    t.time.advance(7 * 86_400 + 1);
    try {
      const res = await pub(issued.body.code, "UKEY-WINDOW-1");
      expect(res.status).toBe(410);
      expect(res.body.detail).toContain("已过期");
    } finally {
      t.time.set(start);
    }
    // Still valid a second before the end.
    t.time.advance(7 * 86_400 - 1);
    try {
      const res = await pub(issued.body.code, "ukey-window-1");
      expect(res.status).toBe(200);
      expect(res.body.soPin).toBe(soPinFor(t.config.secretKey, "UKEY-WINDOW-1"));
    } finally {
      t.time.set(start);
    }
  });
});

describe("解锁 at the window", () => {
  it("marks the item unlocked, shows the SO PIN (audited, never the PIN), ends codes, then 办结", async () => {
    const order = await businessOrderProcessing(t, clients, "unlock", [{ certificateSerial: originals[2] }]);
    const item = order.items[0]!;
    const code = (await operator.post(url(order.id, `/items/${item.id}/unlock-code`), {})).body
      .code as string;

    const early = await operator.post(url(order.id, "/complete"), {
      version: order.version,
      how: "handover",
    });
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain("介质尚未解锁");

    const pin = await operator.get(url(order.id, `/items/${item.id}/so-pin`));
    expect(pin.status).toBe(200);
    expect(pin.body).toEqual({
      mediaSerial: "UKEY-WINDOW-2",
      soPin: soPinFor(t.config.secretKey, "UKEY-WINDOW-2"),
    });
    expect(pin.headers["cache-control"]).toBe("no-store");
    expect(pin.body.soPin).toMatch(/^[0-9A-F]{16}$/);

    const marked = await operator.post(url(order.id, `/items/${item.id}/unlocked-at-window`), {});
    expect(marked.status).toBe(200);
    expect(marked.body.unlock).toMatchObject({ itemId: item.id, unlockedVia: "window" });
    const again = await operator.post(url(order.id, `/items/${item.id}/unlocked-at-window`), {});
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("不能重复办理");
    // The code handed out before can no longer be used.
    expect((await pub(code, "UKEY-WINDOW-2")).status).toBe(410);
    expect((await operator.post(url(order.id, `/items/${item.id}/unlock-code`), {})).status).toBe(409);

    const audit = await auditTexts(order.id);
    const viewed = audit.filter((a) => a.action === "order.so_pin_viewed");
    expect(viewed).toHaveLength(1);
    expect(JSON.parse(viewed[0]!.detail)).toMatchObject({ itemId: item.id, mediaSerial: "UKEY-WINDOW-2" });
    expect(JSON.stringify(audit)).not.toContain(pin.body.soPin);
    expect(logs.join("")).not.toContain(pin.body.soPin);

    const fresh = await operator.get(url(order.id));
    const done = await operator.post(url(order.id, "/complete"), {
      version: fresh.body.version,
      how: "handover",
    });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe("completed");
    // Completed: the SO PIN is no longer shown.
    expect((await operator.get(url(order.id, `/items/${item.id}/so-pin`))).status).toBe(409);
  });

  it("refuses unlock actions on an order of another business", async () => {
    const order = await t.database.db
      .selectFrom("orders")
      .select("id")
      .where("business", "=", "new")
      .executeTakeFirstOrThrow();
    const itemRow = await t.database.db
      .selectFrom("order_items")
      .select("id")
      .where("order_id", "=", order.id)
      .executeTakeFirstOrThrow();
    for (const rest of ["unlock-code", "unlocked-at-window"]) {
      const res = await operator.post(url(order.id, `/items/${itemRow.id}/${rest}`), {});
      expect(res.status, rest).toBe(409);
      expect(res.body.detail).toContain("新证申请");
    }
    expect((await operator.get(url(order.id, `/items/${itemRow.id}/so-pin`))).status).toBe(409);
  });
});

describe("the public unlock routes", () => {
  it("need no session or CSRF token, and are rate limited per address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/unlock",
        remoteAddress: "10.250.0.1",
        payload: { code: newUnlockCode(), tokenSerial: serialB },
      });
      statuses.push(res.statusCode);
    }
    // Guessing codes: not found (never 403 for a missing CSRF token), until the limit answers 429.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses[10]).toBe(429);
    const other = await t.app.inject({
      method: "POST",
      url: "/api/v1/unlock/done",
      remoteAddress: "10.250.0.2",
      payload: { code: newUnlockCode(), tokenSerial: serialB },
    });
    expect(other.statusCode).toBe(404);
    const noSerial = await t.app.inject({
      method: "POST",
      url: "/api/v1/unlock",
      remoteAddress: "10.250.0.3",
      payload: { code: newUnlockCode() },
    });
    expect(noSerial.statusCode).toBe(400);
    expect(noSerial.json().field).toBe("tokenSerial");
  });
});
