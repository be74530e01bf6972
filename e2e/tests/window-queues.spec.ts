import { usccCheckChar } from "@certhall/domain";
import { expect, test } from "@playwright/test";
import { registerByApi, submitNewOrders } from "../support/api";
import { setServerClock } from "../support/business";
import { pickOption, staffPage } from "../support/new-certificate";
import { awaitMaterials } from "../support/queues";

const body = "91350100M000903Y4";
const COMPANY = {
  name: "福州窗口预约测试有限公司",
  uscc: body + usccCheckChar(body),
  legalRep: "黄法人",
  address: "福州市鼓楼区五四路 3 号",
};

/** 10:00 in Shanghai on the next Wednesday at least two days ahead: a day the windows are open. */
function nextOpenWednesday(): Date {
  const d = new Date(Date.now() + 2 * 86_400_000);
  while (new Date(d.getTime() + 8 * 3600_000).getUTCDay() !== 3) d.setTime(d.getTime() + 86_400_000);
  const date = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  return new Date(`${date}T10:00:00+08:00`);
}

test.afterEach(async ({ baseURL }) => {
  await setServerClock(baseURL!, null);
});

test("the operator sees today's appointments at 福州 and receives a mailed envelope by waybill", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  // The server's day is an open Wednesday, 10:00 in Shanghai.
  const now = await setServerClock(baseURL!, nextOpenWednesday());
  const today = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const { api } = await registerByApi(page);
  const [atWindow, byMail] = await awaitMaterials(baseURL!, api, await submitNewOrders(api, COMPANY, 2));
  const { windows } = (await api.get("/api/v1/windows")) as { windows: { id: string; city: string }[] };
  const fuzhou = windows.find((w) => w.city === "福州")!;
  await api.post(`/api/v1/orders/${atWindow!.id}/delivery`, {
    version: atWindow!.version,
    method: "window",
    windowId: fuzhou.id,
    date: today,
  });
  await api.post(`/api/v1/orders/${byMail!.id}/delivery`, {
    version: byMail!.version,
    method: "mail",
    returnAddress: { name: "黄经办", phone: "13700002222", address: "福州市鼓楼区五四路 3 号 5 楼" },
  });

  // The applicant posts the materials and gives the waybill on the order page; a bad number is named.
  await page.goto(`/orders/${byMail!.id}`);
  await page.getByLabel("快递公司").fill("顺丰速运");
  await page.getByLabel("快递单号").fill("SF 12");
  await page.getByRole("button", { name: "登记快递单号" }).click();
  await expect(page.getByText("快递单号应为 6–32 位字母、数字或短横线")).toBeVisible();
  const waybill = `SF${String(Date.now()).slice(-10)}`;
  await page.getByLabel("快递单号").fill(waybill);
  await page.getByRole("button", { name: "登记快递单号" }).click();
  await expect(page.getByText(`已登记快递：顺丰速运 ${waybill}，等待窗口签收`)).toBeVisible();

  // The operator at 福州: today's appointments list the order booked there, with the company.
  const operator = await staffPage(browser, "operator");
  await operator.goto("/admin/workbench");
  await pickOption(operator, operator.getByRole("combobox", { name: "办理网点" }), "福州");
  const row = operator.locator(".ant-table-row").filter({ hasText: atWindow!.orderNo });
  await expect(row).toContainText(COMPANY.name);
  await expect(operator.getByRole("textbox", { name: "预约日期" })).toHaveValue(today);
  // Ticked, 批量材料已收齐 takes the materials in.
  await row.getByRole("checkbox").check();
  await operator.getByRole("button", { name: /批量材料已收齐/ }).click();
  await expect(operator.getByText("1 个订单材料已收齐")).toBeVisible();

  // 邮寄材料: the envelope is expected with its waybill; scanning the waybill signs for it and opens the order.
  await operator.getByRole("tab", { name: "邮寄材料" }).click();
  await expect(operator.locator(".ant-table-row").filter({ hasText: byMail!.orderNo })).toContainText(
    waybill,
  );
  await operator.getByPlaceholder("输入或扫描快递单号签收").fill(waybill);
  await operator.getByPlaceholder("输入或扫描快递单号签收").press("Enter");
  await expect(operator.getByText(`已签收订单 ${byMail!.orderNo} 的邮件`)).toBeVisible();
  await expect(operator.getByText(`订单 ${byMail!.orderNo}`)).toBeVisible();

  // A lookup that finds nothing clears the desk instead of leaving this order on it.
  await operator.getByPlaceholder("订单号、汇款识别码，或扫描回执单二维码").fill("XZ000000000000");
  await operator.getByPlaceholder("订单号、汇款识别码，或扫描回执单二维码").press("Enter");
  await expect(operator.getByText(`订单 ${byMail!.orderNo}`)).toHaveCount(0);

  // The applicant sees that the window has the envelope.
  await page.reload();
  await expect(page.getByText(/窗口已于 .* 签收您的邮件/)).toBeVisible();
});
