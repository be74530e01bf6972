import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../app";
import type { Config } from "../../config";
import type { DbHandle } from "../../db/database";
import { Client, createTestDatabase } from "../../test/harness";
import { createDevClock } from "./dev-clock";

let config: Config;
let database: DbHandle;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ config, database, cleanup } = await createTestDatabase());
});
afterAll(async () => {
  await cleanup();
});

const DAY = 24 * 3600 * 1000;

describe("the dev clock", () => {
  it("moves the app's clock on a development server and goes back to the system time", async () => {
    const devClock = createDevClock();
    const app = await buildApp({ config, database, webDist: null, devClock });
    await app.ready();
    try {
      const c = new Client(app);
      const at = new Date(Date.now() + 300 * DAY);
      const moved = await c.post("/api/v1/dev/clock", { at: at.toISOString() });
      expect(moved.status).toBe(200);
      expect(Math.abs(new Date(moved.body.now).getTime() - at.getTime())).toBeLessThan(5_000);

      // The app's services read the moved time: an SMS code requested now is queued 300 days ahead.
      const phone = "13912340001";
      expect((await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" })).status).toBe(200);
      const outbox = await c.get("/api/v1/dev/sms-outbox");
      const queued = (outbox.body.messages as { phone: string; createdAt: string }[]).find(
        (m) => m.phone === phone,
      );
      expect(Math.abs(new Date(queued!.createdAt).getTime() - at.getTime())).toBeLessThan(5_000);

      const back = await c.post("/api/v1/dev/clock", { at: null });
      expect(back.body.offsetMs).toBe(0);
      expect(Math.abs(new Date(back.body.now).getTime() - Date.now())).toBeLessThan(5_000);
    } finally {
      await app.close();
    }
  });

  it("does not exist in production nor without the dev SMS provider, and the clock keeps the system time", async () => {
    for (const cfg of [
      { ...config, env: "production" as const },
      { ...config, sms: { ...config.sms, provider: "aliyun" as const } },
    ]) {
      const devClock = createDevClock();
      devClock.set(new Date(Date.now() + 300 * DAY));
      const app = await buildApp({ config: cfg, database, webDist: null, devClock });
      await app.ready();
      try {
        expect(app.hasRoute({ method: "POST", url: "/api/v1/dev/clock" })).toBe(false);
        expect((await app.inject({ method: "GET", url: "/api/v1/dev/clock" })).statusCode).toBe(404);
      } finally {
        await app.close();
      }
    }
  });
});
