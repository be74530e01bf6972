import { expect, test } from "@playwright/test";
import { HANDLER, holdCertificates, registerByApi } from "../support/api";
import {
  cn,
  confirmPopover,
  expectSms,
  orderNumberOn,
  receiptPdfText,
  staffPage,
  tempDir,
} from "../support/new-certificate";
import {
  addCertificateOf,
  bookFuzhouWindow,
  openBusinesses,
  operatorCompletes,
  operatorTakesMaterials,
  startBusiness,
} from "../support/steps";

const COMPANY = {
  name: "福建解锁测试有限公司",
  uscc: "91350100M000400Y5D",
  legalRep: "黄法人",
  address: "福州市仓山区金山大道 9 号",
};

test("a company unlocks its USB key: zero payment, receipt, materials at the window, and the operator resets the PIN at the window", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const dir = tempDir("e2e-unlock");

  // Set-up: an applicant who already holds a certificate on a recorded USB key.
  const { api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });
  const mediaSerial = held!.mediaSerial;

  // 「业务办理」 → 解锁: free of charge, no review.
  await page.goto("/account");
  await openBusinesses(page);
  const unlockRow = page.locator("#business-unlock");
  await expect(unlockRow.getByText("不收费")).toBeVisible();
  await expect(unlockRow.getByText("需审核")).toHaveCount(0);
  await startBusiness(page, "unlock", "解锁");
  await expect(page.getByLabel("经办人姓名")).toHaveValue(HANDLER.name);

  // 【添加其他证书】: the company's certificate; the item shows the key it sits on.
  await addCertificateOf(page, COMPANY.name);
  await expect(page.getByText(`第 1 项 · ${COMPANY.name}`)).toBeVisible();
  await expect(page.getByText(mediaSerial)).toBeVisible();
  await expect(page.getByTestId("order-total")).toHaveText("¥0.00");
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  await expect(page.getByText(/请点击「支付（不扣款）」继续办理/)).toBeVisible();
  const orderNo = await orderNumberOn(page);

  // 「支付（不扣款）」: a zero payment, no cashier, no bank transfer, nothing to book.
  await expect(page.getByRole("button", { name: "在线支付" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "银行转账" })).toHaveCount(0);
  await page.getByRole("button", { name: cn("支付（不扣款）") }).click();
  await expect(page.getByText("已确认，订单进入下一步")).toBeVisible();
  await expect(page.locator(".ant-tag", { hasText: "待收材料" })).toBeVisible();
  const paid = (await api.get(`/api/v1/orders/${page.url().split("/").pop()}`)) as { totalFen: number };
  expect(paid.totalFen).toBe(0);

  // The receipt PDF lists what to bring for an unlock: the form, the locked key, the handler's ID.
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain("数字证书解锁申请表");
  expect(pdfText).toContain("原证书介质（USB Key）");
  expect(pdfText).toContain("经办人身份证复印件");
  await bookFuzhouWindow(page);

  // The operator finds the order and takes in the materials.
  const operator = await staffPage(browser, "operator");
  await operatorTakesMaterials(operator, orderNo, 3);

  // The key to unlock is the one the certificate sits on; first an unlock code goes out by SMS.
  await expect(operator.getByLabel("介质序列号")).toHaveValue(mediaSerial);
  await operator.getByRole("button", { name: cn("发放解锁授权码") }).click();
  const codeBox = operator.locator(".ant-alert").filter({ hasText: "解锁授权码（仅显示这一次" });
  await expect(codeBox).toBeVisible();
  const code = ((await codeBox.locator("code").first().textContent()) ?? "").trim();
  expect(code.length).toBeGreaterThanOrEqual(8);
  await expectSms(
    page,
    HANDLER.phone,
    new RegExp(`${orderNo} 解锁授权码：${code}，仅限序列号 ${mediaSerial} 的介质使用一次`),
  );

  // The applicant's order page says the code came by SMS and shows the token-client command only.
  await page.reload();
  await expect(page.getByText(/^解锁授权码已(于 .+ )?通过短信发送$/)).toBeVisible();
  await expect(
    page.getByText(/certhall token unlock --url \S+ --code <短信中的授权码>/).first(),
  ).toBeVisible();
  await expect(page.locator("body")).not.toContainText(code);

  // The handler is at the window with the key after all: the operator unlocks it there (the code ends)
  // and sees the SO PIN, audited.
  await operator.getByRole("button", { name: cn("已在窗口解锁") }).click();
  await confirmPopover(operator);
  const pinBox = operator.locator(".ant-alert").filter({ hasText: "管理员 PIN（SO PIN）" });
  await expect(pinBox).toBeVisible();
  const soPin = ((await pinBox.locator("code").first().textContent()) ?? "").trim();
  expect(soPin).toMatch(/^[0-9A-F]{16}$/);
  await expect(operator.getByText(/已于 .+ 在窗口解锁/).first()).toBeVisible();

  // 办结 once every key is unlocked.
  await operatorCompletes(operator);
  await expectSms(page, HANDLER.phone, new RegExp(`${orderNo} 已办结`));

  // The applicant sees the order done and the key unlocked; the SO PIN never reaches this page.
  await page.reload();
  await expect(page.locator(".ant-tag", { hasText: /^已办结$/ })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText("已解锁 1/1 个介质")).toBeVisible();
  await expect(page.locator("body")).not.toContainText(soPin);
  const seen = JSON.stringify(await api.get(`/api/v1/orders/${page.url().split("/").pop()}`));
  expect(seen).not.toContain(soPin);

  await operator.context().close();
});
