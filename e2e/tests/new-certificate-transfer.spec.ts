import { expect, test } from "@playwright/test";
import {
  addCompany,
  applyForCompany,
  financeBooks,
  ONE_PIXEL_PNG,
  receiptPdfText,
  registerApplicant,
  reviewerOpens,
  staffPage,
  tempDir,
} from "../support/new-certificate";
import {
  financeBooksRow,
  reviewerApproves,
  reviewerStartsReview,
  transferVoucherInput,
} from "../support/steps";

const COMPANY = {
  name: "厦门转账贸易有限公司",
  uscc: "91350200M000200Y2R",
  legalRep: "陈法人",
  address: "厦门市思明区湖滨北路 88 号",
};

test("a second company pays by bank transfer with a voucher and finance books it", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const dir = tempDir("e2e-transfer");

  const phone = await registerApplicant(page);
  await addCompany(page, COMPANY);
  const orderNo = await applyForCompany(page, COMPANY.name, phone, ["企业数字证书"]);
  const orderUrl = page.url();

  const reviewer = await staffPage(browser, "reviewer");
  await reviewerOpens(reviewer, orderNo);
  await reviewerStartsReview(reviewer);
  await reviewerApproves(reviewer);

  // The applicant chooses 「银行转账」: our account and the order's remittance code are shown, the
  // voucher (a PNG) is attached and the transfer declared.
  await page.reload();
  await page.getByRole("button", { name: /银行转账/ }).click();
  await expect(page.getByText("汇款识别码").first()).toBeVisible();
  await expect(page.getByText("开户银行")).toBeVisible();
  await transferVoucherInput(page).setInputFiles({
    name: "转账凭证.png",
    mimeType: "image/png",
    buffer: ONE_PIXEL_PNG,
  });
  await expect(page.getByText("转账凭证.png")).toBeVisible();
  await page.getByRole("button", { name: /我已转账，提交/ }).click();
  await expect(page.getByText("已提交转账信息，等待财务记账")).toBeVisible();
  await expect(page.getByText("已缴费，等待财务记账。记账后即可打印回执单。")).toBeVisible();

  // Finance sees the transfer with its voucher, looks at it and books it.
  const finance = await staffPage(browser, "finance");
  const row = await financeBooks(finance, orderNo);
  await expect(row.getByText("银行转账")).toBeVisible();
  await row.getByRole("button", { name: /查看凭证/ }).click();
  await expect(finance.getByRole("img", { name: "转账凭证" })).toBeVisible();
  await financeBooksRow(finance, row);
  await expect(finance.getByRole("row").filter({ hasText: orderNo })).toHaveCount(0);

  // The receipt is there for the applicant: the print page and the PDF with the order number.
  await page.goto(orderUrl);
  await expect(page.getByText("待收材料").first()).toBeVisible();
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain(COMPANY.name);
  await page.getByRole("button", { name: /打印回执单/ }).click();
  await expect(page.getByRole("heading", { name: "数字证书业务回执单" })).toBeVisible();
  await expect(page.getByText(orderNo).first()).toBeVisible();

  for (const p of [reviewer, finance]) await p.context().close();
});
