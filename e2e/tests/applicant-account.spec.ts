import { expect, test } from "@playwright/test";
import { freshPhone, readCodeFromDevOutbox } from "../support/helpers";

const PASSWORD = "Hall-Pass-2026";

test("a new user registers with the code from the dev outbox, logs in again and sees the service windows", async ({
  page,
}) => {
  const phone = freshPhone();
  await page.goto("/register");
  await page.getByLabel("手机号").fill(phone);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await expect(page.getByRole("button", { name: /秒后重新获取/ })).toBeDisabled();

  const code = await readCodeFromDevOutbox(page, phone);
  await page.getByLabel("短信验证码").fill(code);
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByLabel("确认密码").fill(PASSWORD);
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册并登录" }).click();

  await expect(page).toHaveURL(/\/account$/);
  await expect(
    page.locator(".ant-descriptions").getByText(`${phone.slice(0, 3)}****${phone.slice(7)}`),
  ).toBeVisible();

  await page.getByRole("button", { name: "退出登录" }).first().click();
  await page.goto("/login");
  await page.getByLabel("手机号").fill(phone);
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "登录" }).click();
  await expect(page).not.toHaveURL(/\/login/);

  await page.goto("/windows");
  for (const city of ["三明", "福州", "厦门"]) await expect(page.getByText(city).first()).toBeVisible();
  await expect(page.getByText("0592-2677170")).toBeVisible();
  await expect(page.getByText(/营业中|今日营业|今日休息/).first()).toBeVisible();
});

test("a wrong SMS code is refused next to the code field, in Chinese", async ({ page }) => {
  const phone = freshPhone();
  await page.goto("/register");
  await page.getByLabel("手机号").fill(phone);
  await page.getByRole("button", { name: "获取验证码" }).click();
  const code = await readCodeFromDevOutbox(page, phone);
  const wrong = code === "000000" ? "111111" : "000000";
  await page.getByLabel("短信验证码").fill(wrong);
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByLabel("确认密码").fill(PASSWORD);
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByText(/验证码错误，还可尝试 4 次/)).toBeVisible();
  await expect(page).toHaveURL(/\/register$/);
});
