import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { usccCheckChar, vendorSwapEnd } from "@certhall/domain";
import { expect, type Page, test } from "@playwright/test";
import { holdCertificates, registerByApi } from "../support/api";
import {
  cn,
  confirmPopover,
  financeBooks,
  makeCsr,
  pickFirstOpenDate,
  pickOption,
  receiptPdfText,
  splitPem,
  staffPage,
  tempDir,
  verifyChainWithOpenssl,
} from "../support/new-certificate";
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
  const vendorSerial = execFileSync("openssl", ["x509", "-in", vendor.valid, "-noout", "-serial"], {
    encoding: "utf8",
  })
    .replace(/^serial=/, "")
    .trim();

  // 「业务办理」 → 其他厂商介质证书更换.
  await page.goto("/account");
  await page.getByRole("link", { name: "业务办理" }).first().click();
  await expect(page.getByRole("heading", { name: "业务办理" })).toBeVisible();
  await page
    .locator("#business-vendor_swap")
    .getByRole("button", { name: /去办理/ })
    .click();
  await expect(page.getByRole("heading", { name: "其他厂商介质证书更换" })).toBeVisible();

  await page.getByLabel("经办人姓名").fill("王经办");
  await page.getByLabel("身份证号").fill("11010519491231002X");
  await page.getByLabel("经办人手机号").fill("13700002222");
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
  const line = page.getByText(/^订单号：/).first();
  await expect(line).toBeVisible();
  const orderNo = /订单号：\s*([A-Z0-9]+)/.exec((await line.textContent()) ?? "")![1]!;
  await expect(page.getByText("待缴费").first()).toBeVisible();
  await expect(page.getByText("¥200.00").first()).toBeVisible();

  // No review for this business: the applicant pays online in the sandbox and finance books it.
  await page.getByRole("button", { name: "在线支付" }).click();
  await expect(page.getByRole("heading", { name: "沙箱收银台" })).toBeVisible();
  await page.getByRole("button", { name: "确认支付" }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+\?payment=returned$/);
  await expect(page.getByText("已缴费，等待财务记账。记账后即可打印回执单。")).toBeVisible({
    timeout: 20_000,
  });
  const finance = await staffPage(browser, "finance");
  const bookRow = await financeBooks(finance, orderNo);
  await expect(bookRow.getByText("¥200.00")).toBeVisible();
  await bookRow.getByRole("button", { name: cn("记账") }).click();
  await confirmPopover(finance);
  await expect(finance.getByText("已记账，申请人可打印回执单")).toBeVisible();

  // The receipt, then the 福州 window on an open day.
  await page.goto(orderUrl);
  const pdfText = await receiptPdfText(page, dir);
  expect(pdfText).toContain(orderNo);
  expect(pdfText).toContain("其他厂商介质证书更换");
  await page.getByRole("radio", { name: /【福州】/ }).check();
  await pickFirstOpenDate(page, page.getByLabel("预约日期"));
  await page.getByRole("button", { name: cn("确认") }).click();
  await expect(page.getByText("已保存")).toBeVisible();

  // The window: materials, the vendor certificate and the end issuing gives, the key, a CSR, 签发.
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
  const facts = operator.locator(".ant-descriptions").filter({ hasText: "办理内容" });
  await expect(facts.getByRole("row", { name: /^原厂商证书/ })).toContainText("某某数字认证 SM CA");
  const newEnd = facts.getByRole("row", { name: /^新证书到期时间/ });
  await expect(newEnd).toContainText(shownEnd);
  await expect(newEnd).toContainText("原证书到期时间顺延一年");
  await operator.getByLabel("介质序列号").fill("UK-VENDOR-0001");
  await operator.getByLabel("介质序列号").press("Enter");
  await expect(operator.getByText("已记录介质序列号").first()).toBeVisible();
  await operator.locator("input[type=file]").first().setInputFiles(makeCsr(dir, "swap"));
  await expect(operator.getByLabel("证书请求（CSR）")).toHaveValue(/BEGIN CERTIFICATE REQUEST/);
  await operator.getByRole("button", { name: cn("签发") }).click();
  await expect(operator.locator(".ant-tag", { hasText: "证书已签发" })).toHaveCount(1);
  await operator.getByRole("button", { name: cn("办结") }).click();
  await confirmPopover(operator);
  await expect(operator.getByText("已办结").first()).toBeVisible();

  // The applicant downloads the new certificate from 「我的证书」; openssl reads the end the preview showed.
  await page.getByRole("link", { name: "我的证书" }).first().click();
  const certRow = page.getByRole("row").filter({ hasText: orderNo });
  await expect(certRow).toHaveCount(1);
  const downloading = page.waitForEvent("download");
  await certRow.getByRole("button", { name: /PEM（含证书链）/ }).click();
  const chainFile = path.join(dir, "swapped-chain.pem");
  await (await downloading).saveAs(chainFile);
  expect(verifyChainWithOpenssl(dir, chainFile).verify).toContain(": OK");
  const leaf = splitPem(readFileSync(chainFile, "utf8"))[0]!;
  const endLine = execFileSync("openssl", ["x509", "-noout", "-enddate"], { encoding: "utf8", input: leaf });
  const notAfter = new Date(endLine.replace(/^notAfter=/, "").trim());
  expect(notAfter.getTime()).toBe(rule.end.getTime());
  expect(shanghaiDate(notAfter)).toBe(shownEnd);
  const subject = execFileSync("openssl", ["x509", "-noout", "-subject", "-nameopt", "utf8"], {
    encoding: "utf8",
    input: leaf,
  });
  expect(subject).toContain(company.name);

  for (const p of [finance, operator]) await p.context().close();
});
