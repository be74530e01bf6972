import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  latestSmsCode,
  registerApplicant,
  STRONG_PASSWORD,
  type TestApp,
} from "../../test/harness";

// Attacks that send many requests at once: each rule (five wrong passwords, five tries per code, one
// code per 60 s) must hold however the requests interleave, on SQLite and on PostgreSQL.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

let phoneSeq = 0;
const newPhone = () => `136${String(20000000 + ++phoneSeq * 7919).padStart(8, "0")}`;

/** `n` requests sent at once, each from its own client (own IP, so per-IP limits stay out of the way). */
const burst = (n: number, send: (c: Client) => ReturnType<Client["post"]>) =>
  Promise.all(Array.from({ length: n }, () => send(new Client(t.app))));

describe("login lockout under concurrent guesses", () => {
  it("locks after five of nine simultaneous wrong passwords and then refuses the right one", async () => {
    const phone = newPhone();
    await registerApplicant(t, phone);
    const answers = await burst(9, (c) => c.post("/api/v1/auth/login", { phone, password: "Wrong-Pass-1" }));
    // At most five guesses are evaluated: four say how many tries are left, the rest are refused as locked.
    expect(answers.filter((a) => a.status === 401)).toHaveLength(4);
    expect(answers.filter((a) => a.status === 423)).toHaveLength(5);
    const right = await new Client(t.app).post("/api/v1/auth/login", { phone, password: STRONG_PASSWORD });
    expect(right.status).toBe(423);
    expect(right.body.code).toBe("ACCOUNT_LOCKED");
    t.time.advance(15 * 60 + 1);
    const later = await new Client(t.app).post("/api/v1/auth/login", { phone, password: STRONG_PASSWORD });
    expect(later.status).toBe(200);
  });
});

describe("SMS codes under concurrent requests", () => {
  it("evaluates at most five of ten simultaneous guesses at one code", async () => {
    const phone = newPhone();
    const sent = await new Client(t.app).post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
    expect(sent.status).toBe(200);
    const code = await latestSmsCode(t, phone);
    const wrong = code === "000000" ? "111111" : "000000";
    const answers = await burst(10, (c) =>
      c.post("/api/v1/auth/register", { phone, code: wrong, password: STRONG_PASSWORD }),
    );
    expect(answers.every((a) => a.status === 400)).toBe(true);
    expect(answers.filter((a) => a.body.code === "SMS_CODE_INVALID")).toHaveLength(5);
    const row = await t.database.db
      .selectFrom("sms_codes")
      .select("attempts")
      .where("phone", "=", phone)
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(5);
    const right = await new Client(t.app).post("/api/v1/auth/register", {
      phone,
      code,
      password: STRONG_PASSWORD,
    });
    expect(right.body.code).toBe("SMS_CODE_EXPIRED");
  });

  it("sends one code when five requests for one phone arrive at once", async () => {
    const phone = newPhone();
    const answers = await burst(5, (c) => c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" }));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(4);
    const queued = await t.database.db
      .selectFrom("sms_outbox")
      .select("id")
      .where("phone", "=", phone)
      .execute();
    expect(queued).toHaveLength(1);
  });
});
