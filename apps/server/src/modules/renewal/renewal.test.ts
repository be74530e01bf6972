import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { addShanghaiYears } from "@certhall/domain";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  accountWithCertificate,
  type BusinessApp,
  createBusinessApp,
  fileOrder,
  freshCsr,
  type IssuedCertificate,
  moveClock,
  opensslCsrForKey,
  orderState,
  payOnline,
} from "../../test/business-flow";
import { openssl } from "../pki/test-support";
import { MESSAGES } from "./renewal.service";

let t: BusinessApp;

/** Every log line the app writes (pino JSON), to prove the one-time codes never reach them. */
const logs: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  t = await createBusinessApp({ logStream: sink });
}, 60_000);
afterAll(async () => {
  await t.close();
});

const DAY = 24 * 3600 * 1000;
const db = () => t.database.db;
const spkiOf = (pem: string) =>
  new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" }).toString("hex");
const oldPem = async (serial: string) => (await t.ca.getCertificate(serial)).certificatePem;

/** Sets the app's clock to `days` before (negative: after) the certificate's end; its owner logs in again. */
const daysBeforeEnd = (cert: IssuedCertificate, days: number, others: IssuedCertificate[] = []) =>
  moveClock(t, new Date(cert.notAfter.getTime() - days * DAY), [cert, ...others]);

// Certificates are issued by the CA's real clock: every test starts at the real time.
beforeEach(async () => {
  await moveClock(t, new Date());
});

/** A 延期 order for the certificates, paid online: "ready" for the online update. */
async function readyRenewal(
  owner: IssuedCertificate,
  items: { serial: string; keepKey: boolean; years: number }[],
) {
  const res = await fileOrder(
    owner.client,
    "renew",
    items.map((i) => ({ certificateSerial: i.serial, keepKey: i.keepKey, years: i.years })),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.state).toBe("awaiting_payment");
  expect(await payOnline(t, owner.client, res.body.id)).toBe("ready");
  return res.body as { id: string; items: { id: string; targetSerial: string }[] };
}

/** openssl verify against the chain the update returned, and the certificate's notAfter per openssl. */
async function opensslCheck(name: string, certificatePem: string, chainPem: string) {
  const [issuing, root] = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;
  const file = (n: string, data: string) => {
    const p = path.join(t.dir, `${name}-${n}.pem`);
    writeFileSync(p, data);
    return p;
  };
  const cert = file("cert", certificatePem);
  const verify = await openssl(
    ["verify", "-CAfile", file("root", root!), "-untrusted", file("issuing", issuing!), cert],
    t.dir,
  );
  const end = await openssl(["x509", "-noout", "-enddate", "-in", cert], t.dir);
  return {
    verified: verify.code === 0 && verify.stdout.includes(": OK"),
    verifyOut: verify.out,
    notAfter: new Date(end.stdout.trim().replace(/^notAfter=/, "")),
  };
}

