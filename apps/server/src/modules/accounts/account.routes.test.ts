import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountIdOf } from "../../test/factories";
import {
  Client,
  createTestApp,
  latestSmsCode,
  registerApplicant,
  STRONG_PASSWORD,
  type TestApp,
} from "../../test/harness";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

let phoneSeq = 0;
const newPhone = () => `139${String(10000000 + ++phoneSeq * 7919).padStart(8, "0")}`;

describe("POST /api/v1/auth/register", () => {
  it("registers a new applicant with the SMS code and logs them in", async () => {
    const phone = newPhone();
    const c = new Client(t.app);
    const sent = await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ retryAfterSeconds: 60 });
    const code = await latestSmsCode(t, phone);
    expect(code).toMatch(/^\d{6}$/);
    const res = await c.post("/api/v1/auth/register", { phone, code, password: STRONG_PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.account.phoneMasked).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    const me = await c.get("/api/v1/me");
    expect(me.status).toBe(200);
    expect(me.body.account.id).toBe(res.body.account.id);
    // The session cookie is HttpOnly and SameSite; the code is stored only as a hash.
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/certhall_sid=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const stored = await t.database.db
      .selectFrom("sms_codes")
      .selectAll()
      .where("phone", "=", phone)
      .execute();
    expect(stored.every((r) => !r.code_hash.includes(code))).toBe(true);
  });

  it("refuses an invalid phone with a Chinese message naming the field", async () => {
    const res = await new Client(t.app).post("/api/v1/auth/sms-codes", {
      phone: "1234",
      purpose: "register",
    });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", field: "phone" });
    expect(res.body.detail).toContain("手机号");
  });

  it("refuses a wrong code, counts the tries, and kills the code after five", async () => {
    const phone = newPhone();
    const c = new Client(t.app);
    await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
    const code = await latestSmsCode(t, phone);
    const wrong = code === "000000" ? "111111" : "000000";
    const first = await c.post("/api/v1/auth/register", { phone, code: wrong, password: STRONG_PASSWORD });
    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ code: "SMS_CODE_INVALID", field: "code" });
    expect(first.body.detail).toContain("还可尝试 4 次");
    for (let i = 0; i < 4; i++)
      await c.post("/api/v1/auth/register", { phone, code: wrong, password: STRONG_PASSWORD });
    const right = await c.post("/api/v1/auth/register", { phone, code, password: STRONG_PASSWORD });
    expect(right.status).toBe(400);
    expect(right.body.code).toBe("SMS_CODE_EXPIRED");
    expect(
      await t.database.db.selectFrom("accounts").select("id").where("phone", "=", phone).executeTakeFirst(),
    ).toBeUndefined();
  });

  it("refuses an expired code after five minutes", async () => {
    const phone = newPhone();
    const c = new Client(t.app);
    await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
    const code = await latestSmsCode(t, phone);
    t.time.advance(301);
    const res = await c.post("/api/v1/auth/register", { phone, code, password: STRONG_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "SMS_CODE_EXPIRED", field: "code" });
  });

  it("refuses a code used once already", async () => {
    const phone = newPhone();
    const c = await registerApplicant(t, phone);
    const code = await latestSmsCode(t, phone);
    await c.post("/api/v1/auth/logout");
    const again = await new Client(t.app).post("/api/v1/auth/password-reset", {
      phone,
      code,
      newPassword: "An0ther-Pass!",
    });
    expect(again.status).toBe(400);
    expect(["SMS_CODE_INVALID", "SMS_CODE_EXPIRED"]).toContain(again.body.code);
  });

  it("refuses a weak password and says why", async () => {
    const phone = newPhone();
    const c = new Client(t.app);
    await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
    const code = await latestSmsCode(t, phone);
    const res = await c.post("/api/v1/auth/register", { phone, code, password: "12345678" });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("password");
    expect(res.body.detail).toMatch(/密码/);
    const withPhone = await c.post("/api/v1/auth/register", { phone, code, password: `Aa!${phone}` });
    expect(withPhone.status).toBe(400);
    expect(withPhone.body.field).toBe("password");
  });

  it("stores names with SQL and HTML in them verbatim and returns them unexecuted", async () => {
    const c = await registerApplicant(t, newPhone());
    const name = `Robert'); DROP TABLE accounts;-- <script>alert(1)</script>`;
    const res = await c.patch("/api/v1/me", { name });
    expect(res.status).toBe(200);
    expect(res.body.account.name).toBe(name);
    expect((await c.get("/api/v1/me")).body.account.name).toBe(name);
    const count = await t.database.db
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBeGreaterThan(0);
  });
});

