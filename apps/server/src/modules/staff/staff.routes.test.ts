import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main";
import { Client, createTestApp, registerApplicant, staffClient, type TestApp } from "../../test/harness";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("staff administration", () => {
  it("lets the admin create a reviewer who can then log in and must change the initial password", async () => {
    const admin = await staffClient(t, "admin");
    const created = await admin.post("/api/v1/admin/staff", {
      username: "wang.reviewer",
      name: "王审核",
      role: "reviewer",
      password: "Initial-Pass-1",
    });
    expect(created.status).toBe(201);
    expect(created.body.staff).toMatchObject({
      username: "wang.reviewer",
      role: "reviewer",
      mustChangePassword: true,
    });
    expect(JSON.stringify(created.body)).not.toContain("password_hash");
    const reviewer = await staffClient(t, "wang.reviewer", "Initial-Pass-1");
    const me = await reviewer.get("/api/v1/admin/me");
    expect(me.body.staff.role).toBe("reviewer");
    const changed = await reviewer.post("/api/v1/admin/me/password", {
      currentPassword: "Initial-Pass-1",
      newPassword: "Reviewer-Pass-2",
    });
    expect(changed.status).toBe(204);
    expect((await reviewer.get("/api/v1/admin/me")).body.staff.mustChangePassword).toBe(false);
  });

  it("lets a staff member with an initial password do nothing but change it", async () => {
    // The admin chose the initial password: until its holder replaces it, acting with the role would let
    // the admin act as that reviewer or finance clerk (DESIGN §1 separate duties).
    const admin = await staffClient(t, "admin");
    const created = await admin.post("/api/v1/admin/staff", {
      username: "li.finance",
      name: "李财务",
      role: "finance",
      password: "Initial-Pass-1",
    });
    expect(created.status).toBe(201);
    const clerk = await staffClient(t, "li.finance", "Initial-Pass-1");
    const before = await clerk.get("/api/v1/admin/payments");
    expect(before.status).toBe(403);
    expect(before.body.code).toBe("FORBIDDEN");
    expect(before.body.detail).toContain("修改初始密码");
    expect((await clerk.get("/api/v1/admin/me")).status).toBe(200);
    const changed = await clerk.post("/api/v1/admin/me/password", {
      currentPassword: "Initial-Pass-1",
      newPassword: "Finance-Pass-2",
    });
    expect(changed.status).toBe(204);
    expect((await clerk.get("/api/v1/admin/payments")).status).toBe(200);
  });

  it("refuses a taken username and an unknown role, naming the field", async () => {
    const admin = await staffClient(t, "admin");
    const dup = await admin.post("/api/v1/admin/staff", {
      username: "finance",
      name: "x",
      role: "finance",
      password: "Initial-Pass-1",
    });
    expect(dup.status).toBe(409);
    expect(dup.body.field).toBe("username");
    const role = await admin.post("/api/v1/admin/staff", {
      username: "newbie",
      name: "x",
      role: "root",
      password: "Initial-Pass-1",
    });
    expect(role.status).toBe(400);
    expect(role.body.field).toBe("role");
    expect(role.body.detail).toContain("角色");
  });

  it("forbids staff without the admin role from managing staff (403)", async () => {
    for (const username of ["reviewer", "finance", "operator", "auditor"]) {
      const c = await staffClient(t, username);
      expect((await c.get("/api/v1/admin/staff")).status).toBe(403);
      const res = await c.post("/api/v1/admin/staff", {
        username: `x${username}`,
        name: "x",
        role: "admin",
        password: "Initial-Pass-1",
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("FORBIDDEN");
    }
  });

  it("never lets an applicant session reach the staff API", async () => {
    const applicant = await registerApplicant(t, "13700000001");
    const res = await applicant.get("/api/v1/admin/staff");
    expect(res.status).toBe(401);
    // Even a stolen applicant cookie placed in the staff cookie slot does not work.
    const forged = new Client(t.app);
    forged.cookies.set("certhall_staff_sid", applicant.cookies.get("certhall_sid")!);
    expect((await forged.get("/api/v1/admin/me")).status).toBe(401);
  });

  it("disables a staff account: its sessions end and it cannot log in again", async () => {
    const admin = await staffClient(t, "admin");
    await admin.post("/api/v1/admin/staff", {
      username: "temp.op",
      name: "临时",
      role: "operator",
      password: "Initial-Pass-1",
    });
    const op = await staffClient(t, "temp.op", "Initial-Pass-1");
    const list = await admin.get("/api/v1/admin/staff");
    const id = list.body.staff.find((s: { username: string }) => s.username === "temp.op").id;
    expect((await admin.post(`/api/v1/admin/staff/${id}/disable`)).body.staff.disabled).toBe(true);
    expect((await op.get("/api/v1/admin/me")).status).toBe(401);
    const again = await new Client(t.app).post("/api/v1/admin/auth/login", {
      username: "temp.op",
      password: "Initial-Pass-1",
    });
    expect(again.status).toBe(403);
    expect((await admin.post(`/api/v1/admin/staff/${id}/enable`)).body.staff.disabled).toBe(false);
    expect((await staffClient(t, "temp.op", "Initial-Pass-1")).cookies.has("certhall_staff_sid")).toBe(true);
  });

  it("does not let the admin disable their own account", async () => {
    const admin = await staffClient(t, "admin");
    const me = await admin.get("/api/v1/admin/me");
    const res = await admin.post(`/api/v1/admin/staff/${me.body.staff.id}/disable`);
    expect(res.status).toBe(409);
  });

  it("answers 404 for a staff id that does not exist", async () => {
    const admin = await staffClient(t, "admin");
    const res = await admin.post("/api/v1/admin/staff/00000000-0000-4000-8000-000000000000/disable");
    expect(res.status).toBe(404);
  });
});

describe("staff login lockout", () => {
  const login = (username: string, password: string) =>
    new Client(t.app).post("/api/v1/admin/auth/login", { username, password });

  it("locks the admin after five of nine simultaneous wrong passwords and then refuses the right one", async () => {
    const answers = await Promise.all(Array.from({ length: 9 }, () => login("admin", "Wrong-Pass-1")));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(4);
    expect(answers.filter((a) => a.status === 423)).toHaveLength(5);
    const right = await login("admin", "Certhall@2026");
    expect(right.status).toBe(423);
    expect(right.body.code).toBe("ACCOUNT_LOCKED");
    t.time.advance(15 * 60 + 1);
    expect((await login("admin", "Certhall@2026")).status).toBe(200);
  });

  it("answers an unknown username exactly as a known one, lock included", async () => {
    const answers = async (username: string) => {
      const out: { status: number; detail: string }[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await login(username, "Wrong-Pass-1");
        out.push({ status: r.status, detail: r.body.detail });
      }
      return out;
    };
    const known = await answers("finance");
    expect(known.at(-1)!.status).toBe(423);
    expect(await answers("no.such.user")).toEqual(known);
    t.time.advance(15 * 60 + 1);
  });
});

describe("certhall staff create (CLI)", () => {
  it("creates a staff account from the command line, audited as the system", async () => {
    const out: string[] = [];
    const env = {
      DATA_DIR: t.config.dataDir,
      SECRET_KEY: "test-secret-key-test-secret-key-0123456789",
      LOG_LEVEL: "silent",
      ...(t.config.database.kind === "postgres"
        ? { DATABASE_URL: t.config.database.url, DATABASE_SCHEMA: t.config.database.schema }
        : {}),
    };
    const code = await runCli(
      ["staff", "create", "--username", "cli.auditor", "--name", "命令行审计", "--role", "auditor"],
      (s) => out.push(s),
      env,
    );
    expect(code).toBe(0);
    const password = out.find((l) => l.startsWith("初始密码"))?.split(": ")[1];
    expect(password).toBeTruthy();
    const c = await staffClient(t, "cli.auditor", password!);
    expect((await c.get("/api/v1/admin/me")).body.staff.role).toBe("auditor");
    const bad = await runCli(
      ["staff", "create", "--username", "x.y", "--name", "x", "--role", "boss"],
      () => {},
      env,
    ).catch((e: Error) => e.message);
    expect(String(bad)).toContain("--role");
    const withId = await runCli(
      [
        "staff",
        "create",
        "--username",
        "cli.rev",
        "--name",
        "x",
        "--role",
        "reviewer",
        "--phone",
        "13912345678",
        "--id-number",
        "11010519491231002x",
      ],
      () => {},
      env,
    );
    expect(withId).toBe(0);
    expect(
      await t.database.db
        .selectFrom("staff")
        .select(["phone", "id_number"])
        .where("username", "=", "cli.rev")
        .executeTakeFirstOrThrow(),
    ).toEqual({ phone: "13912345678", id_number: "11010519491231002X" });
    const badId = await runCli(
      ["staff", "create", "--username", "cli.bad", "--name", "x", "--role", "reviewer", "--id-number", "123"],
      () => {},
      env,
    ).catch((e: Error) => e.message);
    expect(String(badId)).toContain("--id-number");
  });
});
