import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../seed";
import { type Client, staffClient } from "../../test/harness";
import { createPaymentTestApp, HANDLER, newApplicant } from "../payments/payment.test-support";
import { createStaffService } from "../staff/staff.service";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let applicant: Awaited<ReturnType<typeof newApplicant>>;
const submitted: { id: string; orderNo: string }[] = [];

async function submitOrder(amountYears = 1) {
  const res = await applicant.client.post("/api/v1/orders", {
    business: "new",
    subjectKind: "company",
    handler: HANDLER,
    items: [
      { subjectId: applicant.companyId, caTypeId: applicant.caTypeId, years: amountYears, eseal: false },
    ],
    submit: true,
  });
  expect(res.status).toBe(201);
  t.time.advance(60);
  return res.body as { id: string; orderNo: string; version: number; totalFen: number };
}

async function reviewers(n: number): Promise<Client[]> {
  const staff = createStaffService({ db: t.database.db, clock: t.time.clock });
  const out: Client[] = [];
  for (let i = 0; i < n; i++) {
    const username = `rq${i}-${process.pid}`;
    if (!(await staff.byUsername(username))) {
      await staff.create(
        { type: "system", id: null },
        {
          username,
          name: `审核员${i}`,
          role: "reviewer",
          password: DEMO_PASSWORD,
          mustChangePassword: false,
        },
      );
    }
    out.push(await staffClient(t, username));
  }
  return out;
}

beforeAll(async () => {
  t = await createPaymentTestApp();
  applicant = await newApplicant(t);
  for (let i = 0; i < 12; i++) submitted.push(await submitOrder(1 + (i % 3)));
});
afterAll(async () => {
  await t.close();
});

describe("审核队列", () => {
  it("lists oldest first with the company, USCC and CA types, page by page on a keyset cursor", async () => {
    const reviewer = await staffClient(t, "reviewer");
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res = await reviewer.get(`/api/v1/admin/queues/review?limit=5${after ? `&after=${after}` : ""}`);
      expect(res.status).toBe(200);
      for (const r of res.body.rows) seen.push(r.id);
      after = res.body.next;
      if (seen.length === 5) {
        expect(res.body.rows[0]).toMatchObject({
          subjectName: expect.any(String),
          caTypes: [expect.any(String)],
        });
        expect(res.body.rows[0].subjectIdentity).toMatch(/^[0-9A-Z]{18}$/);
        expect(res.body.rows[0].handlerPhoneMasked).toContain("****");
      }
    } while (after);
    expect(seen).toEqual(submitted.map((o) => o.id));
  });

  it("filters by amount and searches by order number and handler phone", async () => {
    const reviewer = await staffClient(t, "reviewer");
    const all = (await reviewer.get("/api/v1/admin/queues/review?limit=100")).body.rows as {
      totalFen: number;
    }[];
    const min = Math.max(...all.map((r) => r.totalFen));
    const rich = await reviewer.get(`/api/v1/admin/queues/review?minFen=${min}`);
    expect(rich.body.rows.length).toBe(all.filter((r) => r.totalFen >= min).length);
    expect(rich.body.rows.length).toBeLessThan(all.length);
    const byNo = await reviewer.get(`/api/v1/admin/queues/review?q=${submitted[3]!.orderNo}`);
    expect(byNo.body.rows.map((r: { id: string }) => r.id)).toEqual([submitted[3]!.id]);
    const byPhone = await reviewer.get(`/api/v1/admin/queues/review?q=${HANDLER.phone}&limit=100`);
    expect(byPhone.body.rows.length).toBe(all.length);
  });

  it("answers bad filters with Chinese errors naming the field", async () => {
    const reviewer = await staffClient(t, "reviewer");
    const cases: [string, string, RegExp][] = [
      ["from=2026-13-01", "from", /开始日期/],
      ["minFen=abc", "minFen", /最低金额/],
      ["minFen=500&maxFen=100", "maxFen", /最高金额/],
      ["state=paid", "state", /状态/],
      ["after=garbage", "after", /分页/],
      ["limit=1000", "limit", /条数/],
    ];
    for (const [query, field, text] of cases) {
      const res = await reviewer.get(`/api/v1/admin/queues/review?${query}`);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify(res.body), query).toContain(field);
      expect(res.body.detail, query).toMatch(text);
    }
  });

  it("is for reviewers only", async () => {
    const finance = await staffClient(t, "finance");
    expect((await finance.get("/api/v1/admin/queues/review")).status).toBe(403);
    expect((await finance.post("/api/v1/admin/queues/review/claim", {})).status).toBe(403);
    expect((await applicant.client.get("/api/v1/admin/queues/review")).status).toBe(401);
  });
});