describe("SMS code flood control", () => {
  it("answers 429 with the seconds to wait when a code is requested again within 60 s", async () => {
    const phone = newPhone();
    const c = new Client(t.app);
    expect((await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" })).status).toBe(200);
    t.time.advance(20);
    const again = await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 40 });
    expect(again.headers["retry-after"]).toBe("40");
    t.time.advance(41);
    expect((await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" })).status).toBe(200);
  });

  it("stops at the per-phone daily cap", async () => {
    const phone = newPhone();
    t.time.set("2026-11-26T01:00:00.000Z");
    let last = 0;
    for (let i = 0; i < 11; i++) {
      const c = new Client(t.app); // a fresh IP each time: only the phone cap applies
      last = (await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" })).status;
      if (i < 10) expect(last).toBe(200);
      t.time.advance(61);
    }
    expect(last).toBe(429);
    // The next day in Asia/Shanghai the cap starts over.
    t.time.set("2026-11-26T16:01:00.000Z");
    expect(
      (await new Client(t.app).post("/api/v1/auth/sms-codes", { phone, purpose: "register" })).status,
    ).toBe(200);
  });

  it("limits one client IP hammering the code endpoint with many phones", async () => {
    const c = new Client(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (await c.post("/api/v1/auth/sms-codes", { phone: newPhone(), purpose: "register" })).status,
      );
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("POST /api/v1/auth/login", () => {
  it("logs in with phone and password and refuses a wrong password without saying which part was wrong", async () => {
    const phone = newPhone();
    await registerApplicant(t, phone);
    const c = new Client(t.app);
    const bad = await c.post("/api/v1/auth/login", { phone, password: "Wrong-Pass-1" });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe("LOGIN_FAILED");
    const unknown = await c.post("/api/v1/auth/login", { phone: newPhone(), password: "Wrong-Pass-1" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe(bad.body.detail);
    const ok = await c.post("/api/v1/auth/login", { phone, password: STRONG_PASSWORD });
    expect(ok.status).toBe(200);
  });

  it("locks the account after five wrong passwords, even against the right one, for 15 minutes", async () => {
    const phone = newPhone();
    await registerApplicant(t, phone);
    for (let i = 0; i < 4; i++) {
      expect(
        (await new Client(t.app).post("/api/v1/auth/login", { phone, password: "Wrong-Pass-1" })).status,
      ).toBe(401);
    }
    const fifth = await new Client(t.app).post("/api/v1/auth/login", { phone, password: "Wrong-Pass-1" });
    expect(fifth.status).toBe(423);
    expect(fifth.body.code).toBe("ACCOUNT_LOCKED");
    const locked = await t.database.db
      .selectFrom("audit_log")
      .select("object_id")
      .where("action", "=", "account.locked")
      .execute();
    expect(locked.map((r) => r.object_id)).toContain(await accountIdOf(t.database.db, phone));
    const right = await new Client(t.app).post("/api/v1/auth/login", { phone, password: STRONG_PASSWORD });
    expect(right.status).toBe(423);
    t.time.advance(15 * 60 + 1);
    expect(
      (await new Client(t.app).post("/api/v1/auth/login", { phone, password: STRONG_PASSWORD })).status,
    ).toBe(200);
  });

  it("rate-limits a flood of login attempts from one client", async () => {
    const c = new Client(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await c.post("/api/v1/auth/login", { phone: newPhone(), password: "x" })).status);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("sessions and CSRF", () => {
  it("refuses a state-changing request without the CSRF token", async () => {
    const c = new Client(t.app);
    await c.get("/api/v1/csrf");
    c.sendCsrf = false;
    const res = await c.post("/api/v1/auth/login", { phone: "13800138000", password: "Certhall@2026" });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("CSRF_FAILED");
  });

  it("refuses a CSRF token the server did not mint, even when cookie and header agree", async () => {
    const c = new Client(t.app);
    c.cookies.set("certhall_csrf", "forged.0123456789abcdef0123456789abcdef");
    c.sendCsrf = false;
    const res = await c.request(
      "POST",
      "/api/v1/auth/login",
      { phone: "13800138000", password: "Certhall@2026" },
      {
        "x-csrf-token": "forged.0123456789abcdef0123456789abcdef",
        cookie: "certhall_csrf=forged.0123456789abcdef0123456789abcdef",
      },
    );
    expect(res.status).toBe(403);
  });

  it("refuses a session cookie after logout", async () => {
    const c = await registerApplicant(t, newPhone());
    const sid = c.cookies.get("certhall_sid")!;
    expect((await c.post("/api/v1/auth/logout")).status).toBe(204);
    const replay = new Client(t.app);
    replay.cookies.set("certhall_sid", sid);
    const res = await replay.get("/api/v1/me");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("UNAUTHENTICATED");
  });

  it("ends the session after 24 hours without activity", async () => {
    const c = await registerApplicant(t, newPhone());
    t.time.advance(24 * 3600 + 5);
    expect((await c.get("/api/v1/me")).status).toBe(401);
  });

  it("lists this account's devices and answers 404 for another account's session id", async () => {
    const a = await registerApplicant(t, newPhone());
    const b = await registerApplicant(t, newPhone());
    const mine = await a.get("/api/v1/me/sessions");
    expect(mine.body.sessions).toHaveLength(1);
    expect(mine.body.sessions[0].current).toBe(true);
    const theirs = (await b.get("/api/v1/me/sessions")).body.sessions[0].id;
    const res = await a.delete(`/api/v1/me/sessions/${theirs}`);
    expect(res.status).toBe(404);
    expect((await b.get("/api/v1/me")).status).toBe(200);
  });
});

describe("password reset and change", () => {
  it("resets the password by SMS, ends every old session and notifies the phone", async () => {
    const phone = newPhone();
    const old = await registerApplicant(t, phone);
    t.time.advance(61);
    const c = new Client(t.app);
    expect((await c.post("/api/v1/auth/sms-codes", { phone, purpose: "reset_password" })).status).toBe(200);
    const code = await latestSmsCode(t, phone);
    const res = await c.post("/api/v1/auth/password-reset", { phone, code, newPassword: "Brand-New-9" });
    expect(res.status).toBe(204);
    expect((await old.get("/api/v1/me")).status).toBe(401);
    expect((await c.post("/api/v1/auth/login", { phone, password: STRONG_PASSWORD })).status).toBe(401);
    expect((await c.post("/api/v1/auth/login", { phone, password: "Brand-New-9" })).status).toBe(200);
    const notice = await t.database.db
      .selectFrom("sms_outbox")
      .select("template")
      .where("phone", "=", phone)
      .where("template", "=", "password_changed")
      .execute();
    expect(notice).toHaveLength(1);
  });

  it("changes the password with the current one and signs out other devices", async () => {
    const phone = newPhone();
    const a = await registerApplicant(t, phone);
    const other = new Client(t.app);
    await other.post("/api/v1/auth/login", { phone, password: STRONG_PASSWORD });
    const wrong = await a.post("/api/v1/me/password", {
      currentPassword: "nope-Nope-1",
      newPassword: "Changed-Pass-2",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.field).toBe("currentPassword");
    const ok = await a.post("/api/v1/me/password", {
      currentPassword: STRONG_PASSWORD,
      newPassword: "Changed-Pass-2",
    });
    expect(ok.status).toBe(204);
    expect((await a.get("/api/v1/me")).status).toBe(200);
    expect((await other.get("/api/v1/me")).status).toBe(401);
  });
});
