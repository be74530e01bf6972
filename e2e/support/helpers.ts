import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "Certhall@2026";

/** A fresh mobile number per run, so tests never collide with earlier data. */
export function freshPhone(): string {
  return `135${String(Date.now() % 100_000_000).padStart(8, "0")}`;
}

/** Reads the newest code for `phone` from the dev outbox page, as a developer would. */
export async function readCodeFromDevOutbox(page: Page, phone: string): Promise<string> {
  const outbox = await page.context().newPage();
  await outbox.goto("/dev/sms");
  // The outbox is a plain list (antd 6.6 deprecates List): the newest message comes first.
  const item = outbox.getByRole("listitem").filter({ hasText: phone }).first();
  await expect(item).toBeVisible();
  const text = ((await item.locator(".sms-text").textContent()) ?? "").trim();
  await outbox.close();
  const m = /验证码\D{0,4}(\d{6})/.exec(text);
  if (!m?.[1]) throw new Error(`no code in outbox text: ${text}`);
  return m[1];
}

export async function staffLogin(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/admin/login");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}
