import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbHandle, openDatabase } from "../db/database";
import { createTestDatabase } from "../test/harness";
import { exclusiveFor } from "./exclusive";

let t: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.cleanup());

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describe("scheduled jobs run at one place at a time", () => {
  it("skips a job of the same name while it runs in this process, not one of another name", async () => {
    const run = exclusiveFor(t.database);
    const g = gate();
    const first = run("job-a", () => g.opened);
    expect(await run("job-a", async () => {})).toBe(false);
    expect(await run("job-b", async () => {})).toBe(true);
    g.open();
    expect(await first).toBe(true);
    expect(await run("job-a", async () => {})).toBe(true);
  });

  it("releases the job when it fails", async () => {
    const run = exclusiveFor(t.database);
    await expect(run("job-c", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await run("job-c", async () => {})).toBe(true);
  });

  it.runIf(process.env.DATABASE_URL)(
    "on PostgreSQL, another instance (its own pool) skips the job while one holds it",
    async () => {
      const other: DbHandle = openDatabase(t.config);
      try {
        const here = exclusiveFor(t.database);
        const there = exclusiveFor(other);
        const g = gate();
        let ranThere = 0;
        const first = here("job-d", () => g.opened);
        // Let the first take its lock before the other instance tries.
        await new Promise((r) => setTimeout(r, 200));
        expect(await there("job-d", async () => void ranThere++)).toBe(false);
        g.open();
        await first;
        expect(await there("job-d", async () => void ranThere++)).toBe(true);
        expect(ranThere).toBe(1);
      } finally {
        await other.close();
      }
    },
  );
});
