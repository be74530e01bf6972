// The three businesses that issue a successor certificate on new or the same media and revoke the old
// one: 变更, 补证, 换证. The applicant already holds a certificate (set up over the API, the 新证 walk
// covers that in the browser); the business itself is walked in the browser from the applicant's
// 「业务办理」 to the operator's 办结, then checked with openssl against the CA's CRL and OCSP.
import { type Browser, expect, type Page, test } from "@playwright/test";
import { HANDLER, type HeldCertificate, holdCertificates, registerByApi } from "../support/api";
import {
  cn,
  financeBooks,
  ONE_PIXEL_PNG,
  orderNumberOn,
  receiptPdfText,
  staffPage,
  tempDir,
} from "../support/new-certificate";
import { expectGoodInOcsp, expectRevokedInCrlAndOcsp, type RevocationReason } from "../support/revocation";
import {
  addCertificateOf,
  bookFuzhouWindow,
  certSerialHex,
  downloadChainOf,
  expectChainVerifies,
  expectRevokedInWallet,
  financeBooksRow,
  openBusinesses,
  openWallet,
  operatorCompletes,
  operatorIssuesFromCsr,
  operatorRecordsMedia,
  operatorTakesMaterials,
  payInSandbox,
  startBusiness,
  transferVoucherInput,
} from "../support/steps";

interface Company {
  name: string;
  uscc: string;
  legalRep: string;
  address: string;
}

/** A fresh applicant (logged in on `page`) holding one enterprise certificate of `company`. */
async function applicantHolding(page: Page, baseURL: string, dir: string, company: Company) {
  const { api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL, dir, { api, company });
  if (!held) throw new Error("no certificate held");
  return held;
}

/**
 * 「业务办理」 → the business → 去办理; the remembered handler is filled in; the add button opens the
 * picker, the company's name finds the certificate, which is ticked and added.
 */
async function openWithCertificate(
  page: Page,
  code: string,
  name: string,
  addLabel: string,
  company: Company,
) {
  await page.goto("/");
  await openBusinesses(page);
  await expect(page.locator(`#business-${code}`)).toContainText(name);
  await startBusiness(page, code, name);
  await expect(page.getByLabel("经办人姓名")).toHaveValue(HANDLER.name);
  await addCertificateOf(page, company.name, addLabel);
  await expect(page.getByText(company.uscc).first()).toBeVisible();
}

/** 「提交订单」 → the order page waiting for payment; answers the order number. */
async function submitOrder(page: Page): Promise<string> {
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  await expect(page.getByText("待缴费").first()).toBeVisible();
  return orderNumberOn(page);
}

/** The receipt is there (its PDF lists the order and company); the 福州 window on its first open day. */
async function receiptAndWindow(page: Page, dir: string, orderNo: string, company: string) {
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("button", { name: /打印回执单/ })).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  const pdf = await receiptPdfText(page, dir);
  expect(pdf).toContain(orderNo);
  expect(pdf).toContain(company);
  await bookFuzhouWindow(page);
}

/**
 * The operator at the window: finds the order, ticks every material, 材料已收齐, records the new USB
 * key, issues from a fresh CSR and hands over (办结). Answers the new certificate's serial as shown.
 */
async function operatorIssues(browser: Browser, dir: string, orderNo: string, oldSerial: string) {
  const operator = await staffPage(browser, "operator");
  try {
    await operatorTakesMaterials(operator, orderNo);
    // The item shows the certificate it acts on before anything is issued.
    await expect(operator.getByText(oldSerial, { exact: false }).first()).toBeVisible();
    await operatorRecordsMedia(operator, operator.getByLabel("介质序列号"), `UK-${orderNo.slice(-8)}`);
    await operatorIssuesFromCsr(operator, dir, `new-${orderNo}`);
    await operatorCompletes(operator);
  } finally {
    await operator.context().close();
  }
}

const sameSerial = (a: string, b: string) =>
  a.replace(/^0+/, "").toLowerCase() === b.replace(/^0+/, "").toLowerCase();

/**
 * 「我的证书」: the new certificate (of this order) is downloaded with its chain and verified by openssl,
 * the old one shows revoked and the serials differ. Answers the new serial (hex, from openssl) and its
 * subject.
 */
async function successorInWallet(page: Page, dir: string, orderNo: string, held: HeldCertificate) {
  await openWallet(page);
  const row = page.getByRole("row").filter({ hasText: orderNo });
  await expect(row).toHaveCount(1);
  const chainFile = await downloadChainOf(page, row, dir, `${orderNo}-chain.pem`);
  const { subject, leafFile } = expectChainVerifies(dir, chainFile);
  const fresh = { serialHex: certSerialHex(leafFile).toLowerCase(), subject };
  await expectRevokedInWallet(page, held.serialHex);
  expect(sameSerial(fresh.serialHex, held.serialHex)).toBe(false);
  return fresh;
}

/** openssl as a relying party: the old serial is revoked for `reason` in the CRL and OCSP, the new one good. */
async function expectOldRevokedNewGood(
  baseURL: string,
  dir: string,
  held: HeldCertificate,
  fresh: { serialHex: string },
  reason: RevocationReason,
) {
  await expectRevokedInCrlAndOcsp(baseURL, dir, held.serialHex, reason);
  expectGoodInOcsp(baseURL, dir, fresh.serialHex);
}