describe("证书在线更新 from the applicant's session", () => {
  it("renews keeping the key (old end + years) and with a new key; completes the order when every item is done; the old certificates are revoked superseded (DESIGN §8 default)", async () => {
    const first = await accountWithCertificate(t);
    const second = await accountWithCertificate(t, { account: first });
    await daysBeforeEnd(first, 30);
    const order = await readyRenewal(first, [
      { serial: first.serial, keepKey: true, years: 2 },
      { serial: second.serial, keepKey: false, years: 1 },
    ]);
    const [keep, rekey] = order.items;
    expect(keep!.targetSerial).toBe(first.serial);
    const url = (itemId: string) => `/api/v1/orders/${order.id}/items/${itemId}/online-update`;

    // Keep the key: a CSR made by openssl over the very key of the original certificate.
    const kept = await first.client.post(url(keep!.id), {
      csrPem: await opensslCsrForKey(t, first.keyFile!),
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(spkiOf(kept.body.certificatePem)).toBe(spkiOf(await oldPem(first.serial)));
    const keptCheck = await opensslCheck("kept", kept.body.certificatePem, kept.body.chainPem);
    expect(keptCheck.verified, keptCheck.verifyOut).toBe(true);
    const expectedEnd = addShanghaiYears(first.notAfter, 2);
    expect(keptCheck.notAfter.toISOString()).toBe(expectedEnd.toISOString());
    expect(kept.body.notAfter).toBe(expectedEnd.toISOString());
    // Subject from the order, not from the request (CN=renew).
    expect(new X509Certificate(kept.body.certificatePem).subject).toContain("91350100M000100Y43");
    expect(new X509Certificate(kept.body.certificatePem).subject).not.toContain("renew");
    // One item of two: the order waits for the other.
    expect(await orderState(t, order.id)).toBe("ready");
    const again = await first.client.post(url(keep!.id), {
      csrPem: await opensslCsrForKey(t, first.keyFile!),
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe(MESSAGES.alreadyRenewed);

    // New key: a fresh openssl key; the renewed certificate certifies it.
    const csr = await freshCsr(t, "rekeyed");
    const rekeyed = await first.client.post(url(rekey!.id), { csrPem: csr });
    expect(rekeyed.status, JSON.stringify(rekeyed.body)).toBe(200);
    expect(spkiOf(rekeyed.body.certificatePem)).not.toBe(spkiOf(await oldPem(second.serial)));
    const rekeyCheck = await opensslCheck("rekeyed", rekeyed.body.certificatePem, rekeyed.body.chainPem);
    expect(rekeyCheck.verified, rekeyCheck.verifyOut).toBe(true);
    expect(rekeyCheck.notAfter.toISOString()).toBe(addShanghaiYears(second.notAfter, 1).toISOString());

    // Every item renewed: the order is completed by the applicant's use, its holds are released.
    expect(await orderState(t, order.id)).toBe("completed");
    const events = await db()
      .selectFrom("order_events")
      .select(["event", "actor_type", "to_state"])
      .where("order_id", "=", order.id)
      .orderBy("version")
      .execute();
    expect(events.at(-1)).toEqual({ event: "use", actor_type: "applicant", to_state: "completed" });
    const holds = await db()
      .selectFrom("certificate_holds")
      .selectAll()
      .where("order_id", "=", order.id)
      .execute();
    expect(holds).toEqual([]);
    const items = await db()
      .selectFrom("order_items")
      .select(["id", "certificate_serial"])
      .where("order_id", "=", order.id)
      .orderBy("position")
      .execute();
    expect(items.map((i) => i.certificate_serial)).toEqual([kept.body.serialHex, rekeyed.body.serialHex]);
    // DESIGN §8 (default setting): each predecessor is revoked superseded once its successor is issued.
    for (const serial of [first.serial, second.serial]) {
      const old = await t.ca.getCertificate(serial);
      expect([old.status, old.reason]).toEqual(["revoked", "superseded"]);
    }
    const audit = await db()
      .selectFrom("audit_log")
      .select("detail")
      .where("action", "=", "order.online_update")
      .where("object_id", "=", order.id)
      .execute();
    expect(audit).toHaveLength(2);
    // The wallet holds the renewed certificates too, without an open order any more.
    const wallet = await first.client.get("/api/v1/certificates");
    const bySerial = new Map(wallet.body.certificates.map((c: { serialHex: string }) => [c.serialHex, c]));
    expect(bySerial.get(kept.body.serialHex)).toMatchObject({ state: "good", openOrder: null, eseal: null });
    // One row per lineage: the replaced certificate is the head's history, no longer a row of its own.
    expect(bySerial.has(first.serial)).toBe(false);
    expect(bySerial.get(kept.body.serialHex)).toMatchObject({
      business: "renew",
      history: [
        { serialHex: first.serial, business: "new", state: "revoked", revocationReason: "superseded" },
      ],
    });
  }, 60_000);

  it("refuses a request whose key breaks the order's choice, both ways, and renews nothing", async () => {
    const keepCert = await accountWithCertificate(t);
    const newCert = await accountWithCertificate(t, { account: keepCert });
    await daysBeforeEnd(keepCert, 10);
    const order = await readyRenewal(keepCert, [
      { serial: keepCert.serial, keepKey: true, years: 1 },
      { serial: newCert.serial, keepKey: false, years: 1 },
    ]);
    const url = (itemId: string) => `/api/v1/orders/${order.id}/items/${itemId}/online-update`;
    const wrongForKeep = await keepCert.client.post(url(order.items[0]!.id), {
      csrPem: await freshCsr(t, "x1"),
    });
    expect(wrongForKeep.status).toBe(400);
    expect(wrongForKeep.body).toMatchObject({ field: "csrPem", detail: MESSAGES.keepKeyMismatch });
    expect(MESSAGES.keepKeyMismatch).toBe("本订单选择保留原密钥，证书请求的密钥与原证书不一致");
    const wrongForNew = await keepCert.client.post(url(order.items[1]!.id), {
      csrPem: await opensslCsrForKey(t, newCert.keyFile!),
    });
    expect(wrongForNew.status).toBe(400);
    expect(wrongForNew.body).toMatchObject({ field: "csrPem", detail: MESSAGES.rekeySameKey });
    expect(MESSAGES.rekeySameKey).toBe("本订单选择更换新密钥，证书请求不能使用原证书的密钥");
    const garbage = await keepCert.client.post(url(order.items[0]!.id), { csrPem: "not a request" });
    expect(garbage.status).toBe(400);
    expect(garbage.body.field).toBe("csrPem");

    const issued = await db()
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("order_id", "=", order.id)
      .execute();
    expect(issued).toEqual([]);
    expect(await orderState(t, order.id)).toBe("ready");
  }, 60_000);

  it("answers 404 for another account's order or item, and 409 before payment", async () => {
    const owner = await accountWithCertificate(t);
    const stranger = await accountWithCertificate(t);
    await daysBeforeEnd(owner, 20, [stranger]);
    const created = await fileOrder(owner.client, "renew", [
      { certificateSerial: owner.serial, keepKey: true, years: 1 },
    ]);
    const item = created.body.items[0].id;
    const csrPem = await opensslCsrForKey(t, owner.keyFile!);
    const early = await owner.client.post(`/api/v1/orders/${created.body.id}/items/${item}/online-update`, {
      csrPem,
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("INVALID_STATE");
    await payOnline(t, owner.client, created.body.id);

    const theirs = await stranger.client.post(
      `/api/v1/orders/${created.body.id}/items/${item}/online-update`,
      {
        csrPem,
      },
    );
    expect(theirs.status).toBe(404);
    const code = await stranger.client.post(`/api/v1/orders/${created.body.id}/items/${item}/update-code`);
    expect(code.status).toBe(404);
    // An item of another order under the applicant's own order id is not found either.
    const mix = await owner.client.post(
      `/api/v1/orders/${created.body.id}/items/${owner.orderId}/online-update`,
      {
        csrPem,
      },
    );
    expect(mix.status).toBe(404);
    expect(await orderState(t, created.body.id)).toBe("ready");
  }, 60_000);

  it("sends a renewal of a certificate expired more than a year to review; after approval the new end counts from the update date", async () => {
    const owner = await accountWithCertificate(t);
    // 400 Shanghai days after the end: more than a year.
    await daysBeforeEnd(owner, -400);
    const created = await fileOrder(owner.client, "renew", [
      { certificateSerial: owner.serial, keepKey: false, years: 1 },
    ]);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ state: "submitted", needsReview: true });
    const { reviewer } = t.staff;
    const started = await reviewer.post(`/api/v1/admin/orders/${created.body.id}/start-review`, {
      version: created.body.version,
    });
    const approved = await reviewer.post(`/api/v1/admin/orders/${created.body.id}/approve`, {
      version: started.body.version,
    });
    expect(approved.body.state).toBe("awaiting_payment");
    expect(await payOnline(t, owner.client, created.body.id)).toBe("ready");
    // The update happens a few days later.
    await moveClock(t, new Date(t.time.clock().getTime() + 3 * DAY), [owner]);
    const updateDate = new Date(t.time.clock());
    const res = await owner.client.post(
      `/api/v1/orders/${created.body.id}/items/${created.body.items[0].id}/online-update`,
      { csrPem: await freshCsr(t, "late") },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const check = await opensslCheck("late", res.body.certificatePem, res.body.chainPem);
    expect(check.verified, check.verifyOut).toBe(true);
    // Whole seconds: the certificate's time has no milliseconds.
    const expected = addShanghaiYears(new Date(Math.floor(updateDate.getTime() / 1000) * 1000), 1);
    expect(check.notAfter.toISOString()).toBe(expected.toISOString());
    expect(await orderState(t, created.body.id)).toBe("completed");
  }, 60_000);
});

describe("证书在线更新 past the CA's limits", () => {
  it("refuses, when filed, a 延期 for more years than the CA profile allows (on the item's years); the most it allows renews to the profile's limit", async () => {
    const owner = await accountWithCertificate(t);
    // Five years bought 30 days before the end: more than the profile's five years from today.
    await daysBeforeEnd(owner, 30);
    const tooLong = await fileOrder(owner.client, "renew", [
      { certificateSerial: owner.serial, keepKey: true, years: 5 },
    ]);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.field).toBe("items.0.years");
    expect(tooLong.body.detail).toContain("第 1 项：延期 5 年后到期日为");
    expect(tooLong.body.detail).toContain(
      "超出「企业数字证书」证书自办理日起最长 5 年的有效期，最多可延期 4 年",
    );
    const held = await db()
      .selectFrom("certificate_holds")
      .select("order_id")
      .where("serial_hex", "=", owner.serial)
      .execute();
    expect(held).toEqual([]);

    // Four years is what the order names: the CA issues it and openssl reads old end + 4 years.
    const order = await readyRenewal(owner, [{ serial: owner.serial, keepKey: true, years: 4 }]);
    const res = await owner.client.post(
      `/api/v1/orders/${order.id}/items/${order.items[0]!.id}/online-update`,
      { csrPem: await opensslCsrForKey(t, owner.keyFile!) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const check = await opensslCheck("four", res.body.certificatePem, res.body.chainPem);
    expect(check.verified, check.verifyOut).toBe(true);
    expect(check.notAfter.toISOString()).toBe(addShanghaiYears(owner.notAfter, 4).toISOString());
  }, 60_000);

  it("surfaces the CA's refusal of an end after its own; nothing is issued", async () => {
    // Nine years on (expired long ago, so reviewed): two more years would outlive the issuing CA.
    const later = await accountWithCertificate(t);
    await daysBeforeEnd(later, -8 * 366);
    const created = await fileOrder(later.client, "renew", [
      { certificateSerial: later.serial, keepKey: false, years: 2 },
    ]);
    expect(created.body.state).toBe("submitted");
    const { reviewer } = t.staff;
    const started = await reviewer.post(`/api/v1/admin/orders/${created.body.id}/start-review`, {
      version: created.body.version,
    });
    await reviewer.post(`/api/v1/admin/orders/${created.body.id}/approve`, { version: started.body.version });
    expect(await payOnline(t, later.client, created.body.id)).toBe("ready");
    const res = await later.client.post(
      `/api/v1/orders/${created.body.id}/items/${created.body.items[0].id}/online-update`,
      { csrPem: await freshCsr(t, "beyond") },
    );
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("notAfter");
    expect(res.body.detail).toContain("不能晚于签发 CA 的到期时间");
    const issued = await db()
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("order_id", "=", created.body.id)
      .execute();
    expect(issued).toEqual([]);
  }, 60_000);
});

describe("证书在线更新 with a one-time code (token client)", () => {
  const post = (code: string, csrPem: string) =>
    t.app.inject({
      method: "POST",
      url: "/api/v1/online-update",
      headers: { "content-type": "application/json" },
      payload: { code, csrPem },
    });

  it("hands out a 7-day code whose hash alone is stored; a new code voids the old; a refused request voids it too; once used it answers 410", async () => {
    const owner = await accountWithCertificate(t);
    await daysBeforeEnd(owner, 5);
    const order = await readyRenewal(owner, [{ serial: owner.serial, keepKey: true, years: 1 }]);
    const codeUrl = `/api/v1/orders/${order.id}/items/${order.items[0]!.id}/update-code`;
    const first = await owner.client.post(codeUrl);
    expect(first.status).toBe(200);
    expect(first.body.code).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Date(first.body.expiresAt).getTime() - t.time.clock().getTime()).toBe(7 * DAY);
    const rows = await db()
      .selectFrom("item_authorisations")
      .selectAll()
      .where("order_id", "=", order.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ purpose: "online_update", used_at: null });
    expect(rows[0]!.code_hash).not.toContain(first.body.code);
    expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);

    const second = await owner.client.post(codeUrl);
    expect(second.body.code).not.toBe(first.body.code);
    const keptCsr = await opensslCsrForKey(t, owner.keyFile!);
    const voided = await post(first.body.code, keptCsr);
    expect(voided.statusCode).toBe(410);
    expect(voided.json().detail).toBe(MESSAGES.codeExpired);

    const unknown = await post("A".repeat(32), keptCsr);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe(MESSAGES.codeUnknown);

    // Wrong key: refused, and the code is void from then on (audited), even with the right request.
    const wrong = await post(second.body.code, await freshCsr(t, "code-wrong"));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().field).toBe("csrPem");
    const after = await post(second.body.code, keptCsr);
    expect(after.statusCode).toBe(410);
    expect(after.json()).toMatchObject({ code: "GONE", field: "code", detail: MESSAGES.codeRefused });
    const refused = await db()
      .selectFrom("audit_log")
      .select("detail")
      .where("action", "=", "order.online_update_refused")
      .where("object_id", "=", order.id)
      .execute();
    expect(refused.map((r) => JSON.parse(r.detail))).toEqual([
      expect.objectContaining({ reason: "VALIDATION_FAILED", field: "csrPem", refusedUses: 1, voided: true }),
    ]);
    expect(await orderState(t, order.id)).toBe("ready");

    // No cookie, no CSRF header: the code is the authorisation. Lower case works too.
    const third = await owner.client.post(codeUrl);
    const ok = await post(third.body.code.toLowerCase(), keptCsr);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(spkiOf(ok.json().certificatePem)).toBe(spkiOf(await oldPem(owner.serial)));
    expect(await orderState(t, order.id)).toBe("completed");

    const reused = await post(third.body.code, keptCsr);
    expect(reused.statusCode).toBe(410);
    expect(reused.json()).toMatchObject({ code: "GONE", detail: MESSAGES.codeUsed });
    // A completed order hands out no new code.
    expect((await owner.client.post(codeUrl)).status).toBe(409);
  }, 60_000);

  it("keeps the code out of every log line: in the body it is not logged, in an old-style URL it is redacted", async () => {
    const owner = await accountWithCertificate(t);
    await daysBeforeEnd(owner, 10);
    const order = await readyRenewal(owner, [{ serial: owner.serial, keepKey: true, years: 1 }]);
    const codeUrl = `/api/v1/orders/${order.id}/items/${order.items[0]!.id}/update-code`;
    const { code } = (await owner.client.post(codeUrl)).body as { code: string };
    const before = logs.length;
    // An old client putting the code in the path is refused (no such route; its URL is redacted).
    const old = await t.app.inject({
      method: "POST",
      url: `/api/v1/online-update/${code}`,
      headers: { "content-type": "application/json" },
      payload: { csrPem: "x" },
    });
    expect(old.statusCode).not.toBe(200);
    const ok = await post(code, await opensslCsrForKey(t, owner.keyFile!));
    expect(ok.statusCode, ok.body).toBe(200);
    const lines = logs.slice(before).join("");
    expect(lines).toContain('"url":"/api/v1/online-update"');
    expect(lines).toContain('"url":"/api/v1/online-update/[redacted]"');
    expect(lines).not.toContain(code);
    expect(lines.toUpperCase()).not.toContain(code.toUpperCase());
  }, 60_000);

  it("refuses an expired code with 410", async () => {
    const owner = await accountWithCertificate(t);
    await daysBeforeEnd(owner, 30);
    const order = await readyRenewal(owner, [{ serial: owner.serial, keepKey: true, years: 1 }]);
    const code = await owner.client.post(
      `/api/v1/orders/${order.id}/items/${order.items[0]!.id}/update-code`,
    );
    t.time.advance(7 * 24 * 3600 + 1);
    const late = await post(code.body.code, await opensslCsrForKey(t, owner.keyFile!));
    expect(late.statusCode).toBe(410);
    expect(late.json().detail).toBe(MESSAGES.codeExpired);
    expect(await orderState(t, order.id)).toBe("ready");
  }, 60_000);
});
