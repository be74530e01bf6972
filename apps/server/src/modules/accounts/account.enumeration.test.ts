import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../lib/clock";
import {
  Client,
  createTestApp,
  latestSmsCode,
  registerApplicant,
  STRONG_PASSWORD,
  type TestApp,
} from "../../test/harness";

// Nothing an anonymous client can send tells a registered phone from an unknown one: login, the code
// route and the code checks of register and reset answer both alike (DESIGN §4, issue 18 item 7).
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

let phoneSeq = 0;
const newPhone = () => `135${String(30000000 + ++phoneSeq * 7919).padStart(8, "0")}`;
const answer = (r: { status: number; body: { code?: string; detail?: string; field?: string } }) => ({
  status: r.status,
  code: r.body.code,
  detail: r.body.detail,
  field: r.body.field,
});
const queued = (phone: string) =>
  t.database.db.selectFrom("sms_outbox").select("template").where("phone", "=", phone).execute();
const sendCode = (phone: string, purpose: "register" | "reset_password") =>
  new Client(t.app).post("/api/v1/auth/sms-codes", { phone, purpose });

/** A registered phone whose registration code is out of the 60 s wait. */
async function registered(): Promise<string> {
  const phone = newPhone();
  await registerApplicant(t, phone);
  t.time.advance(61);
  return phone;
}

describe("login", () => {
  it("answers a registered phone and an unknown one alike, try by try, up to the lock", async () => {
    const tries = async (phone: string) => {
      const out = [];
      for (let i = 0; i < 6; i++)
        out.push(
          answer(await new Client(t.app).post("/api/v1/auth/login", { phone, password: "Wrong-Pass-1" })),
        );
      return out;
    };
    const known = await tries(await registered());
    expect(known[0]).toMatchObject({ status: 401, code: "LOGIN_FAILED" });
    expect(known.at(-1)).toMatchObject({ status: 423, code: "ACCOUNT_LOCKED" });
    expect(await tries(newPhone())).toEqual(known);
  });
});

describe("POST /auth/sms-codes", () => {
  it("answers a register code for a registered phone as sent, sends nothing, and keeps the 60 s rule", async () => {
    const taken = await registered();
    const free = newPhone();
    const before = (await queued(taken)).length;
    const [a, b] = [await sendCode(taken, "register"), await sendCode(free, "register")];
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
    expect(await queued(taken)).toHaveLength(before);
    expect(await queued(free)).toHaveLength(1);
    t.time.advance(10);
    expect(answer(await sendCode(taken, "register"))).toEqual(answer(await sendCode(free, "register")));
  });

  it("answers a reset code for an unknown phone as sent and sends nothing", async () => {
    const known = await registered();
    const unknown = newPhone();
    const [a, b] = [await sendCode(known, "reset_password"), await sendCode(unknown, "reset_password")];
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(await queued(unknown)).toHaveLength(0);
    expect((await queued(known)).map((m) => m.template)).toContain("verify_code");
  });
});

describe("code checks", () => {
  it("answers a guessed register code for a registered phone as a wrong code for a free one", async () => {
    const taken = await registered();
    const free = newPhone();
    await sendCode(taken, "register");
    await sendCode(free, "register");
    const code = await latestSmsCode(t, free);
    const guess = code === "000000" ? "111111" : "000000";
    const register = (phone: string) =>
      new Client(t.app).post("/api/v1/auth/register", { phone, code: guess, password: STRONG_PASSWORD });
    const onTaken = answer(await register(taken));
    expect(onTaken).toMatchObject({ status: 400, code: "SMS_CODE_INVALID", field: "code" });
    expect(answer(await register(free))).toEqual(onTaken);
  });

  it("answers a guessed reset code for an unknown phone as a wrong code for a registered one", async () => {
    const known = await registered();
    const unknown = newPhone();
    await sendCode(known, "reset_password");
    await sendCode(unknown, "reset_password");
    const code = await latestSmsCode(t, known);
    const guess = code === "000000" ? "111111" : "000000";
    const reset = (phone: string) =>
      new Client(t.app).post("/api/v1/auth/password-reset", {
        phone,
        code: guess,
        newPassword: "Brand-New-9",
      });
    const onKnown = answer(await reset(known));
    expect(onKnown).toMatchObject({ status: 400, code: "SMS_CODE_INVALID", field: "code" });
    expect(answer(await reset(unknown))).toEqual(onKnown);
  });

  it("refuses a taken phone at the last step of registration, once the code proved the phone", async () => {
    const phone = newPhone();
    const c = new Client(t.app);
    expect((await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" })).status).toBe(200);
    const code = await latestSmsCode(t, phone);
    // Someone else registered the phone in the meantime.
    const now = new Date().toISOString();
    await t.database.db
      .insertInto("accounts")
      .values({ id: newId(), phone, password_hash: "x", name: null, created_at: now, updated_at: now })
      .execute();
    const res = await c.post("/api/v1/auth/register", { phone, code, password: STRONG_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "PHONE_TAKEN", field: "phone" });
  });
});