test.describe("businesses that replace a held certificate", () => {
  // Three staff contexts and a CA round trip each; generous for a loaded CI machine.
  test.setTimeout(180_000);

  test("a company renamed with a new legal representative files a 变更, pays online, and the new certificate carries the new name while the old one is revoked as superseded", async ({
    page,
    browser,
    baseURL,
  }) => {
    const dir = tempDir("e2e-change");
    const company: Company = {
      name: "福州旧名贸易有限公司",
      uscc: "91350100M000601Y4F",
      legalRep: "郑旧法人",
      address: "福州市台江区八一七中路 1 号",
    };
    const renamed = "福州新名科技有限公司";
    const held = await applicantHolding(page, baseURL!, dir, company);

    await openWithCertificate(page, "change", "变更", "【添加其他需要变更的企业/个人信息】", company);
    await expect(page.getByText(`当前：${company.name}`)).toBeVisible();
    await page.getByLabel("新名称").fill(renamed);
    await page.getByLabel("新法定代表人").fill("郑新法人");
    // The reason is required: without it the form says so and nothing is filed.
    await page.getByRole("button", { name: cn("提交订单") }).click();
    await expect(page.getByText("请填写变更原因")).toBeVisible();
    await page.getByLabel("变更原因").fill("企业更名并更换法定代表人");
    const orderNo = await submitOrder(page);
    await expect(page.getByText(renamed).first()).toBeVisible();

    await payInSandbox(page, orderNo);
    await receiptAndWindow(page, dir, orderNo, company.name);
    await operatorIssues(browser, dir, orderNo, held.serialHex);

    const fresh = await successorInWallet(page, dir, orderNo, held);
    expect(fresh.subject).toContain(renamed);
    expect(fresh.subject).not.toContain(company.name);
    await expectOldRevokedNewGood(baseURL!, dir, held, fresh, "superseded");
  });

  test("a company that lost its USB key files a 补证 (lost), pays online, and the old certificate is revoked for key compromise", async ({
    page,
    browser,
    baseURL,
  }) => {
    const dir = tempDir("e2e-reissue");
    const company: Company = {
      name: "泉州补证实业有限公司",
      uscc: "91350100M000602Y45",
      legalRep: "黄法人",
      address: "泉州市丰泽区田安路 2 号",
    };
    const held = await applicantHolding(page, baseURL!, dir, company);

    await openWithCertificate(page, "reissue", "补证", "【添加其他证书】", company);
    await page.getByRole("radio", { name: "介质遗失" }).check();
    await expect(page.getByText("介质遗失：新证书签发后，原证书将以「密钥泄露」为由吊销。")).toBeVisible();
    const orderNo = await submitOrder(page);

    await payInSandbox(page, orderNo);
    await receiptAndWindow(page, dir, orderNo, company.name);
    await operatorIssues(browser, dir, orderNo, held.serialHex);

    const fresh = await successorInWallet(page, dir, orderNo, held);
    expect(fresh.subject).toContain(company.name);
    await expectOldRevokedNewGood(baseURL!, dir, held, fresh, "keyCompromise");
  });

  test("a company files a 换证, is told to tick 【是否换证】 first, pays by bank transfer that finance books, and the old certificate is revoked as superseded", async ({
    page,
    browser,
    baseURL,
  }) => {
    const dir = tempDir("e2e-replace");
    const company: Company = {
      name: "漳州换证电子有限公司",
      uscc: "91350100M000603Y4T",
      legalRep: "蔡法人",
      address: "漳州市芗城区胜利西路 3 号",
    };
    const held = await applicantHolding(page, baseURL!, dir, company);

    await openWithCertificate(page, "replace", "换证", "【添加其他证书】", company);
    // Without the box ticked the form refuses in Chinese and stays on the page.
    await page.getByRole("button", { name: cn("提交订单") }).click();
    await expect(page.getByText("请勾选【是否换证】确认办理")).toBeVisible();
    await expect(page).toHaveURL(/\/business\/replace/);
    await page.getByRole("checkbox", { name: /【是否换证】/ }).check();
    const orderNo = await submitOrder(page);
    const orderUrl = page.url();

    // 银行转账 with a voucher; 换证 always waits for finance to book.
    await page.getByRole("button", { name: /银行转账/ }).click();
    await transferVoucherInput(page).setInputFiles({
      name: "转账凭证.png",
      mimeType: "image/png",
      buffer: ONE_PIXEL_PNG,
    });
    await page.getByRole("button", { name: /我已转账，提交/ }).click();
    await expect(page.getByText("已提交转账信息，等待财务记账")).toBeVisible();
    const finance = await staffPage(browser, "finance");
    const row = await financeBooks(finance, orderNo);
    await financeBooksRow(finance, row);
    await finance.context().close();

    await page.goto(orderUrl);
    await receiptAndWindow(page, dir, orderNo, company.name);
    await operatorIssues(browser, dir, orderNo, held.serialHex);

    const fresh = await successorInWallet(page, dir, orderNo, held);
    expect(fresh.subject).toContain(company.name);
    await expectOldRevokedNewGood(baseURL!, dir, held, fresh, "superseded");
  });
});
