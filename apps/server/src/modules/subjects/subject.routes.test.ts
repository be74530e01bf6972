import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iso, newId } from "../../lib/clock";
import { accountIdOf } from "../../test/factories";
import { Client, createTestApp, registerApplicant, type TestApp } from "../../test/harness";
import { getOwnedHandler, rememberHandler } from "./handler.service";
import { getOwnedSubject, getUsableSubject } from "./subject.service";

// Known-good identities: the GB 32100 example shape and the GB 11643-1999 example number.
const USCC = "91350100M000100Y43";
const ID = "11010519491231002X";
const OTHER_USCC = "91350200MA2Y00001N";
const company = (over: Record<string, unknown> = {}) => ({
  kind: "company",
  name: "福建测试科技有限公司",
  uscc: USCC,
  legalRep: "张三",
  address: "福建省福州市鼓楼区八一七中路 1 号",
  ...over,
});

let t: TestApp;
let alice: Client;
let bob: Client;
let aliceId: string;
beforeAll(async () => {
  t = await createTestApp();
  alice = await registerApplicant(t, "13900000001");
  bob = await registerApplicant(t, "13900000002");
  aliceId = await accountIdOf(t.database.db, "13900000001");
});
afterAll(async () => {
  await t.close();
});

describe("subjects (企业/个人) of an account", () => {
  let companyId: string;
  let personId: string;

  it("adds a company with its code upper-cased and a person, and answers 201 with the full record", async () => {
    const c = await alice.post("/api/v1/subjects", company({ uscc: ` ${USCC.toLowerCase()} ` }));
    expect(c.status).toBe(201);
    expect(c.body.subject).toMatchObject({ kind: "company", uscc: USCC, idNumber: null, legalRep: "张三" });
    companyId = c.body.subject.id;
    const p = await alice.post("/api/v1/subjects", {
      kind: "person",
      name: "李四",
      idNumber: ID.toLowerCase(),
    });
    expect(p.status).toBe(201);
    expect(p.body.subject).toMatchObject({ kind: "person", idNumber: ID, uscc: null, address: null });
    personId = p.body.subject.id;
  });

  it("lists the account's subjects with the USCC in full and the ID number masked", async () => {
    const list = await alice.get("/api/v1/subjects");
    expect(list.status).toBe(200);
    const person = list.body.subjects.find((s: { id: string }) => s.id === personId);
    expect(person.idNumberMasked).toBe("110105********002X");
    expect(JSON.stringify(list.body)).not.toContain(ID);
    const firm = list.body.subjects.find((s: { id: string }) => s.id === companyId);
    expect(firm.uscc).toBe(USCC);
    const detail = await alice.get(`/api/v1/subjects/${personId}`);
    expect(detail.body.subject.idNumber).toBe(ID);
  });

  it("filters by kind and finds by part of the name or of the code", async () => {
    const persons = await alice.get("/api/v1/subjects?kind=person");
    expect(persons.body.subjects.map((s: { id: string }) => s.id)).toEqual([personId]);
    const byName = await alice.get(`/api/v1/subjects?q=${encodeURIComponent("测试科技")}`);
    expect(byName.body.subjects.map((s: { id: string }) => s.id)).toEqual([companyId]);
    const byCode = await alice.get("/api/v1/subjects?q=m000100");
    expect(byCode.body.subjects.map((s: { id: string }) => s.id)).toEqual([companyId]);
    expect((await alice.get("/api/v1/subjects?q=nothing-like-this")).body.subjects).toEqual([]);
    expect((await alice.get("/api/v1/subjects?kind=robot")).status).toBe(400);
  });

  it("refuses a USCC with a wrong check character, naming the field uscc and the expected character", async () => {
    const res = await alice.post("/api/v1/subjects", company({ uscc: "91350100M000100Y44" }));
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("uscc");
    expect(res.body.detail).toBe("统一社会信用代码校验位错误，应为 3");
    const letter = await alice.post("/api/v1/subjects", company({ uscc: "91350100O000100Y43" }));
    expect(letter.body.field).toBe("uscc");
    expect(letter.body.detail).toContain("不使用字母 O");
  });

  it("refuses an ID number with an impossible birth date or a wrong check character, naming idNumber", async () => {
    const date = await alice.post("/api/v1/subjects", {
      kind: "person",
      name: "王五",
      idNumber: "110105194902301234",
    });
    expect(date.status).toBe(400);
    expect(date.body.field).toBe("idNumber");
    expect(date.body.detail).toContain("出生日期无效");
    const check = await alice.post("/api/v1/subjects", {
      kind: "person",
      name: "王五",
      idNumber: "110105194912310021",
    });
    expect(check.body).toMatchObject({ field: "idNumber", detail: "身份证号校验位错误，应为 X" });
  });

  it("names each missing company field in Chinese and refuses an unknown kind", async () => {
    const res = await alice.post("/api/v1/subjects", { kind: "company", name: " ", uscc: USCC });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(["name", "legalRep", "address"]));
    expect(res.body.errors.find((e: { field: string }) => e.field === "legalRep").message).toBe(
      "请填写法定代表人",
    );
    const kind = await alice.post("/api/v1/subjects", { kind: "robot", name: "x" });
    expect(kind.status).toBe(400);
    expect(kind.body.detail).toContain("company");
  });

  it("refuses a duplicate in the same account with 409 naming the field, but another account may add it", async () => {
    const dup = await alice.post("/api/v1/subjects", company({ name: "另一个名字" }));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: "CONFLICT", field: "uscc" });
    expect(dup.body.detail).toContain("福建测试科技有限公司");
    const dupPerson = await alice.post("/api/v1/subjects", { kind: "person", name: "李四", idNumber: ID });
    expect(dupPerson.body).toMatchObject({ code: "CONFLICT", field: "idNumber" });
    expect((await bob.post("/api/v1/subjects", company())).status).toBe(201);
  });

  it("answers 404 for another account's subject on every route, exactly like an unknown id", async () => {
    const bobs = (await bob.get("/api/v1/subjects")).body.subjects;
    expect(bobs.map((s: { id: string }) => s.id)).not.toContain(companyId);
    for (const res of [
      await bob.get(`/api/v1/subjects/${companyId}`),
      await bob.put(`/api/v1/subjects/${companyId}`, company({ name: "抢过来" })),
      await bob.post(`/api/v1/subjects/${companyId}/archive`),
      await bob.get(`/api/v1/subjects/${newId()}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
    expect((await alice.get(`/api/v1/subjects/${companyId}`)).body.subject.name).toBe("福建测试科技有限公司");
    const bobAccount = await accountIdOf(t.database.db, "13900000002");
    await expect(getOwnedSubject(t.database.db, bobAccount, companyId)).rejects.toMatchObject({
      status: 404,
    });
  });

  it("asks for a login", async () => {
    const anon = new Client(t.app);
    expect((await anon.get("/api/v1/subjects")).status).toBe(401);
    expect((await anon.post("/api/v1/subjects", company())).status).toBe(401);
    expect((await anon.get("/api/v1/handlers")).status).toBe(401);
  });

  it("stores HTML and SQL in names verbatim and treats % and _ in a search literally", async () => {
    const name = `<script>alert("x")</script>'); DROP TABLE subjects;-- 100%_公司`;
    const ok = await alice.post(
      "/api/v1/subjects",
      company({ name, uscc: OTHER_USCC, legalRep: "<b>王</b>" }),
    );
    expect(ok.status).toBe(201);
    const back = await alice.get(`/api/v1/subjects/${ok.body.subject.id}`);
    expect(back.body.subject.name).toBe(name);
    expect(back.body.subject.legalRep).toBe("<b>王</b>");
    const pct = await alice.get(`/api/v1/subjects?q=${encodeURIComponent("100%_")}`);
    expect(pct.body.subjects.map((s: { name: string }) => s.name)).toEqual([name]);
    const wildcard = await alice.get(`/api/v1/subjects?q=${encodeURIComponent("%")}`);
    expect(wildcard.body.subjects.map((s: { name: string }) => s.name)).toEqual([name]);
    expect((await alice.get("/api/v1/subjects")).body.subjects.length).toBe(3);
  });

  it("edits a subject, and refuses to take another subject's code or to turn a company into a person", async () => {
    const res = await alice.put(`/api/v1/subjects/${companyId}`, company({ address: "福建省厦门市思明区" }));
    expect(res.status).toBe(200);
    expect(res.body.subject.address).toBe("福建省厦门市思明区");
    const taken = await alice.put(`/api/v1/subjects/${companyId}`, company({ uscc: OTHER_USCC }));
    expect(taken.status).toBe(409);
    expect(taken.body.field).toBe("uscc");
    const kind = await alice.put(`/api/v1/subjects/${companyId}`, {
      kind: "person",
      name: "x",
      idNumber: ID,
    });
    expect(kind.status).toBe(400);
    expect(kind.body.field).toBe("kind");
  });

  it("locks name and code while an order using the subject is past review, but not the address", async () => {
    const db = t.database.db;
    const orderId = newId();
    const now = iso(t.time.clock());
    await db
      .insertInto("orders")
      .values({
        id: orderId,
        order_no: `T${orderId.slice(0, 8)}`,
        account_id: aliceId,
        business: "new",
        subject_kind: "company",
        state: "awaiting_payment",
        version: 1,
        handler_name: "赵六",
        handler_id_number: ID,
        handler_phone: "13900000001",
        total_fen: 0,
        remittance_code: `R${orderId.slice(0, 8)}`,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto("order_items")
      .values({
        id: newId(),
        order_id: orderId,
        position: 0,
        subject_id: companyId,
        ca_type_id: "x",
        years: 1,
        eseal: 0,
        fee_lines: "[]",
        amount_fen: 0,
      })
      .execute();
    const rename = await alice.put(`/api/v1/subjects/${companyId}`, company({ name: "改名科技有限公司" }));
    expect(rename.status).toBe(409);
    expect(rename.body).toMatchObject({ code: "INVALID_STATE", field: "name" });
    expect(rename.body.detail).toContain("变更");
    const address = await alice.put(`/api/v1/subjects/${companyId}`, company({ address: "福建省三明市" }));
    expect(address.status).toBe(200);
    // Sent back by the reviewer (returned): the applicant fixes the name and resubmits.
    await db.updateTable("orders").set({ state: "returned" }).where("id", "=", orderId).execute();
    const fixed = await alice.put(`/api/v1/subjects/${companyId}`, company({ name: "改名科技有限公司" }));
    expect(fixed.status).toBe(200);
    expect(fixed.body.subject.name).toBe("改名科技有限公司");
  });

  it("archives a subject out of the list and new orders, refuses it again as a duplicate, and restores it", async () => {
    const res = await alice.post(`/api/v1/subjects/${personId}/archive`);
    expect(res.status).toBe(200);
    expect(res.body.subject.archived).toBe(true);
    const ids = (await alice.get("/api/v1/subjects")).body.subjects.map((s: { id: string }) => s.id);
    expect(ids).not.toContain(personId);
    const archived = (await alice.get("/api/v1/subjects?archived=true")).body.subjects;
    expect(archived.map((s: { id: string }) => s.id)).toEqual([personId]);
    await expect(getUsableSubject(t.database.db, aliceId, personId)).rejects.toMatchObject({
      code: "INVALID_STATE",
    });
    const again = await alice.post("/api/v1/subjects", { kind: "person", name: "李四", idNumber: ID });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("已归档");
    expect((await alice.post(`/api/v1/subjects/${personId}/restore`)).body.subject.archived).toBe(false);
    expect((await getUsableSubject(t.database.db, aliceId, personId)).id).toBe(personId);
    await expect(getUsableSubject(t.database.db, aliceId, personId, "company")).rejects.toMatchObject({
      field: "subjectId",
    });
  });

  it("writes each change to the audit log without the full ID number", async () => {
    const rows = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "detail"])
      .where("object_type", "=", "subject")
      .execute();
    const actions = rows.map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(["subject.create", "subject.update", "subject.archive", "subject.restore"]),
    );
    expect(rows.map((r) => r.detail).join("\n")).not.toContain(ID);
  });
});

