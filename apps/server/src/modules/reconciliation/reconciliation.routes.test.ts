import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, staffClient } from "../../test/harness";
import {
  approvedOrder,
  createPaymentTestApp,
  multipart,
  newApplicant,
  PNG_BYTES,
} from "../payments/payment.test-support";
import { remittanceCodesIn } from "./reconciliation.service";
import { ccbXlsx, icbcCsv, type TestCredit } from "./statement.test-support";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let finance: Client;
let applicant: Awaited<ReturnType<typeof newApplicant>>;

beforeAll(async () => {
  t = await createPaymentTestApp();
  finance = await staffClient(t, "finance");
  applicant = await newApplicant(t);
});
afterAll(async () => {
  await t.close();
});

type Approved = Awaited<ReturnType<typeof approvedOrder>>;

const yuan = (fen: number) => (fen / 100).toFixed(2);
let ref = 0;
const creditFor = (o: Approved, over: Partial<TestCredit> = {}): TestCredit => ({
  date: "2026-12-01",
  yuan: yuan(o.totalFen),
  payer: "福州某某科技有限公司",
  remark: `数字证书费 ${o.remittanceCode}`,
  reference: `HQ${process.pid}${String(++ref).padStart(6, "0")}`,
  ...over,
});

async function upload(file: Buffer, bank: string, filename = "statement.csv", who = finance) {
  const m = multipart(
    { field: "file", filename, contentType: "application/octet-stream", data: file },
    { bank },
  );
  return who.request("POST", "/api/v1/admin/statements", m.body, { "content-type": m.contentType });
}

async function orderState(id: string) {
  return (await applicant.client.get(`/api/v1/orders/${id}`)).body.state as string;
}

async function lines(statementId: string) {
  const res = await finance.get(`/api/v1/admin/statements/${statementId}`);
  expect(res.status).toBe(200);
  return res.body as {
    counts: Record<string, number>;
    lines: { id: string; status: string; lineNo: number; order: { id: string } | null; payerName: string }[];
  };
}