describe("领取下一单", () => {
  it("gives six reviewers claiming at once six different orders, the oldest ones, each taken into review", async () => {
    const team = await reviewers(6);
    const claims = await Promise.all(team.map((c) => c.post("/api/v1/admin/queues/review/claim", {})));
    for (const c of claims) expect(c.status).toBe(200);
    const ids = claims.map((c) => c.body.id as string);
    expect(new Set(ids).size).toBe(6);
    expect(new Set(ids)).toEqual(new Set(submitted.slice(0, 6).map((o) => o.id)));
    const states = await t.database.db
      .selectFrom("orders")
      .select(["id", "state", "reviewer_id"])
      .where("id", "in", ids)
      .execute();
    expect(states.every((s) => s.state === "in_review" && s.reviewer_id)).toBe(true);
    expect(new Set(states.map((s) => s.reviewer_id)).size).toBe(6);
    // Claiming again gives back the order one already holds.
    const again = await team[0]!.post("/api/v1/admin/queues/review/claim", {});
    expect(again.body.id).toBe(claims[0]!.body.id);
  });

  it("lets a claim expire: after 30 minutes a colleague may take the order over", async () => {
    const [a, b] = await reviewers(2);
    const held = (await a!.post("/api/v1/admin/queues/review/claim", {})).body.id as string;
    t.time.advance(31 * 60);
    const b2 = (await reviewers(2))[1]!;
    const claims: string[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await b2.post("/api/v1/admin/queues/review/claim", {});
      if (c.status !== 200) break;
      claims.push(c.body.id);
      const o = await b2.get(`/api/v1/admin/orders/${c.body.id}`);
      await b2.post(`/api/v1/admin/orders/${c.body.id}/approve`, { version: o.body.version });
    }
    expect(claims).toContain(held);
    void b;
    const empty = await b2.post("/api/v1/admin/queues/review/claim", {});
    expect(empty.status).toBe(404);
    expect(empty.body.detail).toContain("暂无待领取");
  });
});

describe("saved filters", () => {
  it("are kept per staff member and queue", async () => {
    const reviewer = await staffClient(t, "reviewer");
    const saved = await reviewer.post("/api/v1/admin/saved-filters/review", {
      name: "大额",
      query: "minFen=100000",
    });
    expect(saved.status).toBe(201);
    expect((await reviewer.get("/api/v1/admin/saved-filters/review")).body.filters).toEqual([
      { id: saved.body.id, name: "大额", query: "minFen=100000" },
    ]);
    const other = (await reviewers(1))[0]!;
    expect((await other.get("/api/v1/admin/saved-filters/review")).body.filters).toEqual([]);
    expect((await other.delete(`/api/v1/admin/saved-filters/review/${saved.body.id}`)).status).toBe(404);
    const bad = await reviewer.post("/api/v1/admin/saved-filters/review", { name: "", query: "" });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain("筛选名称");
    expect((await reviewer.delete(`/api/v1/admin/saved-filters/review/${saved.body.id}`)).status).toBe(204);
  });
});

describe("我的订单", () => {
  it("pages newest change first on a keyset cursor, only the applicant's own orders", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res = await applicant.client.get(`/api/v1/orders?limit=5${after ? `&after=${after}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.orders.map((o: { id: string }) => o.id));
      after = res.body.next;
    } while (after);
    expect(new Set(seen)).toEqual(new Set(submitted.map((o) => o.id)));
    expect(seen).toHaveLength(submitted.length);
    const stranger = await newApplicant(t);
    expect((await stranger.client.get("/api/v1/orders")).body.orders).toEqual([]);
    const bad = await applicant.client.get("/api/v1/orders?after=nonsense");
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain("分页");
  });
});