describe("handlers (经办人) remembered per account", () => {
  const HANDLER_ID = "440524188001010014";

  it("remembers a handler once per ID number, keeping the newest name and phone at the top", async () => {
    const db = t.database.db;
    await db
      .transaction()
      .execute((trx) =>
        rememberHandler(
          trx,
          aliceId,
          { name: "赵六", idNumber: HANDLER_ID, phone: "13700000001" },
          new Date("2026-11-01T00:00:00Z"),
        ),
      );
    await db
      .transaction()
      .execute((trx) =>
        rememberHandler(
          trx,
          aliceId,
          { name: "钱七", idNumber: ID.toLowerCase(), phone: "13700000002" },
          new Date("2026-11-02T00:00:00Z"),
        ),
      );
    const again = await db
      .transaction()
      .execute((trx) =>
        rememberHandler(
          trx,
          aliceId,
          { name: "赵六六", idNumber: HANDLER_ID, phone: "13700000003" },
          new Date("2026-11-03T00:00:00Z"),
        ),
      );
    expect(again).toMatchObject({
      name: "赵六六",
      phone: "13700000003",
      last_used_at: "2026-11-03T00:00:00.000Z",
    });
    const list = await alice.get("/api/v1/handlers");
    expect(list.status).toBe(200);
    expect(list.body.handlers).toEqual([
      {
        id: again.id,
        name: "赵六六",
        idNumberMasked: "440524********0014",
        phoneMasked: "137****0003",
        lastUsedAt: "2026-11-03T00:00:00.000Z",
      },
      expect.objectContaining({
        name: "钱七",
        idNumberMasked: "110105********002X",
        phoneMasked: "137****0002",
      }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(HANDLER_ID);
    const full = await alice.get(`/api/v1/handlers/${again.id}`);
    expect(full.body.handler).toMatchObject({ idNumber: HANDLER_ID, phone: "13700000003" });
  });

  it("keeps each account's handlers to itself", async () => {
    expect((await bob.get("/api/v1/handlers")).body.handlers).toEqual([]);
    const id = (await alice.get("/api/v1/handlers")).body.handlers[0].id;
    expect((await bob.get(`/api/v1/handlers/${id}`)).status).toBe(404);
    const bobAccount = await accountIdOf(t.database.db, "13900000002");
    await expect(getOwnedHandler(t.database.db, bobAccount, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses to remember a bad ID number or mobile, naming the handler field", async () => {
    const db = t.database.db;
    await expect(
      db
        .transaction()
        .execute((trx) =>
          rememberHandler(
            trx,
            aliceId,
            { name: "孙八", idNumber: "110105194912310021", phone: "13700000004" },
            new Date(),
          ),
        ),
    ).rejects.toMatchObject({ field: "handler.idNumber" });
    await expect(
      db
        .transaction()
        .execute((trx) =>
          rememberHandler(trx, aliceId, { name: "孙八", idNumber: HANDLER_ID, phone: "12345" }, new Date()),
        ),
    ).rejects.toMatchObject({ field: "handler.phone" });
    const stored = await db.selectFrom("handlers").select("name").where("account_id", "=", aliceId).execute();
    expect(stored.map((h) => h.name).sort()).toEqual(["赵六六", "钱七"].sort());
  });
});
