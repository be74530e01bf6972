import { usccCheckChar } from "@certhall/domain";
import { expect, test } from "@playwright/test";
import { registerByApi, staffApi, submitNewOrders } from "../support/api";
import { staffPage } from "../support/new-certificate";

const body = "91350100M000900Y5";
const COMPANY = {
  name: "福州审计日志测试有限公司",
  uscc: body + usccCheckChar(body),
  legalRep: "林法人",
  address: "福州市鼓楼区五四路 1 号",
};

async function text(download: import("@playwright/test").Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

test("the auditor reads who did what to an order in Chinese and exports it", async ({
  page,
  browser,
  baseURL,
}) => {
  // An applicant files an order; the reviewer takes it through review and approves it.
  const { phone, api } = await registerByApi(page);
  const [order] = await submitNewOrders(api, COMPANY, 1);
  const reviewer = await staffApi(baseURL!, "reviewer");
  const started = await reviewer.api.post(`/api/v1/admin/orders/${order!.id}/start-review`, {
    version: order!.version,
  });
  await reviewer.api.post(`/api/v1/admin/orders/${order!.id}/approve`, { version: started.version });
  await reviewer.dispose();

  const auditor = await staffPage(browser, "auditor");
  await auditor.getByRole("menuitem", { name: "审计日志" }).click();
  await auditor.getByRole("textbox", { name: "对象" }).fill(order!.orderNo);
  await auditor.getByRole("button", { name: /(^| )筛选$/ }).click();

  // Who did what, in Chinese: the reviewer by name and role, the applicant by a masked mobile.
  const approve = auditor.locator(".ant-table-row").filter({ hasText: "审核通过" });
  await expect(approve).toContainText("演示审核员（reviewer）");
  await expect(approve).toContainText("审核员");
  await expect(approve).toContainText("审核中");
  await expect(approve).toContainText("待缴费");
  const submitted = auditor.locator(".ant-table-row").filter({ hasText: "提交订单" });
  await expect(submitted).toContainText(`${phone.slice(0, 3)}****${phone.slice(7)}`);
  await expect(auditor.locator(".ant-table")).not.toContainText(phone);
  // No raw JSON unless asked for: 原始记录 shows the stored entry with its hashes.
  await expect(auditor.getByText('"prevHash"')).toHaveCount(0);
  await approve.getByRole("button", { name: "原始记录" }).click();
  await expect(auditor.getByText(/"prevHash"/)).toBeVisible();

  // The export holds the filtered list as people read it.
  const [csv] = await Promise.all([
    auditor.waitForEvent("download"),
    auditor.getByRole("link", { name: /导出 CSV/ }).click(),
  ]);
  const exported = await text(csv);
  expect(exported).toContain("审核通过");
  expect(exported).toContain("状态：审核中 → 待缴费");
  expect(exported).not.toContain(phone);
  const [xlsx] = await Promise.all([
    auditor.waitForEvent("download"),
    auditor.getByRole("link", { name: /导出 Excel/ }).click(),
  ]);
  expect(xlsx.suggestedFilename()).toMatch(/^审计日志-all\.xlsx$/);

  // The order's number links to the staff order page.
  await approve.getByRole("link", { name: order!.orderNo }).click();
  await expect(auditor).toHaveURL(new RegExp(`/admin/review/${order!.id}`));
  await expect(auditor.getByText(`订单 ${order!.orderNo}`).first()).toBeVisible();
  await auditor.context().close();
});
