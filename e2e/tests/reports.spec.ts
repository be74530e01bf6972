import { usccCheckChar } from "@certhall/domain";
import { expect, test } from "@playwright/test";
import { registerByApi, submitNewOrders } from "../support/api";
import { staffPage } from "../support/new-certificate";

const body = "91350100M000800Y4";
const COMPANY = {
  name: "福州报表测试有限公司",
  uscc: body + usccCheckChar(body),
  legalRep: "陈法人",
  address: "福州市台江区八一七中路 9 号",
};

test("the auditor opens 报表, sees each report as a chart and a table, and downloads one as XLSX and CSV", async ({
  page,
  browser,
}) => {
  // Two orders filed today, so the period has figures whichever walks ran before.
  const { api } = await registerByApi(page);
  await submitNewOrders(api, COMPANY, 2);
  const auditor = await staffPage(browser, "auditor");
  await auditor.getByRole("menuitem", { name: "报表" }).click();
  await expect(auditor.getByText("统计区间")).toBeVisible();
  const card = auditor.locator(".ant-card").filter({ hasText: "每日订单量（按业务）" });
  await expect(card.locator("canvas").first()).toBeVisible();
  await expect(card.locator(".ant-table-row").first()).toBeVisible();
  const [xlsx] = await Promise.all([
    auditor.waitForEvent("download"),
    card.getByRole("link", { name: /XLSX/ }).click(),
  ]);
  // The browser takes the Chinese name (filename*), period included.
  expect(xlsx.suggestedFilename()).toMatch(
    /^每日订单量（按业务）（\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}）\.xlsx$/,
  );
  const [csv] = await Promise.all([
    auditor.waitForEvent("download"),
    card.getByRole("link", { name: /CSV/ }).click(),
  ]);
  const text = await csv.createReadStream().then(async (s) => {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  });
  expect(text).toContain("日期,");
  await auditor.context().close();
});
