// Helpers of the 延期 walk (renew.spec.ts): the development server's clock and the applicant's login.
import { usccCheckChar } from "@certhall/domain";
import { expect, type Page, request } from "@playwright/test";
import { jsonApi } from "./api";
import { APPLICANT_PASSWORD } from "./new-certificate";

/**
 * Moves the app's clock of the e2e server (POST /api/v1/dev/clock, dev servers only) so that it reads
 * `at` now; null goes back to the real time. The CA keeps the real time, as in the server tests.
 */
export async function setServerClock(baseURL: string, at: Date | null): Promise<Date> {
  const ctx = await request.newContext({ baseURL });
  try {
    const res = (await jsonApi(ctx).post("/api/v1/dev/clock", { at: at?.toISOString() ?? null })) as {
      now: string;
    };
    return new Date(res.now);
  } finally {
    await ctx.dispose();
  }
}

/** The applicant logs in on the login page with the mobile number and password. */
export async function loginApplicant(page: Page, phone: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("手机号").fill(phone);
  await page.getByLabel("密码").fill(APPLICANT_PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/account$/);
}

/** A company with a valid 统一社会信用代码 made from `serial` (8 characters of the code's alphabet). */
export function company(name: string, serial: string) {
  const body = `91350100M${serial}`;
  return { name, uscc: body + usccCheckChar(body), legalRep: "郑法人", address: "福州市晋安区福新路 6 号" };
}
