import { expect, test } from "@playwright/test";
import { staffPage } from "../support/new-certificate";

test("the admin publishes an announcement, a question and the hotline, and the portal home shows them", async ({
  page,
  browser,
}) => {
  const admin = await staffPage(browser, "admin");
  await admin.getByRole("menuitem", { name: "公告与帮助" }).click();
  // A hotline that is not a number is refused, naming the field.
  await admin.getByLabel("热线号码").fill("热线");
  await admin.getByLabel("服务时间").fill("工作日 9:00–17:00");
  await admin.getByRole("button", { name: "保存" }).click();
  await expect(admin.getByText(/客服热线应为 7–20 位数字或短横线/).first()).toBeVisible();
  await admin.getByLabel("热线号码").fill("0591-83622480");
  await admin.getByRole("button", { name: "新增公告" }).click();
  await admin.getByLabel("标题").fill("元旦假期网点安排");
  await admin.getByLabel("内容").fill("1 月 1 日三明、福州、厦门网点休息，网上营业厅照常受理。");
  await admin.getByRole("button", { name: "新增问题" }).click();
  await admin.getByLabel("问题").fill("证书过期了还能延期吗？");
  await admin.getByLabel("回答").fill("过期一年内可在线延期，超过一年需要审核。");
  await admin.getByRole("button", { name: "保存" }).click();
  await expect(admin.getByText("已发布到网上营业厅首页")).toBeVisible();

  await page.goto("/");
  await expect(page.getByText("元旦假期网点安排")).toBeVisible();
  await expect(page.getByRole("link", { name: "0591-83622480" })).toBeVisible();
  await page.getByText("证书过期了还能延期吗？").click();
  await expect(page.getByText("过期一年内可在线延期，超过一年需要审核。")).toBeVisible();
});
