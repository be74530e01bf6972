import { defineConfig } from "vitest/config";

// One test run for every workspace. Database tests run on SQLite by default and on
// PostgreSQL when DATABASE_URL is set; each test file gets its own clean database.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.{ts,tsx}"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
