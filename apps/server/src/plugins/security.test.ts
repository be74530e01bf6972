import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  loginApplicant,
  registerApplicant,
  staffClient,
  type TestApp,
} from "../test/harness";

// The CSRF token is bound to the session cookies it was minted with: a token is worth nothing with
// anyone else's session (issue 18 item 10).
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

let phoneSeq = 0;
const newPhone = () => `134${String(40000000 + ++phoneSeq * 7919).padStart(8, "0")}`;

/** PATCH /me with `who`'s session cookie and `token` as CSRF cookie and header. */
async function renameWith(who: Client, token: string) {
  const res = await t.app.inject({
    method: "PATCH",
    url: "/api/v1/me",
    remoteAddress: who.ip,
    headers: {
      cookie: `certhall_sid=${who.cookies.get("certhall_sid")}; certhall_csrf=${token}`,
      "x-csrf-token": token,
    },
    payload: { name: "改名" },
  });
  return res.statusCode;
}

describe("CSRF token bound to the session", () => {
  it("refuses account A's token with account B's session cookie", async () => {
    const a = await registerApplicant(t, newPhone());
    const b = await registerApplicant(t, newPhone());
    const tokenOfA = a.cookies.get("certhall_csrf")!;
    expect(await renameWith(a, tokenOfA)).toBe(200);
    expect(await renameWith(b, tokenOfA)).toBe(403);
    expect(await renameWith(b, b.cookies.get("certhall_csrf")!)).toBe(200);
  });

  it("rotates the token at login: the token from before the session does not work with it", async () => {
    const phone = newPhone();
    await registerApplicant(t, phone);
    const c = new Client(t.app);
    const before = (await c.get("/api/v1/csrf")).body.token as string;
    expect((await c.post("/api/v1/auth/login", { phone, password: "Str0ng-Pass!" })).status).toBe(200);
    const after = c.cookies.get("certhall_csrf")!;
    expect(after).not.toBe(before);
    expect(await renameWith(c, before)).toBe(403);
    expect(await renameWith(c, after)).toBe(200);
  });

  it("rotates the token at logout, so the next login works from the same browser", async () => {
    const phone = newPhone();
    await registerApplicant(t, phone);
    const c = await loginApplicant(t, phone);
    const during = c.cookies.get("certhall_csrf")!;
    expect((await c.post("/api/v1/auth/logout")).status).toBe(204);
    expect(c.cookies.get("certhall_csrf")).not.toBe(during);
    expect((await c.post("/api/v1/auth/login", { phone, password: "Str0ng-Pass!" })).status).toBe(200);
  });

  it("binds the staff session too: a staff member's token does not work with another's cookie", async () => {
    const reviewer = await staffClient(t, "reviewer");
    const finance = await staffClient(t, "finance");
    const logout = (who: Client, token: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/admin/auth/logout",
        headers: {
          cookie: `certhall_staff_sid=${who.cookies.get("certhall_staff_sid")}; certhall_csrf=${token}`,
          "x-csrf-token": token,
        },
      });
    expect((await logout(finance, reviewer.cookies.get("certhall_csrf")!)).statusCode).toBe(403);
    expect((await logout(finance, finance.cookies.get("certhall_csrf")!)).statusCode).toBe(204);
  });
});
