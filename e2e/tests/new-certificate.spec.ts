import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  addCompany,
  applyForCompany,
  cn,
  confirmPopover,
  expectSms,
  financeBooks,
  makeCsr,
  pickFirstOpenDate,
  receiptPdfText,
  registerApplicant,
  reviewerOpens,
  staffPage,
  tempDir,
  verifyChainWithOpenssl,
} from "../support/new-certificate";

const COMPANY = {
  name: "福建测试科技有限公司",
  uscc: "91350100M000100Y43",
  legalRep: "林法人",
  address: "福州市鼓楼区五四路 100 号",
};
const CA_TYPES = ["公共资源交易平台数字证书（企业）", "企业数字证书"];

test("a company gets two certificates: rejected once, paid online in the sandbox, booked, receipt PDF, 福州 window, materials taken in, issued, and openssl verifies the certificate from the wallet", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const dir = tempDir("e2e-new");

  // The applicant registers, adds the company and applies for two CA types.
  const phone = await registerApplicant(page);
  await addCompany(page, COMPANY);
  const orderNo = await applyForCompany(page, COMPANY.name, phone, CA_TYPES);
  const orderUrl = page.url();

  // The reviewer starts the review and sends it back with a reason.
  const reviewer = await staffPage(browser, "reviewer");
  await reviewerOpens(reviewer, orderNo);
  await reviewer
    .getByRole("button", { name: cn("开始审核") })
    .first()
    .click();
  await expect(reviewer.getByText("已开始审核")).toBeVisible();
  await reviewer
    .getByRole("button", { name: cn("退回") })
    .first()
    .click();
  const rejectDialog = reviewer.getByRole("dialog");
  await rejectDialog.getByRole("checkbox", { name: "营业执照不清晰" }).check();
  await rejectDialog.getByLabel("补充说明").fill("请将证书年限改为 2 年");
  await rejectDialog.getByRole("button", { name: cn("退回") }).click();
  await expect(reviewer.getByText("已退回，已短信通知经办人")).toBeVisible();
  await expectSms(page, phone, new RegExp(`${orderNo} 未通过审核，原因：营业执照不清晰`));

  // The applicant sees the reason, changes the years of the first certificate and resubmits.
  await page.reload();
  await expect(page.getByText("订单被退回，原因：")).toBeVisible();
  await expect(page.getByText("营业执照不清晰；请将证书年限改为 2 年").first()).toBeVisible();
  await page.getByRole("button", { name: cn("去修改") }).click();
  await expect(page.getByRole("heading", { name: `查看订单信息：${orderNo}` })).toBeVisible();
  const totalBefore = (await page.getByTestId("order-total").textContent()) ?? "";
  await page.getByLabel("年限").first().fill("2");
  await expect(page.getByTestId("order-total")).not.toHaveText(totalBefore);
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(orderUrl);
  await expect(page.getByText("待审核").first()).toBeVisible();

  // The reviewer approves the resubmitted order.
  await reviewerOpens(reviewer, orderNo);
  await reviewer
    .getByRole("button", { name: cn("开始审核") })
    .first()
    .click();
  await expect(reviewer.getByText("已开始审核")).toBeVisible();
  await reviewer
    .getByRole("button", { name: cn("审核通过") })
    .first()
    .click();
  await confirmPopover(reviewer);
  await expect(reviewer.getByText("已审核通过，已短信通知经办人缴费")).toBeVisible();
  await expectSms(page, phone, new RegExp(`${orderNo} 审核通过，可进行缴费`));

  // The applicant pays in the sandbox cashier; the asynchronous notification moves the order on.
  await page.reload();
  await page.getByRole("button", { name: "在线支付" }).click();
  await expect(page.getByRole("heading", { name: "沙箱收银台" })).toBeVisible();
  await expect(page.getByText(orderNo)).toBeVisible();
  await page.getByRole("button", { name: "确认支付" }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+\?payment=returned$/);
  await expect(page.getByText("已缴费，等待财务记账。记账后即可打印回执单。")).toBeVisible({
    timeout: 20_000,
  });

  // Finance books the online payment.
  const finance = await staffPage(browser, "finance");
  const row = await financeBooks(finance, orderNo);
  await expect(row.getByText("在线支付")).toBeVisible();
  await row.getByRole("button", { name: cn("记账") }).click();
  await confirmPopover(finance);
  await expect(finance.getByText("已记账，申请人可打印回执单")).toBeVisible();

  // The applicant downloads the receipt PDF (the order number must come out of pdftotext) and
  // chooses the 福州 window on an open day.
  await page.goto(orderUrl);
  await expect(page.getByRole("button", { name: /打印回执单/ })).toBeVisible();
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain(COMPANY.name);
  // The materials to bring for a company (DESIGN, seed): the business licence copy among them.
  expect(pdfText).toContain("营业执照");
  await page.getByRole("radio", { name: /【福州】/ }).check();
  await pickFirstOpenDate(page, page.getByLabel("预约日期"));
  await page.getByRole("button", { name: cn("确认") }).click();
  await expect(page.getByText("已保存")).toBeVisible();
  await expect(page.getByText(/【福州】/).first()).toBeVisible();

  // The operator finds the order by number, takes in the materials, records the USB keys, issues
  // both certificates from CSRs and hands them over.
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
  const mediaInputs = operator.getByLabel("介质序列号");
  await expect(mediaInputs).toHaveCount(2);
  for (let i = 0; i < 2; i++) {
    await mediaInputs.nth(i).fill(`UK-2026-000${i + 1}`);
    await mediaInputs.nth(i).press("Enter");
    await expect(operator.getByText("已记录介质序列号").first()).toBeVisible();
  }
  for (let i = 0; i < 2; i++) {
    // Each issued item drops its CSR form, so the next item's file input is always the first one.
    await operator
      .locator("input[type=file]")
      .first()
      .setInputFiles(makeCsr(dir, `item${i}`));
    await expect(operator.getByLabel("证书请求（CSR）").first()).toHaveValue(/BEGIN CERTIFICATE REQUEST/);
    await operator
      .getByRole("button", { name: cn("签发") })
      .first()
      .click();
    await expect(operator.locator(".ant-tag", { hasText: "证书已签发" })).toHaveCount(i + 1);
  }
  await operator.getByRole("button", { name: cn("办结") }).click();
  await confirmPopover(operator);
  await expect(operator.getByText("已办结").first()).toBeVisible();
  await expectSms(page, phone, new RegExp(`${orderNo} 已办结`));

  // The applicant finds both certificates in 「我的证书」 and downloads one with its chain.
  await page.getByRole("link", { name: "我的证书" }).first().click();
  await expect(page.getByRole("heading", { name: "我的证书" })).toBeVisible();
  const certRows = page.getByRole("row").filter({ hasText: orderNo });
  await expect(certRows).toHaveCount(2);
  for (const caType of CA_TYPES) await expect(certRows.filter({ hasText: caType })).toHaveCount(1);
  const downloading = page.waitForEvent("download");
  await certRows
    .first()
    .getByRole("button", { name: /PEM（含证书链）/ })
    .click();
  const download = await downloading;
  const chainFile = path.join(dir, "chain.pem");
  await download.saveAs(chainFile);

  // openssl, as a relying party: the chain verifies and the subject is the company, not the CSR's CN=x.
  const { verify, subject } = verifyChainWithOpenssl(dir, chainFile);
  expect(verify).toContain(": OK");
  expect(subject).toContain(COMPANY.name);
  expect(subject).not.toMatch(/CN\s*=\s*x(,|$)/m);

  for (const p of [reviewer, finance, operator]) await p.context().close();
});
