import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseTrustProxy } from "./config";
import { Client, createTestApp, type TestApp } from "./test/harness";

/** Six code requests (the route allows five a minute per address), each with another forged XFF. */
async function sixCodeRequests(t: TestApp, from: string, firstPhone: number) {
  const c = new Client(t.app, from);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await c.request(
      "POST",
      "/api/v1/auth/sms-codes",
      { phone: `139${String(firstPhone + i).padStart(8, "0")}`, purpose: "register" },
      { "x-forwarded-for": `203.0.113.${firstPhone + i}` },
    );
    statuses.push(res.status);
  }
  return statuses;
}

describe("TRUST_PROXY=true (loopback only)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: "true" } });
  });
  afterAll(async () => {
    await t.close();
  });

  it("limits a remote client with a forged X-Forwarded-For by its real address", async () => {
    const statuses = await sixCodeRequests(t, "10.77.0.1", 10);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
    const ips = await t.database.db.selectFrom("sms_codes").select("ip").distinct().execute();
    expect(ips.map((r) => r.ip)).toEqual(["10.77.0.1"]);
  });
});

describe("TRUST_PROXY as a list of proxies", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: "10.66.0.0/16, 192.0.2.1" } });
  });
  afterAll(async () => {
    await t.close();
  });

  it("believes X-Forwarded-For only from a listed proxy", async () => {
    // Through the proxy, six different clients: each has its own address and its own limit.
    expect(await sixCodeRequests(t, "10.66.3.4", 20)).toEqual([200, 200, 200, 200, 200, 200]);
    // Straight from elsewhere, the forged header is ignored.
    expect((await sixCodeRequests(t, "10.55.0.9", 30))[5]).toBe(429);
    const rows = await t.database.db.selectFrom("sms_codes").select("ip").execute();
    expect(rows.filter((r) => r.ip === "10.55.0.9")).toHaveLength(5);
    expect(rows.some((r) => r.ip === "203.0.113.20")).toBe(true);
  });
});

describe("parseTrustProxy", () => {
  it("takes addresses and CIDRs, refuses the rest, and refuses true in production", () => {
    expect(parseTrustProxy("false", true)).toBe(false);
    expect(parseTrustProxy("true", false)).toEqual(["loopback"]);
    expect(parseTrustProxy("127.0.0.1, 10.0.0.0/8,::1,fd00::/8", true)).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
    ]);
    expect(() => parseTrustProxy("true", true)).toThrow(/TRUST_PROXY=true/);
    for (const bad of ["10.0.0.0/33", "proxy.example", "10.0.0.1/8/1", "*"])
      expect(() => parseTrustProxy(bad, false)).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        NODE_ENV: "production",
        SECRET_KEY: "s".repeat(40),
        CA_MASTER_KEY: "ab".repeat(32),
        AUDIT_KEY: "cd".repeat(32),
        TRUST_PROXY: "true",
      }),
    ).toThrow(/TRUST_PROXY/);
  });
});
