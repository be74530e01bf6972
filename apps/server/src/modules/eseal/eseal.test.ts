import { createHash, X509Certificate } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  accountWithCertificate,
  type BusinessApp,
  createBusinessApp,
  fileOrder,
  HANDLER,
  type IssuedCertificate,
  moveClock,
  newAccount,
  orderState,
  payByTransfer,
  payOnline,
  uploadSeal,
} from "../../test/business-flow";
import { Client } from "../../test/harness";
import { SEAL_IMAGE_MESSAGES } from "./seal-image";
import { drawSealPng, drawSealRgba, encodeRgbaPng } from "./seal-image.test-support";

let t: BusinessApp;

beforeAll(async () => {
  t = await createBusinessApp();
}, 60_000);
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await moveClock(t, new Date());
});

const db = () => t.database.db;
const SEAL = drawSealPng(240);

/** The same seal composited onto white: every corner opaque. */
function sealOnWhite(size: number): Buffer {
  const rgba = drawSealRgba(size);
  for (let i = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3]! / 255;
    for (let k = 0; k < 3; k++) rgba[i + k] = Math.round(rgba[i + k]! * a + 255 * (1 - a));
    rgba[i + 3] = 255;
  }
  return encodeRgbaPng(size, size, rgba);
}

async function uploaded(owner: { client: IssuedCertificate["client"] }, png = SEAL) {
  const res = await uploadSeal(owner.client, png);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { uploadId: string; width: number; height: number; sha256: string };
}

/** The templates of the SMS queued about an order, oldest first (the text names the order number). */
async function smsAbout(orderNo: string) {
  const rows = await db()
    .selectFrom("sms_outbox")
    .select(["template", "phone", "text", "created_at"])
    .where("text", "like", `%${orderNo}%`)
    .orderBy("created_at")
    .execute();
  return rows;
}

/** An 电子签章开通 order for the certificate with a freshly uploaded seal. */
async function esealOrder(owner: IssuedCertificate, name = "福建窗口测试科技有限公司合同专用章") {
  const up = await uploaded(owner);
  const res = await fileOrder(owner.client, "eseal", [
    { certificateSerial: owner.serial, seal: { name, kind: "合同专用章", uploadId: up.uploadId } },
  ]);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.state).toBe("awaiting_payment");
  return { order: res.body as { id: string; orderNo: string }, upload: up };
}

describe("POST /uploads/seal", () => {
  it("stores a transparent PNG seal as the applicant's upload and answers its size and hash", async () => {
    const owner = await newAccount(t);
    const up = await uploaded(owner);
    expect(up).toMatchObject({ width: 240, height: 240 });
    expect(up.sha256).toBe(createHash("sha256").update(SEAL).digest("hex"));
    const row = await db()
      .selectFrom("uploads")
      .selectAll()
      .where("id", "=", up.uploadId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      account_id: owner.accountId,
      purpose: "seal_image",
      mime: "image/png",
      size: SEAL.length,
      order_id: null,
    });
    expect(Buffer.from(row.data, "base64").equals(SEAL)).toBe(true);
  });

  it("refuses a seal on a white background and a JPEG (400 on sealImage), an oversized file (413), and no session", async () => {
    const owner = await newAccount(t);
    const white = await uploadSeal(owner.client, sealOnWhite(240));
    expect(white.status).toBe(400);
    expect(white.body).toMatchObject({ field: "sealImage", detail: SEAL_IMAGE_MESSAGES.corners });

    const jpeg = Buffer.concat([
      Buffer.from("ffd8ffe000104a46494600010100000100010000ffdb004300", "hex"),
      Buffer.alloc(64, 8),
      Buffer.from("ffd9", "hex"),
    ]);
    const asJpeg = await uploadSeal(owner.client, jpeg, { filename: "seal.png", contentType: "image/png" });
    expect(asJpeg.status).toBe(400);
    expect(asJpeg.body).toMatchObject({ field: "sealImage", detail: SEAL_IMAGE_MESSAGES.notPng });

    const big = Buffer.concat([SEAL, Buffer.alloc(1024 * 1024)]);
    const tooBig = await uploadSeal(owner.client, big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ field: "sealImage", detail: SEAL_IMAGE_MESSAGES.tooLarge });

    const wrongField = await uploadSeal(owner.client, SEAL, { field: "voucher" });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.field).toBe("sealImage");

    const anonymous = await uploadSeal(new Client(t.app), SEAL);
    expect(anonymous.status).toBe(401);
    const stored = await db()
      .selectFrom("uploads")
      .select("id")
      .where("account_id", "=", owner.accountId)
      .execute();
    expect(stored).toEqual([]);
  });
});

