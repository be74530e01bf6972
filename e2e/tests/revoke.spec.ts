import { expect, test } from "@playwright/test";
import { expectOrderState, holdCertificates, registerByApi } from "../support/api";
import { cn, orderNumberOn, receiptPdfText, staffPage, tempDir } from "../support/new-certificate";
import { expectRevokedInCrlAndOcsp } from "../support/revocation";
import {
  addPickedRow,
  bookFuzhouWindow,
  colonSerial,
  expectRevokedInWallet,
  openBusinesses,
  openWallet,
  operatorCompletes,
  operatorTakesMaterials,
  searchPicker,
  startBusiness,
  typeHandler,
} from "../support/steps";

const COMPANY = {
  name: "漳州注销贸易有限公司",
  uscc: "91350600M000600Y4K",
  legalRep: "郑法人",
  address: "漳州市芗城区胜利西路 18 号",
};

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
  await openBusinesses(page);
  await startBusiness(page, "revoke", "注销");
  await typeHandler(page);

  // 【添加其他证书】: the company's name finds the certificate; tick it and add it.
  const { picker, row } = await searchPicker(page, "漳州注销", { rowText: colonSerial(serial) });
  await expect(row).toContainText(COMPANY.name);
  await addPickedRow(picker, row);
  await expect(page.getByText(`第 1 项 · ${COMPANY.name}`)).toBeVisible();
  await expect(page.getByTestId("order-total")).toHaveText("¥0.00");

  // The reason must be chosen and 【是否注销】 ticked before the order goes in.
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page.getByText("请选择注销原因")).toBeVisible();
  await expect(page.getByText("请勾选【是否注销】确认办理")).toBeVisible();
  await expect(page).toHaveURL(/\/business\/revoke/);
  // 私钥泄露 warns that every certificate of the key goes too; the company chooses 信息变更.
  await page.getByRole("radio", { name: "私钥泄露或介质遗失" }).check();
  await expect(page.getByText(/持有同一密钥的其他证书/)).toBeVisible();
  await page.getByRole("radio", { name: "单位或个人信息变更" }).check();
  await expect(page.getByText(/持有同一密钥的其他证书/)).toHaveCount(0);
  await page.getByRole("checkbox", { name: /【是否注销】/ }).check();
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  const orderUrl = page.url();
  const orderNo = await orderNumberOn(page);
  await expect(page.getByText("注销原因").first()).toBeVisible();
  await expect(page.getByText("单位或个人信息变更").first()).toBeVisible();

  // 「支付（不扣款）」 records the zero payment; the receipt is there at once (nothing to book).
  await expect(page.getByText("待缴费").first()).toBeVisible();
  await page.getByRole("button", { name: /支付（不扣款）/ }).click();
  await expect(page.getByText("已确认，订单进入下一步")).toBeVisible();
  await expectOrderState(page, "待收材料");
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain("注销");
  expect(pdfText).toContain(COMPANY.name);
  await bookFuzhouWindow(page);

  // The window: materials in, then 「确认注销」 with its confirmation, then 办结.
  const operator = await staffPage(browser, "operator");
  await operatorTakesMaterials(operator, orderNo);
  // 办结 is refused while the certificate is still valid.
  await expect(operator.getByText("证书注销后方可办结").first()).toBeVisible();
  await operator.getByRole("button", { name: cn("确认注销") }).click();
  const confirm = operator.locator(".ant-popconfirm:visible");
  await expect(confirm).toContainText(`确认注销证书 ${serial}`);
  await confirm.getByRole("button", { name: cn("确认注销") }).click();
  await expect(operator.getByText("证书已注销")).toBeVisible();
  await expect(operator.getByText(/已于 .+ 注销/)).toBeVisible();
  await operatorCompletes(operator);

  // The applicant sees the order done and the certificate revoked.
  await page.goto(orderUrl);
  await expectOrderState(page, "已办结");
  await openWallet(page);
  await expectRevokedInWallet(page, serial);

  // openssl as a relying party: the serial is in the CRL with the applicant's reason, and OCSP says revoked.
  await expectRevokedInCrlAndOcsp(baseURL!, dir, serial, "affiliationChanged");

  await operator.context().close();
});
