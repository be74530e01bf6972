import { expect, test } from "@playwright/test";
import {
  addCompany,
  applyForCompany,
  cn,
  expectSms,
  financeBooks,
  receiptPdfText,
  registerApplicant,
  reviewerOpens,
  staffPage,
  tempDir,
} from "../support/new-certificate";
import {
  bookFuzhouWindow,
  downloadChainOf,
  expectChainVerifies,
  financeBooksRow,
  openWallet,
  operatorCompletes,
  operatorIssuesFromCsr,
  operatorRecordsMedia,
  operatorTakesMaterials,
  payInSandbox,
  reviewerApproves,
  reviewerStartsReview,
} from "../support/steps";

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
  await reviewerStartsReview(reviewer);
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
  await reviewerStartsReview(reviewer);
  await reviewerApproves(reviewer);
  await expectSms(page, phone, new RegExp(`${orderNo} 审核通过，可进行缴费`));

  // The applicant pays in the sandbox cashier; the asynchronous notification moves the order on.
  await page.reload();
  await payInSandbox(page, orderNo);
  await expect(page.getByText("已缴费，等待财务记账。记账后即可打印回执单。")).toBeVisible({
    timeout: 20_000,
  });

  // Finance books the online payment.
  const finance = await staffPage(browser, "finance");
  const row = await financeBooks(finance, orderNo);
  await expect(row.getByText("在线支付")).toBeVisible();
  await financeBooksRow(finance, row);

  // The applicant downloads the receipt PDF (the order number must come out of pdftotext) and
  // chooses the 福州 window on an open day.
  await page.goto(orderUrl);
  await expect(page.getByRole("button", { name: /打印回执单/ })).toBeVisible();
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain(COMPANY.name);
  // The materials to bring for a company (DESIGN, seed): the business licence copy among them.
  expect(pdfText).toContain("营业执照");
  await bookFuzhouWindow(page);
  await expect(page.getByText(/【福州】/).first()).toBeVisible();

  // The operator finds the order by number, takes in the materials, records the USB keys, issues
  // both certificates from CSRs and hands them over.
  const operator = await staffPage(browser, "operator");
  await operatorTakesMaterials(operator, orderNo);
  const mediaInputs = operator.getByLabel("介质序列号");
  await expect(mediaInputs).toHaveCount(2);
  for (let i = 0; i < 2; i++) await operatorRecordsMedia(operator, mediaInputs.nth(i), `UK-2026-000${i + 1}`);
  for (let i = 0; i < 2; i++) await operatorIssuesFromCsr(operator, dir, `item${i}`, i + 1);
  await operatorCompletes(operator);
  await expectSms(page, phone, new RegExp(`${orderNo} 已办结`));

  // The applicant finds both certificates in 「我的证书」 and downloads one with its chain.
  await openWallet(page);
  const certRows = page.getByRole("row").filter({ hasText: orderNo });
  await expect(certRows).toHaveCount(2);
  for (const caType of CA_TYPES) await expect(certRows.filter({ hasText: caType })).toHaveCount(1);
  const chainFile = await downloadChainOf(page, certRows.first(), dir, "chain.pem");

  // openssl, as a relying party: the chain verifies and the subject is the company, not the CSR's CN=x.
  const { subject } = expectChainVerifies(dir, chainFile);
  expect(subject).toContain(COMPANY.name);
  expect(subject).not.toMatch(/CN\s*=\s*x(,|$)/m);

  for (const p of [reviewer, finance, operator]) await p.context().close();
});