describe("电子签章开通", () => {
  it("refuses an order naming another account's seal upload (400)", async () => {
    const owner = await accountWithCertificate(t);
    const other = await newAccount(t);
    const theirs = await uploaded(other);
    const res = await fileOrder(owner.client, "eseal", [
      { certificateSerial: owner.serial, seal: { name: "公章", kind: "公章", uploadId: theirs.uploadId } },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("items.0.seal.uploadId");
  }, 60_000);

  it("paid online: ready, the seal is enabled at once (SMS), the first download completes the order; others get 404", async () => {
    const owner = await accountWithCertificate(t);
    const { order, upload } = await esealOrder(owner);

    // While the order is open the wallet shows it on the certificate.
    const before = await owner.client.get("/api/v1/certificates");
    const mineBefore = before.body.certificates.find(
      (c: { serialHex: string }) => c.serialHex === owner.serial,
    );
    expect(mineBefore).toMatchObject({
      eseal: null,
      openOrder: { orderNo: order.orderNo, business: "eseal" },
    });
    expect((await owner.client.get(`/api/v1/certificates/${owner.serial}/eseal`)).status).toBe(404);

    const smsBefore = (await smsAbout(order.orderNo)).length;
    expect(await payOnline(t, owner.client, order.id)).toBe("ready");
    const seals = await db().selectFrom("eseals").selectAll().where("order_id", "=", order.id).execute();
    expect(seals).toHaveLength(1);
    expect(seals[0]).toMatchObject({
      certificate_serial: owner.serial,
      account_id: owner.accountId,
      seal_name: "福建窗口测试科技有限公司合同专用章",
      seal_kind: "合同专用章",
      image_upload_id: upload.uploadId,
      downloaded_at: null,
    });
    expect(seals[0]!.enabled_at).toBe(t.time.clock().toISOString());
    // Reaching ready sends one SMS, the one saying the seal is enabled (not a generic "ready" as well).
    const sms = (await smsAbout(order.orderNo)).slice(smsBefore);
    expect(sms.map((s) => [s.template, s.phone])).toEqual([["eseal_enabled", HANDLER.phone]]);
    expect(sms[0]!.text).toContain("已开通电子签章 1 枚");

    const wallet = await owner.client.get("/api/v1/certificates");
    const mine = wallet.body.certificates.find((c: { serialHex: string }) => c.serialHex === owner.serial);
    expect(mine.eseal).toEqual({ enabled: true, sealName: "福建窗口测试科技有限公司合同专用章" });

    // Someone else: not found, and nothing changes.
    const stranger = await newAccount(t);
    expect((await stranger.client.get(`/api/v1/certificates/${owner.serial}/eseal`)).status).toBe(404);
    expect((await stranger.client.get(`/api/v1/certificates/${owner.serial}/eseal.png`)).status).toBe(404);
    expect(await orderState(t, order.id)).toBe("ready");

    const pkg = await owner.client.get(`/api/v1/certificates/${owner.serial}/eseal`);
    expect(pkg.status).toBe(200);
    expect(pkg.body).toMatchObject({
      sealName: "福建窗口测试科技有限公司合同专用章",
      sealKind: "合同专用章",
    });
    expect(Buffer.from(pkg.body.imagePngBase64, "base64").equals(SEAL)).toBe(true);
    expect(new X509Certificate(pkg.body.certificatePem).serialNumber.toLowerCase()).toBe(owner.serial);
    const issuing = new X509Certificate(pkg.body.chainPem);
    expect(new X509Certificate(pkg.body.certificatePem).verify(issuing.publicKey)).toBe(true);
    expect(pkg.body.enabledAt).toBe(seals[0]!.enabled_at);
    expect(await orderState(t, order.id)).toBe("completed");
    const last = await db()
      .selectFrom("order_events")
      .select(["event", "actor_type"])
      .where("order_id", "=", order.id)
      .orderBy("version", "desc")
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ event: "use", actor_type: "applicant" });

    // Later downloads keep working; the PNG on its own too.
    const png = await t.app.inject({
      method: "GET",
      url: `/api/v1/certificates/${owner.serial}/eseal.png`,
      headers: { cookie: [...owner.client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(png.statusCode).toBe(200);
    expect(png.headers["content-type"]).toBe("image/png");
    expect(png.rawPayload.equals(SEAL)).toBe(true);
    const after = await owner.client.get("/api/v1/certificates");
    expect(
      after.body.certificates.find((c: { serialHex: string }) => c.serialHex === owner.serial),
    ).toMatchObject({
      openOrder: null,
      eseal: { enabled: true },
    });
  }, 60_000);

  it("paid by transfer: awaiting booking until finance books it, then ready with the seal enabled", async () => {
    const owner = await accountWithCertificate(t);
    const { order } = await esealOrder(owner, "财务专用章");
    const steps = await payByTransfer(t, owner.client, order.id);
    expect(steps.afterDeclare).toBe("awaiting_booking");
    expect(steps.afterBook).toBe("ready");
    // Booked into ready: exactly one SMS says so, the e-seal one.
    const ready = (await smsAbout(order.orderNo)).filter((s) =>
      ["order_ready", "eseal_enabled"].includes(s.template),
    );
    expect(ready.map((s) => s.template)).toEqual(["eseal_enabled"]);
    const seals = await db()
      .selectFrom("eseals")
      .select("certificate_serial")
      .where("order_id", "=", order.id)
      .execute();
    expect(seals).toEqual([{ certificate_serial: owner.serial }]);
  }, 60_000);

  it("refuses a second seal on a certificate that already has one", async () => {
    const owner = await accountWithCertificate(t);
    const { order } = await esealOrder(owner);
    await payOnline(t, owner.client, order.id);
    const again = await uploaded(owner);
    const second = [
      { certificateSerial: owner.serial, seal: { name: "另一枚章", kind: "公章", uploadId: again.uploadId } },
    ];
    // While the first order is open, its hold refuses the second.
    const held = await fileOrder(owner.client, "eseal", second);
    expect(held.status).toBe(409);
    expect(held.body.detail).toContain(order.orderNo);
    // Completed (first download): the seal itself refuses it.
    expect((await owner.client.get(`/api/v1/certificates/${owner.serial}/eseal`)).status).toBe(200);
    expect(await orderState(t, order.id)).toBe("completed");
    const res = await fileOrder(owner.client, "eseal", second);
    expect(res.status).toBe(409);
    expect(res.body.field).toBe("items.0.certificateSerial");
    expect(res.body.detail).toContain("已开通电子签章");
    const seals = await db()
      .selectFrom("eseals")
      .select("id")
      .where("certificate_serial", "=", owner.serial)
      .execute();
    expect(seals).toHaveLength(1);
  }, 60_000);
});
