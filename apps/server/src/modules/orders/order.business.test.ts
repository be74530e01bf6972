// The businesses that act on an issued certificate (issue 6): 【添加其他证书】 finds only the account's
// own certificates, one open order per certificate, the confirmation boxes, the per-business item
// checks, and the renewal window and review rule. Real CA, real database (SQLite or PostgreSQL).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, loginApplicant, registerApplicant, staffClient } from "../../test/harness";
import { COMPANY, createFlowApp, type FlowApp, HANDLER } from "../workbench/test-flow";
import { issuedCertificates } from "./order.test-flow";

let t: FlowApp;
let dir: string;
let owner: Client;
let stranger: Client;
let serials: string[];

beforeAll(async () => {
  t = await createFlowApp();
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-business-"));
  owner = await registerApplicant(t, "13900000011");
  stranger = await registerApplicant(t, "13900000012");
  const clients = {
    applicant: owner,
    reviewer: await staffClient(t, "reviewer"),
    operator: await staffClient(t, "operator"),
  };
  ({ serials } = await issuedCertificates(t, clients, dir));
}, 60_000);
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const order = (business: string, items: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  business,
  subjectKind: "company",
  handler: HANDLER,
  items,
  submit: true,
  ...extra,
});

describe("【添加其他证书】", () => {
  it("finds the account's own certificates by company name, and nothing of another account", async () => {
    const mine = await owner.get(
      `/api/v1/orders/candidates?business=unlock&q=${encodeURIComponent("窗口测试")}`,
    );
    expect(mine.status).toBe(200);
    expect(mine.body.certificates.map((c: { serialHex: string }) => c.serialHex).sort()).toEqual(
      [...serials].sort(),
    );
    expect(mine.body.certificates[0].subject.name).toBe(COMPANY.name);
    expect(mine.body.certificates[0].eligible).toBe(true);

    const theirs = await stranger.get(
      `/api/v1/orders/candidates?business=unlock&q=${encodeURIComponent("窗口测试")}`,
    );
    expect(theirs.status).toBe(200);
    expect(theirs.body.certificates).toEqual([]);
    // Typing the serial of someone else's certificate finds nothing either, on search and on order.
    const bySerial = await stranger.get(`/api/v1/orders/candidates?business=unlock&q=${serials[0]}`);
    expect(bySerial.body.certificates).toEqual([]);
    const stolen = await stranger.post(
      "/api/v1/orders",
      order("unlock", [{ certificateSerial: serials[0] }]),
    );
    expect(stolen.status).toBe(400);
    expect(stolen.body.field).toBe("items.0.certificateSerial");
    expect(stolen.body.detail).toContain("证书不存在");
  });

  it("refuses a second open order on the same certificate, naming the first, until it is cancelled", async () => {
    const first = await owner.post("/api/v1/orders", order("unlock", [{ certificateSerial: serials[0] }]));
    expect(first.status).toBe(201);
    expect(first.body.state).toBe("awaiting_payment");
    expect(first.body.totalFen).toBe(0);
    expect(first.body.items[0].targetSerial).toBe(serials[0]);

    const second = await owner.post(
      "/api/v1/orders",
      order("revoke", [{ certificateSerial: serials[0] }], { confirmed: true }),
    );
    expect(second.status).toBe(409);
    expect(second.body.detail).toContain(first.body.orderNo);
    expect(second.body.field).toBe("items.0.certificateSerial");
    const listed = await owner.get(`/api/v1/orders/candidates?business=revoke&q=${serials[0]}`);
    expect(listed.body.certificates[0]).toMatchObject({ eligible: false, heldBy: first.body.orderNo });

    // Editing the order that holds it keeps it; cancelling releases it.
    const edited = await owner.put(`/api/v1/orders/${first.body.id}`, {
      ...order("unlock", [{ certificateSerial: serials[0] }]),
      version: first.body.version,
    });
    expect(edited.status).toBe(200);
    const cancelled = await owner.post(`/api/v1/orders/${first.body.id}/cancel`, {
      version: edited.body.version,
    });
    expect(cancelled.status).toBe(200);
    const again = await owner.post(
      "/api/v1/orders",
      order("revoke", [{ certificateSerial: serials[0] }], { confirmed: true }),
    );
    expect(again.status).toBe(201);
    await owner.post(`/api/v1/orders/${again.body.id}/cancel`, { version: again.body.version });
  });

  it("lets exactly one of two simultaneous orders on a certificate through", async () => {
    const results = await Promise.all(
      [0, 1, 2].map(() => owner.post("/api/v1/orders", order("unlock", [{ certificateSerial: serials[1] }]))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const winner = results.find((r) => r.status === 201)!;
    await owner.post(`/api/v1/orders/${winner.body.id}/cancel`, { version: winner.body.version });
  });

  it("does not take the same certificate twice in one order", async () => {
    const res = await owner.post(
      "/api/v1/orders",
      order("unlock", [{ certificateSerial: serials[0] }, { certificateSerial: serials[0] }]),
    );
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("items.1.certificateSerial");
  });
});

describe("per-business checks", () => {
  it("needs the 【是否换证】 and 【是否注销】 boxes ticked", async () => {
    for (const [business, label] of [
      ["replace", "是否换证"],
      ["revoke", "是否注销"],
    ] as const) {
      const res = await owner.post("/api/v1/orders", order(business, [{ certificateSerial: serials[0] }]));
      expect(res.status, business).toBe(400);
      expect(res.body.field).toBe("confirmed");
      expect(res.body.detail).toContain(label);
    }
  });

  it("checks a change names a real change and its reason, and prices it per certificate", async () => {
    const same = await owner.post(
      "/api/v1/orders",
      order("change", [{ certificateSerial: serials[0], changes: { name: COMPANY.name }, reason: "更名" }]),
    );
    expect(same.status).toBe(400);
    expect(same.body.field).toBe("items.0.changes");
    const noReason = await owner.post(
      "/api/v1/orders",
      order("change", [{ certificateSerial: serials[0], changes: { name: "福建新名称科技有限公司" } }]),
    );
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe("items.0.reason");
    const ok = await owner.post(
      "/api/v1/orders",
      order("change", [
        { certificateSerial: serials[0], changes: { name: "福建新名称科技有限公司" }, reason: "企业更名" },
        { certificateSerial: serials[1], changes: { address: "福建省厦门市思明区" }, reason: "迁址" },
      ]),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.items[0].details).toEqual({
      changes: { name: "福建新名称科技有限公司" },
      reason: "企业更名",
    });
    expect(ok.body.items[0].feeLines.map((l: { code: string }) => l.code)).toEqual(["change"]);
    expect(ok.body.totalFen).toBe(ok.body.items[0].amountFen + ok.body.items[1].amountFen);
    await owner.post(`/api/v1/orders/${ok.body.id}/cancel`, { version: ok.body.version });
  });

  it("stores a 注销's reason, 不再使用 when none is sent, and keeps it through an edit", async () => {
    const plain = await owner.post(
      "/api/v1/orders",
      order("revoke", [{ certificateSerial: serials[0] }], { confirmed: true }),
    );
    expect(plain.status, JSON.stringify(plain.body)).toBe(201);
    expect(plain.body.items[0].details).toEqual({ reason: "cessationOfOperation" });
    const edited = await owner.put(`/api/v1/orders/${plain.body.id}`, {
      ...order("revoke", [{ certificateSerial: serials[0], reason: "keyCompromise" }], { confirmed: true }),
      version: plain.body.version,
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.items[0].details).toEqual({ reason: "keyCompromise" });
    await owner.post(`/api/v1/orders/${plain.body.id}/cancel`, { version: edited.body.version });
  });

  it("asks a reissue for its cause", async () => {
    const res = await owner.post("/api/v1/orders", order("reissue", [{ certificateSerial: serials[0] }]));
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("items.0.cause");
  });
});

describe("zero-amount businesses", () => {
  it("records a zero payment for 解锁 and prints a receipt with the unlock materials and the certificate", async () => {
    const o = await owner.post("/api/v1/orders", order("unlock", [{ certificateSerial: serials[1] }]));
    expect(o.status).toBe(201);
    // The seed's 「支付订单（不进行扣款）」: no cashier, no bank, nothing to book.
    const online = await owner.post(`/api/v1/orders/${o.body.id}/payments/online`, {
      version: o.body.version,
    });
    expect(online.status).toBe(409);
    const paid = await owner.post(`/api/v1/orders/${o.body.id}/payments/zero`, { version: o.body.version });
    expect(paid.status).toBe(201);
    expect(paid.body.amountFen).toBe(0);
    const detail = await owner.get(`/api/v1/orders/${o.body.id}`);
    expect(detail.body.state).toBe("awaiting_materials");
    const receipt = await owner.get(`/api/v1/orders/${o.body.id}/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.body.businessName).toBe("解锁");
    expect(receipt.body.materials.map((m: { code: string }) => m.code)).toEqual([
      "unlock_form",
      "certificate_media",
      "handler_id_copy",
    ]);
    expect(receipt.body.items[0]).toMatchObject({ targetSerial: serials[1], amountFen: 0 });
    expect(receipt.body.items[0].what).toContain(serials[1]);
    expect(receipt.body.items[0].what).toContain("介质解锁");
    // The medium the certificate sits on is the one to unlock.
    expect(detail.body.items[0].mediaSerial).toMatch(/^UKEY-/);
  });
});

describe("延期 window and review", () => {
  it("opens 90 days before expiry, and sends a renewal of a certificate expired over a year to review", async () => {
    const cert = await t.database.db
      .selectFrom("pki_certificates")
      .select("not_after")
      .where("serial_hex", "=", serials[0]!)
      .executeTakeFirstOrThrow();
    const notAfter = new Date(cert.not_after);
    const renew = (years = 1) => order("renew", [{ certificateSerial: serials[0], years, keepKey: true }]);

    const early = await owner.post("/api/v1/orders", renew());
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain("90 天");

    const keepKeyMissing = await owner.post(
      "/api/v1/orders",
      order("renew", [{ certificateSerial: serials[0] }]),
    );
    expect(keepKeyMissing.status).toBe(409); // the window is checked before the details

    t.time.set(new Date(notAfter.getTime() - 30 * 86_400_000).toISOString());
    owner = await loginApplicant(t, "13900000011");
    const noKeyChoice = await owner.post(
      "/api/v1/orders",
      order("renew", [{ certificateSerial: serials[0] }]),
    );
    expect(noKeyChoice.status).toBe(400);
    expect(noKeyChoice.body.field).toBe("items.0.keepKey");
    const inWindow = await owner.post("/api/v1/orders", renew(2));
    expect(inWindow.status).toBe(201);
    expect(inWindow.body.state).toBe("awaiting_payment");
    expect(inWindow.body.needsReview).toBe(false);
    expect(inWindow.body.items[0].years).toBe(2);
    expect(inWindow.body.items[0].details).toEqual({ keepKey: true });
    await owner.post(`/api/v1/orders/${inWindow.body.id}/cancel`, { version: inWindow.body.version });

    // Other businesses refuse an expired certificate; a renewal over a year late goes to a reviewer.
    t.time.set(new Date(notAfter.getTime() + 400 * 86_400_000).toISOString());
    owner = await loginApplicant(t, "13900000011");
    const unlockExpired = await owner.post(
      "/api/v1/orders",
      order("unlock", [{ certificateSerial: serials[0] }]),
    );
    expect(unlockExpired.status).toBe(409);
    expect(unlockExpired.body.detail).toContain("过期");
    const late = await owner.post("/api/v1/orders", renew());
    expect(late.status).toBe(201);
    expect(late.body.state).toBe("submitted");
    expect(late.body.needsReview).toBe(true);
    expect(late.body.actions).toContain("cancel");
    await owner.post(`/api/v1/orders/${late.body.id}/cancel`, { version: late.body.version });
    t.time.set(new Date().toISOString());
  });
});
