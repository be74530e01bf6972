import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, createTestApp, registerApplicant, staffClient, type TestApp } from "../../test/harness";
import { multipart } from "../payments/payment.test-support";
import { payAndBook } from "../workbench/test-flow";
import { MATERIAL_MAX_BYTES } from "./material-file";
import { jpegFile, newCompanyOrder, pdfFile, pngFile, SVG_WITH_SCRIPT } from "./test-files";

let t: TestApp;
let reviewer: Client;
let operator: Client;
let phoneSeq = 0;

beforeAll(async () => {
  t = await createTestApp();
  reviewer = await staffClient(t, "reviewer");
  operator = await staffClient(t, "operator");
}, 60_000);
afterAll(async () => {
  await t.close();
});

const db = () => t.database.db;
const materialsDir = () => path.join(t.config.dataDir, "materials");

function storedFiles(): string[] {
  if (!existsSync(materialsDir())) return [];
  return readdirSync(materialsDir()).flatMap((d) => readdirSync(path.join(materialsDir(), d)));
}

async function applicantWithOrder() {
  const phone = `1380${String(process.pid % 1000).padStart(3, "0")}${String(++phoneSeq).padStart(4, "0")}`;
  const client = await registerApplicant(t, phone);
  const order = await newCompanyOrder(t, client, { name: `福建材料测试${phoneSeq}科技有限公司` });
  return { client, ...order };
}

function upload(
  client: Client,
  orderId: string,
  fields: Record<string, string>,
  data: Buffer,
  filename = "licence.png",
  contentType = "image/png",
) {
  const m = multipart({ field: "file", filename, contentType, data }, fields);
  return client.request("POST", `/api/v1/orders/${orderId}/material-files`, m.body, {
    "content-type": m.contentType,
  });
}

const LICENCE = "business_licence_copy";
interface SlotBody {
  code: string;
  part: string;
  label: string;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON reply read by the assertions
  upload: any;
}
const slot = (body: { subjects: { materials: SlotBody[] }[] }, code: string, part = ""): SlotBody =>
  body.subjects[0]!.materials.find((m) => m.code === code && m.part === part)!;

