import { writeFileSync } from "node:fs";
import path from "node:path";
import { usccCheckChar, vendorSwapEnd } from "@certhall/domain";
import { expect, type Page, test } from "@playwright/test";
import { holdCertificates, registerByApi } from "../support/api";
import {
  cn,
  financeBooks,
  orderNumberOn,
  pickOption,
  receiptPdfText,
  staffPage,
  tempDir,
} from "../support/new-certificate";
import {
  bookFuzhouWindow,
  certNotAfter,
  certSerialHex,
  downloadChainOf,
  expectChainVerifies,
  financeBooksRow,
  openBusinesses,
  openWallet,
  operatorCompletes,
  operatorIssuesFromCsr,
  operatorRecordsMedia,
  operatorTakesMaterials,
  payInSandbox,
  startBusiness,
  typeHandler,
} from "../support/steps";
import { makeVendorCertificates } from "../support/vendor";

/** A company of this run: its USCC is fresh, with the GB 32100 check character. */
function freshCompany() {
  const body = `91350500MA${String(Date.now() % 10_000_000).padStart(7, "0")}`;
  return {
    name: "泉州闽南换证科技有限公司",
    uscc: body + usccCheckChar(body),
    legalRep: "许法人",
    address: "泉州市丰泽区田安路 66 号",
  };
}

/** The Asia/Shanghai calendar date of an instant, as the pages print it. */
const shanghaiDate = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/** Picks a file in the vendor form's certificate field (the only file input on the page). */
async function uploadVendorFile(page: Page, file: string) {
  await page.locator("input[type=file]").first().setInputFiles(file);
}

test("a company replaces another vendor's certificate: ours and expired ones are refused, a valid one is read and shown, and the operator issues ours with the seed's end date", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const dir = tempDir("e2e-vendor");
  const company = freshCompany();

  // Set-up over the API: an applicant holding one of our certificates for the company (新证 has its
  // own browser walk), and the other vendor's certificates made with openssl.
  const { api } = await registerByApi(page);
  const [ours] = await holdCertificates(baseURL!, dir, { api, company });
  const oursRes = await page.request.get(`/api/v1/certificates/${ours!.serialHex}`);
  expect(oursRes.status()).toBe(200);
  const oursFile = path.join(dir, "ours.pem");
  writeFileSync(oursFile, await oursRes.body());
  const vendor = makeVendorCertificates(dir, company, { validDays: 200, expiredDaysAgo: 10 });
  const vendorSerial = certSerialHex(vendor.valid);

  // 「业务办理」 → 其他厂商介质证书更换.
  await page.goto("/account");
  await openBusinesses(page);
  await startBusiness(page, "vendor_swap", "其他厂商介质证书更换");

  await typeHandler(page);
  await pickOption(page, page.getByRole("combobox", { name: "企业" }), company.name);
  await pickOption(page, page.getByRole("combobox", { name: "CA 类型" }), "企业数字证书");

  // Our own certificate is refused: it is renewed, not swapped.
  await uploadVendorFile(page, oursFile);
  await expect(page.getByText("该证书由本 CA 签发，无需更换；如需延期请办理延期业务")).toBeVisible();
  await expect(page.getByText("请确认证书信息")).toHaveCount(0);

  // An expired one is refused with the date it ended (Shanghai calendar).
  await uploadVendorFile(page, vendor.expired);
  await expect(
    page.getByText(`该证书已于 ${shanghaiDate(vendor.expiredNotAfter)} 过期，不能更换，请申请新证`),
  ).toBeVisible();
  await expect(page.getByText("请确认证书信息")).toHaveCount(0);

  // The valid one is read and shown for confirmation with the end the seed's rule gives.
  await uploadVendorFile(page, vendor.valid);
  const preview = page.locator(".ant-descriptions").filter({ hasText: "请确认证书信息" });
  await expect(preview).toBeVisible();
  // The earlier refusal is gone from the field.
  await expect(page.getByText(/过期，不能更换/)).toHaveCount(0);
  const row = (label: string) => preview.getByRole("row", { name: new RegExp(`^${label}`) });
  await expect(row("证书主题")).toContainText(company.name);
  await expect(row("证书主题")).toContainText(`serialNumber=${company.uscc}`);
  await expect(row("颁发者")).toContainText("某某数字认证 SM CA");
  await expect(row("序列号")).toContainText(vendorSerial.match(/../g)!.join(":"));
  await expect(row("有效期")).toContainText(shanghaiDate(vendor.validNotAfter));
  const rule = vendorSwapEnd(vendor.validNotAfter, new Date());
  if (!rule.ok) throw new Error(rule.reason);
  const shownEnd = (await row("新的服务结束日期").locator("strong").textContent())?.trim() ?? "";
  expect(shownEnd).toBe(shanghaiDate(rule.end));

  // The fee is only the 200 yuan e-seal fee.
  await expect(page.getByTestId("order-total")).toHaveText("¥200.00");
  await expect(page.getByText("电子印章费（其他厂商介质证书更换） ¥200.00")).toBeVisible();
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  const orderUrl = page.url();
  const orderNo = await orderNumberOn(page);
  await expect(page.getByText("待缴费").first()).toBeVisible();
  await expect(page.getByText("¥200.00").first()).toBeVisible();

  // No review for this business: the applicant pays online in the sandbox and finance books it.
  await payInSandbox(page, orderNo);
  await expect(page.getByText("已缴费，等待财务记账。记账后即可打印回执单。")).toBeVisible({
    timeout: 20_000,
  });
  const finance = await staffPage(browser, "finance");
  const bookRow = await financeBooks(finance, orderNo);
  await expect(bookRow.getByText("¥200.00")).toBeVisible();
  await financeBooksRow(finance, bookRow);

  // The receipt, then the 福州 window on an open day.
  await page.goto(orderUrl);
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain("其他厂商介质证书更换");
  await bookFuzhouWindow(page);

  // The window: materials, the vendor certificate and the end issuing gives, the key, a CSR, 签发.
  const operator = await staffPage(browser, "operator");
  await operatorTakesMaterials(operator, orderNo);
  const facts = operator.locator(".ant-descriptions").filter({ hasText: "办理内容" });
  await expect(facts.getByRole("row", { name: /^原厂商证书/ })).toContainText("某某数字认证 SM CA");
  const newEnd = facts.getByRole("row", { name: /^新证书到期时间/ });
  await expect(newEnd).toContainText(shownEnd);
  await expect(newEnd).toContainText("原证书到期时间顺延一年");
  await operatorRecordsMedia(operator, operator.getByLabel("介质序列号"), "UK-VENDOR-0001");
  await operatorIssuesFromCsr(operator, dir, "swap");
  await operatorCompletes(operator);

  // The applicant downloads the new certificate from 「我的证书」; openssl reads the end the preview showed.
  await openWallet(page);
  const certRow = page.getByRole("row").filter({ hasText: orderNo });
  await expect(certRow).toHaveCount(1);
  const chainFile = await downloadChainOf(page, certRow, dir, "swapped-chain.pem");
  const { subject, leafFile } = expectChainVerifies(dir, chainFile);
  const notAfter = certNotAfter(leafFile);
  expect(notAfter.getTime()).toBe(rule.end.getTime());
  expect(shanghaiDate(notAfter)).toBe(shownEnd);
  expect(subject).toContain(company.name);

  for (const p of [finance, operator]) await p.context().close();
});