describe("银行对账", () => {
  it("matches 50 credits (45 exact, 2 wrong amounts, 2 unknown, 1 duplicate), books the 45 in one step, and a second import books nothing", async () => {
    const orders: Approved[] = [];
    for (let i = 0; i < 47; i++) orders.push(await approvedOrder(t, applicant));
    const credits = [
      ...orders.slice(0, 45).map((o) => creditFor(o)),
      creditFor(orders[45]!, { yuan: yuan(orders[45]!.totalFen - 100) }),
      creditFor(orders[46]!, { yuan: yuan(orders[46]!.totalFen * 2) }),
      creditFor(orders[0]!, { remark: "货款 无识别码" }),
      creditFor(orders[0]!, { remark: "证书费 ZZZZ2222" }),
      // The same order paid twice: the second credit is for a person to refund.
      creditFor(orders[3]!),
    ];
    const file = icbcCsv(credits);
    const imported = await upload(file, "icbc");
    expect(imported.status).toBe(201);
    const before = await lines(imported.body.id);
    expect(before.counts).toEqual({ exact: 45, amount_mismatch: 2, unknown: 2, duplicate: 1 });
    // Importing books nothing by itself; payer names are masked in the list.
    expect(await orderState(orders[0]!.id)).toBe("awaiting_payment");
    expect(before.lines[0]!.payerName).not.toBe("福州某某科技有限公司");

    const booked = await finance.post(`/api/v1/admin/statements/${imported.body.id}/book`, {});
    expect(booked.status).toBe(200);
    expect(booked.body).toEqual({ booked: 45, moved: 0, ownSkipped: 0 });
    for (const o of orders.slice(0, 45)) expect(await orderState(o.id)).toBe("awaiting_materials");
    expect(await orderState(orders[45]!.id)).toBe("awaiting_payment");

    // Every booking keeps the statement line it came from.
    const db = t.database.db;
    const pays = await db
      .selectFrom("payments")
      .innerJoin("statement_lines", "statement_lines.id", "payments.statement_line_id")
      .select(["payments.order_id", "payments.status", "statement_lines.reference"])
      .where(
        "payments.order_id",
        "in",
        orders.map((o) => o.id),
      )
      .execute();
    expect(pays).toHaveLength(45);
    expect(pays.every((p) => p.status === "booked")).toBe(true);

    // The same file again: every line is a repeat, nothing waits to be booked.
    const again = await upload(file, "icbc");
    expect(again.status).toBe(201);
    expect((await lines(again.body.id)).counts).toEqual({ already_imported: 50 });
    const rebook = await finance.post(`/api/v1/admin/statements/${again.body.id}/book`, {});
    expect(rebook.status).toBe(409);
    expect(
      await db.selectFrom("payments").select("id").where("statement_line_id", "is not", null).execute(),
    ).toHaveLength(45);

    // A person decides the rest, with a reason; a decided line cannot be decided twice.
    const mismatch = before.lines.find((l) => l.status === "amount_mismatch")!;
    const noNote = await finance.post(`/api/v1/admin/statement-lines/${mismatch.id}/resolve`, { note: " " });
    expect(noNote.status).toBe(400);
    expect(noNote.body.field).toBe("note");
    expect(
      (await finance.post(`/api/v1/admin/statement-lines/${mismatch.id}/resolve`, { note: "已原路退回" }))
        .status,
    ).toBe(204);
    expect(
      (await finance.post(`/api/v1/admin/statement-lines/${mismatch.id}/resolve`, { note: "再次" })).status,
    ).toBe(409);
  });

  it("books a transfer the applicant declared with a voucher against its statement line, and finance's batch re-checks an order that moved on", async () => {
    const declared = await approvedOrder(t, applicant);
    const m = multipart({ field: "voucher", filename: "v.png", contentType: "image/png", data: PNG_BYTES });
    const d = await applicant.client.request(
      "POST",
      `/api/v1/orders/${declared.id}/payments/transfer`,
      m.body,
      {
        "content-type": m.contentType,
      },
    );
    expect(d.status).toBe(201);
    const cancelled = await approvedOrder(t, applicant);
    const imported = await upload(
      await ccbXlsx([creditFor(declared), creditFor(cancelled)]),
      "ccb",
      "ccb.xlsx",
    );
    expect(imported.status).toBe(201);
    expect((await lines(imported.body.id)).counts).toEqual({ exact: 2 });
    // The applicant cancels before finance confirms: that line is not booked but left for a person.
    const fresh = (await applicant.client.get(`/api/v1/orders/${cancelled.id}`)).body;
    const c = await applicant.client.post(`/api/v1/orders/${cancelled.id}/cancel`, {
      version: fresh.version,
    });
    expect(c.status).toBe(200);

    const booked = await finance.post(`/api/v1/admin/statements/${imported.body.id}/book`, {});
    expect(booked.body).toEqual({ booked: 1, moved: 1, ownSkipped: 0 });
    expect(await orderState(declared.id)).toBe("awaiting_materials");
    const pay = await t.database.db
      .selectFrom("payments")
      .selectAll()
      .where("order_id", "=", declared.id)
      .executeTakeFirstOrThrow();
    expect(pay).toMatchObject({ id: d.body.id, status: "booked" });
    expect(pay.statement_line_id).not.toBeNull();
    expect((await lines(imported.body.id)).counts).toEqual({ booked: 1, not_payable: 1 });
  });

  it("leaves an order of the finance member's own for a colleague (separation of duties)", async () => {
    const own = await approvedOrder(t, applicant);
    const imported = await upload(icbcCsv([creditFor(own)]), "icbc");
    const db = t.database.db;
    const phone = (
      await db
        .selectFrom("accounts")
        .select("phone")
        .where("id", "=", applicant.accountId)
        .executeTakeFirstOrThrow()
    ).phone;
    await db.updateTable("staff").set({ phone }).where("username", "=", "finance").execute();
    try {
      const refused = await finance.post(`/api/v1/admin/statements/${imported.body.id}/book`, {});
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toContain("职责分离");
      expect(await orderState(own.id)).toBe("awaiting_payment");
      expect((await lines(imported.body.id)).counts).toEqual({ exact: 1 });
    } finally {
      await db.updateTable("staff").set({ phone: null }).where("username", "=", "finance").execute();
    }
    const booked = await finance.post(`/api/v1/admin/statements/${imported.body.id}/book`, {});
    expect(booked.body).toEqual({ booked: 1, moved: 0, ownSkipped: 0 });
  });

  it("refuses a statement without a bank, with an unknown bank, or in a broken upload, naming the field", async () => {
    const o = await approvedOrder(t, applicant);
    const file = icbcCsv([creditFor(o)]);
    const noBank = await upload(file, "");
    expect(noBank.status).toBe(400);
    expect(noBank.body.field).toBe("bank");
    expect((await upload(file, "hsbc")).body.field).toBe("bank");
    const broken = await finance.request("POST", "/api/v1/admin/statements", Buffer.from("--x\r\nnonsense"), {
      "content-type": "multipart/form-data; boundary=x",
    });
    expect(broken.status).toBe(400);
    expect(broken.body.field).toBe("file");
    const json = await finance.post("/api/v1/admin/statements", { bank: "icbc" });
    expect(json.status).toBe(400);
    expect(json.body.field).toBe("file");
    // Nothing was stored by any refusal.
    const count = await t.database.db
      .selectFrom("statement_lines")
      .select("id")
      .where("order_id", "=", o.id)
      .execute();
    expect(count).toHaveLength(0);
  });

  it("is for finance only: a reviewer and an applicant are refused", async () => {
    const reviewer = await staffClient(t, "reviewer");
    expect((await reviewer.get("/api/v1/admin/statements")).status).toBe(403);
    expect((await applicant.client.get("/api/v1/admin/statements")).status).toBe(401);
    const o = await approvedOrder(t, applicant);
    expect((await upload(icbcCsv([creditFor(o)]), "icbc", "s.csv", reviewer)).status).toBe(403);
    const list = await finance.get("/api/v1/admin/statements?limit=1");
    expect(list.status).toBe(200);
    expect(list.body.statements).toHaveLength(1);
    expect(list.body.hasMore).toBe(true);
    const s = list.body.statements[0];
    const next = await finance.get(
      `/api/v1/admin/statements?limit=1&before=${encodeURIComponent(`${s.importedAt},${s.id}`)}`,
    );
    expect(next.body.statements[0].id).not.toBe(s.id);
  });
});

describe("remittanceCodesIn", () => {
  it("finds codes written in any case between Chinese text, never inside a longer token", () => {
    expect(remittanceCodesIn("证书费k7m2q9r4谢谢")).toEqual(["K7M2Q9R4"]);
    expect(remittanceCodesIn("K7M2Q9R4 K7M2Q9R4 AB23CD45")).toEqual(["K7M2Q9R4", "AB23CD45"]);
    expect(remittanceCodesIn("6222020200112233")).toEqual([]);
    expect(remittanceCodesIn("XK7M2Q9R4")).toEqual([]);
    // 0, 1, I, L and O are never in a code.
    expect(remittanceCodesIn("K7M2Q9R0")).toEqual([]);
  });
});
