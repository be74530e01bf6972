import { expect, test } from "@playwright/test";
import { staffLogin } from "../support/helpers";

test("the admin logs in and creates a reviewer who can then log in", async ({ page, browser }) => {
  const username = `rev${Date.now() % 1_000_000}`;
  const initial = "First-Login-2026";

  await staffLogin(page, "admin");
  await expect(page).toHaveURL(/\/admin\/?$/);
  await page.getByRole("menuitem", { name: "人员管理" }).click();
  await page.getByRole("button", { name: "新增人员" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("用户名").fill(username);
  await dialog.getByLabel("姓名").fill("李审核");
  await dialog.getByLabel("角色").click();
  await page.locator(".ant-select-item-option", { hasText: "审核员" }).click();
  await dialog.getByLabel("初始密码").fill(initial);
  await dialog.getByRole("button", { name: /确\s*定|创建|提交|保存/ }).click();
  await expect(page.getByRole("cell", { name: username })).toBeVisible();

  // The new reviewer, in a separate browser session, must change the initial password first.
  const context = await browser.newContext();
  const reviewer = await context.newPage();
  await staffLogin(reviewer, username, initial);
  await expect(reviewer.getByText("首次登录或密码已被重置，请先修改密码。")).toBeVisible();
  await reviewer.getByLabel("当前密码").fill(initial);
  await reviewer.getByLabel("新密码", { exact: true }).fill("Reviewer-Own-2026");
  await reviewer.getByLabel("确认新密码").fill("Reviewer-Own-2026");
  await reviewer.getByRole("button", { name: /保\s*存|修改密码|提\s*交/ }).click();
  await expect(reviewer.getByText("审核员").first()).toBeVisible();
  // A reviewer's menu has no staff management.
  await expect(reviewer.getByRole("menuitem", { name: "人员管理" })).toHaveCount(0);
  await context.close();
});