describe("materials online", () => {
  it("lists per subject what the receipt asks for, ID cards as two sides, USB keys not at all", async () => {
    const { client, orderId } = await applicantWithOrder();
    const res = await client.get(`/api/v1/orders/${orderId}/material-files`);
    expect(res.status).toBe(200);
    const codes = res.body.subjects[0].materials.map((m: SlotBody) => `${m.code}:${m.part}`);
    expect(codes).toEqual([
      "new_form:",
      "business_licence_copy:",
      "handler_id_copy:front",
      "handler_id_copy:back",
      "legal_rep_authorization:",
    ]);
    expect(slot(res.body, "handler_id_copy", "back").label).toBe("经办人身份证复印件（国徽面）");
    expect(res.body.uploadable).toBe(true);
  });

  it("a rejected licence is replaced and approved; the other files are accepted with the first decision", async () => {
    const { client, orderId, subjectId } = await applicantWithOrder();
    const blurry = await upload(client, orderId, { subjectId, code: LICENCE }, pngFile(800, 600, 90));
    expect(blurry.status, JSON.stringify(blurry.body)).toBe(200);
    const form = await upload(
      client,
      orderId,
      { subjectId, code: "new_form" },
      await pdfFile(2),
      "申请表.pdf",
      "application/pdf",
    );
    expect(form.status, JSON.stringify(form.body)).toBe(200);
    const first = slot(form.body, LICENCE).upload;
    expect(first).toMatchObject({ mime: "image/png", width: 800, height: 600, reviewStatus: "pending" });
    expect(slot(form.body, "new_form").upload).toMatchObject({ mime: "application/pdf", pages: 2 });

    // Stored by hash outside the database, 0700 folders and 0600 files.
    const row = await db()
      .selectFrom("material_uploads")
      .selectAll()
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    const file = path.join(materialsDir(), row.sha256.slice(0, 2), row.sha256);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(materialsDir()).mode & 0o777).toBe(0o700);

    let o = await client.get(`/api/v1/orders/${orderId}`);
    const started = await reviewer.post(`/api/v1/admin/orders/${orderId}/start-review`, {
      version: o.body.version,
    });
    expect(started.status).toBe(200);
    // Uploading while the reviewer looks is refused.
    const during = await upload(client, orderId, { subjectId, code: LICENCE }, pngFile(800, 600, 91));
    expect(during.status).toBe(409);
    expect(during.body.detail).toContain("审核中");

    const rejected = await reviewer.post(`/api/v1/admin/orders/${orderId}/reject`, {
      version: started.body.version,
      materials: [{ subjectId, code: LICENCE, reason: "营业执照不清晰" }],
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body.state).toBe("returned");
    const sms = await db()
      .selectFrom("sms_outbox")
      .select("text")
      .where("template", "=", "order_rejected")
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(sms.text).toContain("营业执照副本复印件（加盖公章）：营业执照不清晰");

    let mine = await client.get(`/api/v1/orders/${orderId}/material-files`);
    expect(slot(mine.body, LICENCE).upload).toMatchObject({
      reviewStatus: "rejected",
      reviewReason: "营业执照不清晰",
    });
    expect(slot(mine.body, "new_form").upload.reviewStatus).toBe("accepted");

    o = await client.get(`/api/v1/orders/${orderId}`);
    const early = await client.post(`/api/v1/orders/${orderId}/submit`, { version: o.body.version });
    expect(early.status).toBe(400);
    expect(early.body.detail).toBe("请先重新上传被退回的材料：营业执照副本复印件（加盖公章）");

    const sharp = await upload(
      client,
      orderId,
      { subjectId, code: LICENCE },
      pngFile(1600, 1200, 200),
      "licence-2.png",
    );
    expect(sharp.status).toBe(200);
    expect(slot(sharp.body, LICENCE).upload).toMatchObject({ reviewStatus: "pending", width: 1600 });
    expect(slot(sharp.body, "new_form").upload.id).toBe(slot(form.body, "new_form").upload.id);
    // The blurry one is kept (records are never deleted), superseded.
    const history = await db()
      .selectFrom("material_uploads")
      .select(["id", "superseded_at"])
      .where("order_id", "=", orderId)
      .where("code", "=", LICENCE)
      .execute();
    expect(history).toHaveLength(2);
    expect(history.find((h) => h.id === first.id)?.superseded_at).not.toBeNull();

    o = await client.get(`/api/v1/orders/${orderId}`);
    const resubmitted = await client.post(`/api/v1/orders/${orderId}/submit`, { version: o.body.version });
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    const again = await reviewer.post(`/api/v1/admin/orders/${orderId}/start-review`, {
      version: resubmitted.body.version,
    });
    const approved = await reviewer.post(`/api/v1/admin/orders/${orderId}/approve`, {
      version: again.body.version,
    });
    expect(approved.status).toBe(200);
    mine = await client.get(`/api/v1/orders/${orderId}/material-files`);
    expect(slot(mine.body, LICENCE).upload).toMatchObject({
      reviewStatus: "accepted",
      reviewedBy: "演示审核员",
    });
  });

  it("refuses bad files with a Chinese message naming the material, and stores nothing", async () => {
    const { client, orderId, subjectId } = await applicantWithOrder();
    const before = storedFiles().length;
    const cases: { data: Buffer; name: string; type: string; status: number; detail: RegExp }[] = [
      {
        data: jpegFile(1200, 900),
        name: "licence.png",
        type: "image/png",
        status: 400,
        detail: /扩展名为 \.png，但内容是JPEG 图片/,
      },
      {
        data: Buffer.from("<html><body>hi</body></html>"),
        name: "licence.jpg",
        type: "image/jpeg",
        status: 400,
        detail: /文件内容不是 JPEG、PNG 图片或 PDF 文件/,
      },
      {
        data: Buffer.from("MZ\x90\x00 not an image"),
        name: "licence.jpg",
        type: "image/jpeg",
        status: 400,
        detail: /仅修改扩展名无效/,
      },
      {
        data: SVG_WITH_SCRIPT,
        name: "licence.svg",
        type: "image/svg+xml",
        status: 400,
        detail: /不支持 SVG 文件/,
      },
      {
        data: await pdfFile(200),
        name: "licence.pdf",
        type: "application/pdf",
        status: 400,
        detail: /页数过多（200 页），最多 20 页/,
      },
      {
        data: await pdfFile(1, { javascript: true }),
        name: "licence.pdf",
        type: "application/pdf",
        status: 400,
        detail: /含有脚本/,
      },
      {
        data: Buffer.from("%PDF-1.7\n garbage"),
        name: "licence.pdf",
        type: "application/pdf",
        status: 400,
        detail: /已损坏/,
      },
      {
        data: pngFile(300, 200),
        name: "licence.png",
        type: "image/png",
        status: 400,
        detail: /图片太小（300×200 像素）/,
      },
      {
        data: Buffer.concat([pngFile(800, 600), Buffer.from("<script>alert(1)</script>")]),
        name: "licence.png",
        type: "image/png",
        status: 400,
        detail: /含有脚本或网页代码/,
      },
      {
        data: Buffer.alloc(MATERIAL_MAX_BYTES + 1, 0xff),
        name: "licence.jpg",
        type: "image/jpeg",
        status: 413,
        detail: /不能超过 10 MB/,
      },
    ];
    for (const c of cases) {
      const res = await upload(client, orderId, { subjectId, code: LICENCE }, c.data, c.name, c.type);
      expect(res.status, `${c.name}: ${JSON.stringify(res.body)}`).toBe(c.status);
      expect(res.body.detail).toMatch(c.detail);
      expect(res.body.field).toBe("file");
      if (c.status === 400) expect(res.body.detail).toMatch(/^「营业执照副本复印件（加盖公章）」/);
    }
    const wrongSlot = await upload(client, orderId, { subjectId, code: "vendor_media" }, pngFile(800, 600));
    expect(wrongSlot.body).toMatchObject({ field: "code" });
    const noSide = await upload(client, orderId, { subjectId, code: "handler_id_copy" }, pngFile(800, 600));
    expect(noSide.body).toMatchObject({ field: "part" });
    const cut = await client.request(
      "POST",
      `/api/v1/orders/${orderId}/material-files`,
      Buffer.from("--x\r\ngarbage"),
      {
        "content-type": "multipart/form-data; boundary=x",
      },
    );
    expect(cut.status).toBe(400);
    const rows = await db()
      .selectFrom("material_uploads")
      .select("id")
      .where("order_id", "=", orderId)
      .execute();
    expect(rows).toHaveLength(0);
    expect(storedFiles().length).toBe(before);
  });

  it("serves the files to the owner, the reviewer and the window only", async () => {
    const owner = await applicantWithOrder();
    const other = await applicantWithOrder();
    const res = await upload(
      owner.client,
      owner.orderId,
      { subjectId: owner.subjectId, code: LICENCE },
      pngFile(900, 700, 33),
    );
    const up = slot(res.body, LICENCE).upload;
    const own = await owner.client.get(`/api/v1/orders/${owner.orderId}/material-files/${up.id}/file`);
    expect(own.status).toBe(200);
    expect(own.headers["content-type"]).toBe("image/png");
    expect(String(own.headers["content-disposition"])).toMatch(/^attachment;/);
    expect(own.headers["x-content-type-options"]).toBe("nosniff");

    // Another applicant: not his order, whichever way he asks.
    expect((await other.client.get(`/api/v1/orders/${owner.orderId}/material-files`)).status).toBe(404);
    expect(
      (await other.client.get(`/api/v1/orders/${owner.orderId}/material-files/${up.id}/file`)).status,
    ).toBe(404);
    expect(
      (await other.client.get(`/api/v1/orders/${other.orderId}/material-files/${up.id}/file`)).status,
    ).toBe(404);
    const foreign = await upload(
      other.client,
      owner.orderId,
      { subjectId: owner.subjectId, code: LICENCE },
      pngFile(900, 700, 34),
    );
    expect(foreign.status).toBe(404);
    // A guessed content hash is no file name.
    const row = await db()
      .selectFrom("material_uploads")
      .select("sha256")
      .where("id", "=", up.id)
      .executeTakeFirstOrThrow();
    expect(
      (await owner.client.get(`/api/v1/orders/${owner.orderId}/material-files/${row.sha256}/file`)).status,
    ).toBe(404);
    expect(
      (await reviewer.get(`/api/v1/admin/orders/${owner.orderId}/material-files/${row.sha256}/file`)).status,
    ).toBe(404);
    expect(
      (await new Client(t.app).get(`/api/v1/orders/${owner.orderId}/material-files/${up.id}/file`)).status,
    ).toBe(401);

    // Staff: the reviewer and the window see it (audited); finance, admin and auditor do not.
    const seen = await reviewer.get(`/api/v1/admin/orders/${owner.orderId}/material-files/${up.id}/file`);
    expect(seen.status).toBe(200);
    expect((await operator.get(`/api/v1/admin/orders/${owner.orderId}/material-files`)).status).toBe(200);
    for (const who of ["finance", "admin", "auditor"]) {
      const c = await staffClient(t, who);
      expect((await c.get(`/api/v1/admin/orders/${owner.orderId}/material-files/${up.id}/file`)).status).toBe(
        403,
      );
      expect((await c.get(`/api/v1/admin/orders/${owner.orderId}/material-files`)).status).toBe(403);
    }
    const audit = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("object_id", "=", owner.orderId)
      .where("action", "=", "material.viewed")
      .execute();
    expect(audit).toHaveLength(1);
    // The applicant's session cannot reach the staff route.
    expect((await owner.client.get(`/api/v1/admin/orders/${owner.orderId}/material-files`)).status).toBe(401);
  });

  it("the window checks the original against the upload (原件备查)", async () => {
    const { client, orderId, subjectId } = await applicantWithOrder();
    const res = await upload(client, orderId, { subjectId, code: LICENCE }, pngFile(900, 700, 55));
    const up = slot(res.body, LICENCE).upload;
    const url = `/api/v1/admin/orders/${orderId}/material-files/${up.id}/original`;
    expect((await operator.post(url, { result: "match" })).status).toBe(409);
    let o = await client.get(`/api/v1/orders/${orderId}`);
    const started = await reviewer.post(`/api/v1/admin/orders/${orderId}/start-review`, {
      version: o.body.version,
    });
    await reviewer.post(`/api/v1/admin/orders/${orderId}/approve`, { version: started.body.version });
    await payAndBook(t, orderId);
    expect((await reviewer.post(url, { result: "match" })).status).toBe(403);
    const noNote = await operator.post(url, { result: "mismatch" });
    expect(noNote.body).toMatchObject({ status: 400, field: "note" });
    const checked = await operator.post(url, { result: "match" });
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    expect(slot(checked.body, LICENCE).upload).toMatchObject({
      originalResult: "match",
      originalBy: "演示窗口受理员",
    });
    o = await client.get(`/api/v1/orders/${orderId}/material-files`);
    expect(slot(o.body, LICENCE).upload.originalResult).toBe("match");
  });
});
