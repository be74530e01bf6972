import { expect, test } from "@playwright/test";
import { expectOrderState, holdCertificates, registerByApi } from "../support/api";
import {
  cn,
  confirmPopover,
  orderNumberOn,
  pickFirstOpenDate,
  receiptPdfText,
  staffPage,
  tempDir,
} from "../support/new-certificate";
import { expectRevokedInCrlAndOcsp } from "../support/revocation";

const COMPANY = {
  name: "漳州注销贸易有限公司",
  uscc: "91350600M000600Y4K",
  legalRep: "郑法人",
  address: "漳州市芗城区胜利西路 18 号",
};

/** "0a1b…" → "0A:1B:…", as the pages print a serial. */
const colonSerial = (hex: string) =>
  ((hex.length % 2 ? `0${hex}` : hex).match(/../g) ?? []).join(":").toUpperCase();

test("a company revokes its certificate: zero payment, receipt, materials at the window, the operator confirms, and the CRL and OCSP say revoked", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const dir = tempDir("e2e-revoke");

  // Set-up over the API: an applicant holding one certificate for the company (新证 has its own walk).
  const { api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });
  const serial = held!.serialHex;

  // 「业务办理」 → 注销.
  await page.goto("/account");
  await page.getByRole("link", { name: "业务办理" }).first().click();
  await expect(page.getByRole("heading", { name: "业务办理" })).toBeVisible();
  await page
    .locator("#business-revoke")
    .getByRole("button", { name: /去办理/ })
    .click();
  await expect(page.getByRole("heading", { name: "注销", exact: true })).toBeVisible();
  await page.getByLabel("经办人姓名").fill("王经办");
  await page.getByLabel("身份证号").fill("11010519491231002X");
  await page.getByLabel("经办人手机号").fill("13700002222");

  // 【添加其他证书】: the company's name finds the certificate; tick it and add it.
  await page.getByRole("button", { name: /【添加其他证书】/ }).click();
  const picker = page.getByRole("dialog");
  await picker.getByPlaceholder("输入企业名称、个人姓名或证书序列号").fill("漳州注销");
  await picker.getByRole("button", { name: cn("搜索") }).click();
  const candidate = picker.getByRole("row").filter({ hasText: colonSerial(serial) });
  await expect(candidate).toContainText(COMPANY.name);
  await expect(candidate.getByText("可办理")).toBeVisible();
  await candidate.getByRole("checkbox").check();
  await picker.getByRole("button", { name: /添加所选证书（1）/ }).click();
  await expect(picker).toBeHidden();
  await expect(page.getByText(`第 1 项 · ${COMPANY.name}`)).toBeVisible();
  await expect(page.getByTestId("order-total")).toHaveText("¥0.00");

  // 【是否注销】 must be ticked before the order goes in.
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page.getByText("请勾选【是否注销】确认办理")).toBeVisible();
  await expect(page).toHaveURL(/\/business\/revoke/);
  await page.getByRole("checkbox", { name: /【是否注销】/ }).check();
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  const orderUrl = page.url();
  const orderNo = await orderNumberOn(page);

  // 「支付（不扣款）」 records the zero payment; the receipt is there at once (nothing to book).
  await expect(page.getByText("待缴费").first()).toBeVisible();
  await page.getByRole("button", { name: /支付（不扣款）/ }).click();
  await expect(page.getByText("已确认，订单进入下一步")).toBeVisible();
  await expectOrderState(page, "待收材料");
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain("注销");
  expect(pdfText).toContain(COMPANY.name);
  await page.getByRole("radio", { name: /【福州】/ }).check();
  await pickFirstOpenDate(page, page.getByLabel("预约日期"));
  await page.getByRole("button", { name: cn("确认") }).click();
  await expect(page.getByText("已保存")).toBeVisible();

  // The window: materials in, then 「确认注销」 with its confirmation, then 办结.
  const operator = await staffPage(browser, "operator");
  await operator.goto("/admin/workbench");
  await operator.getByPlaceholder("订单号、汇款识别码，或扫描回执单二维码").fill(orderNo);
  await operator.getByPlaceholder("订单号、汇款识别码，或扫描回执单二维码").press("Enter");
  await expect(operator.getByText(`订单 ${orderNo}`).first()).toBeVisible();
  const materials = operator.getByRole("checkbox");
  await expect(materials.first()).toBeVisible();
  for (const box of await materials.all()) await box.check();
  await operator.getByRole("button", { name: cn("材料已收齐") }).click();
  await expect(operator.getByText("材料已收齐，订单进入办理中")).toBeVisible();
  // 办结 is refused while the certificate is still valid.
  await expect(operator.getByText("证书注销后方可办结").first()).toBeVisible();
  await operator.getByRole("button", { name: cn("确认注销") }).click();
  const confirm = operator.locator(".ant-popconfirm:visible");
  await expect(confirm).toContainText(`确认注销证书 ${serial}`);
  await confirm.getByRole("button", { name: cn("确认注销") }).click();
  await expect(operator.getByText("证书已注销")).toBeVisible();
  await expect(operator.getByText(/已于 .+ 注销/)).toBeVisible();
  await operator.getByRole("button", { name: cn("办结") }).click();
  await confirmPopover(operator);
  await expect(operator.getByText("已办结").first()).toBeVisible();

  // The applicant sees the order done and the certificate revoked.
  await page.goto(orderUrl);
  await expectOrderState(page, "已办结");
  await page.getByRole("link", { name: "我的证书" }).first().click();
  await expect(page.getByRole("heading", { name: "我的证书" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: colonSerial(serial) })).toContainText("已吊销");

  // openssl as a relying party: the serial is in the CRL as cessationOfOperation, and OCSP says revoked.
  await expectRevokedInCrlAndOcsp(baseURL!, dir, serial, "cessationOfOperation");

  await operator.context().close();
});
