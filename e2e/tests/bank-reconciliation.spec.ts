import { usccCheckChar } from "@certhall/domain";
import { expect, test } from "@playwright/test";
import { registerByApi, staffApi, submitNewOrders } from "../support/api";
import { cn, pickOption, staffPage } from "../support/new-certificate";

const body = "91350100M000700Y4";
const COMPANY = {
  name: "福州对账测试有限公司",
  uscc: body + usccCheckChar(body),
  legalRep: "林法人",
  address: "福州市鼓楼区五四路 1 号",
};

interface Approved {
  id: string;
  totalFen: number;
  remittanceCode: string;
}

/** An 工商银行 account-detail export as its online banking writes it (title lines, a debit, a 合计 line). */
function icbcStatement(credits: { yuan: string; remark: string; reference: string }[]): Buffer {
  const rows = [
    "中国工商银行 账户明细",
    "账号：1402020109000012345,户名：福建省数字证书认证中心",
    "凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,个性化信息",
    'WD0000001,1402020109000012345,6222020000001111,2026-11-30 09:12:03,借,"1,200.00",,,手续费,,工商银行,100000.00,',
    ...credits.map(
      (c) =>
        `${c.reference},1402020109000012345,6222020200112233,2026-12-01 10:20:30,贷,,"${c.yuan}",102391000016,网银跨行汇款,${c.remark},${COMPANY.name},100000.00,`,
    ),
    '合计,,,,,"1,200.00",,,,,,,',
  ];
  return Buffer.from(`\ufeff${rows.join("\r\n")}\r\n`, "utf8");
}

test("finance imports a statement of 50 credits (45 exact, 2 wrong amounts, 2 unknown, 1 duplicate), books the 45 in one step, and a second import of the same file books nothing", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  // Set-up over the API: one company with 47 approved orders waiting for a bank transfer.
  const { api } = await registerByApi(page);
  const reviewer = await staffApi(baseURL!, "reviewer");
  const orders: Approved[] = [];
  try {
    for (let order of await submitNewOrders(api, COMPANY, 47)) {
      order = await reviewer.api.post(`/api/v1/admin/orders/${order.id}/start-review`, {
        version: order.version,
      });
      order = await reviewer.api.post(`/api/v1/admin/orders/${order.id}/approve`, { version: order.version });
      orders.push(order);
    }
  } finally {
    await reviewer.dispose();
  }
  const yuan = (fen: number) => (fen / 100).toFixed(2);
  let n = 0;
  const credit = (o: Approved, over: Partial<{ yuan: string; remark: string }> = {}) => ({
    yuan: yuan(o.totalFen),
    remark: `数字证书费 ${o.remittanceCode}`,
    reference: `E2E${Date.now()}${String(++n).padStart(3, "0")}`,
    ...over,
  });
  const statement = icbcStatement([
    ...orders.slice(0, 45).map((o) => credit(o)),
    credit(orders[45]!, { yuan: yuan(orders[45]!.totalFen - 100) }),
    credit(orders[46]!, { yuan: yuan(orders[46]!.totalFen * 2) }),
    credit(orders[0]!, { remark: "货款" }),
    credit(orders[0]!, { remark: "证书费 ZZZZ2222" }),
    credit(orders[3]!),
  ]);

  // Finance: 银行对账 → the bank, the file, the matches.
  const finance = await staffPage(browser, "finance");
  await finance.getByRole("menuitem", { name: "银行对账" }).click();
  await expect(finance.getByText("银行对账").first()).toBeVisible();
  await pickOption(finance, finance.getByLabel("所属银行"), "中国工商银行");
  const file = { name: "工行明细.csv", mimeType: "text/csv", buffer: statement };
  await finance.locator("input[type=file]").setInputFiles(file);
  await expect(finance.getByText("对账单已导入，请核对匹配结果")).toBeVisible();
  const stat = (label: string) =>
    finance.locator(".ant-statistic").filter({ hasText: label }).locator(".ant-statistic-content");
  await expect(stat("待确认入账")).toHaveText("45");
  await expect(stat("金额不符")).toHaveText("2");
  await expect(stat("未匹配订单")).toHaveText("2");
  await expect(stat("疑似重复汇款")).toHaveText("1");

  await finance.getByRole("button", { name: cn("确认入账（45 笔）") }).click();
  await finance.getByRole("button", { name: /确\s*定|OK/ }).click();
  await expect(finance.getByText("已入账 45 笔，申请人可打印回执单")).toBeVisible();
  await expect(stat("已入账")).toHaveText("45");

  // The applicants' orders moved on to 待收材料; the wrong amount waits for payment still.
  const state = async (o: Approved) => ((await api.get(`/api/v1/orders/${o.id}`)) as { state: string }).state;
  expect(await state(orders[0]!)).toBe("awaiting_materials");
  expect(await state(orders[44]!)).toBe("awaiting_materials");
  expect(await state(orders[45]!)).toBe("awaiting_payment");

  // The same file again: every line was imported before, nothing is there to book.
  await finance.locator("input[type=file]").setInputFiles(file);
  await expect(stat("已导入过")).toHaveText("50");
  await expect(finance.getByRole("button", { name: cn("确认入账（0 笔）") })).toBeDisabled();

  // Back on the first import, a person decides a wrong amount with a note.
  await finance.locator(".ant-table-row", { hasText: "工行明细.csv" }).nth(1).click();
  await expect(stat("已入账")).toHaveText("45");
  await finance
    .locator(".ant-table-row", { hasText: "金额不符" })
    .first()
    .getByRole("button", { name: "人工处理" })
    .click();
  await finance.getByLabel("处理说明").fill("已原路退回付款人");
  await finance.getByRole("dialog").getByRole("button", { name: "人工处理" }).click();
  await expect(finance.getByText("已记录处理结果")).toBeVisible();
  await expect(stat("已人工处理")).toHaveText("1");
  await finance.context().close();
});
