import path from "node:path";
import { expect, type Locator, type Page } from "@playwright/test";
import { HANDLER } from "./api";
import {
  cn,
  confirmPopover,
  makeCsr,
  openssl,
  pickFirstOpenDate,
  verifyChainWithOpenssl,
} from "./new-certificate";

/** "0a1b…" → "0A:1B:…", as the pages print a serial. */
export const colonSerial = (hex: string) =>
  ((hex.length % 2 ? `0${hex}` : hex).match(/../g) ?? []).join(":").toUpperCase();

// ── The applicant ────────────────────────────────────────────────────────────────────────────────

/** The applicant follows the 「业务办理」 link to the list of businesses. */
export async function openBusinesses(page: Page): Promise<void> {
  await page.getByRole("link", { name: "业务办理" }).first().click();
  await expect(page.getByRole("heading", { name: "业务办理" })).toBeVisible();
}

/** In 「业务办理」, 去办理 on the business `code` opens its form, headed with its name. */
export async function startBusiness(page: Page, code: string, name: string): Promise<void> {
  await page
    .locator(`#business-${code}`)
    .getByRole("button", { name: cn("去办理") })
    .click();
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
}

/** The applicant types the handler in (name, ID number, mobile). */
export async function typeHandler(page: Page): Promise<void> {
  await page.getByLabel("经办人姓名").fill(HANDLER.name);
  await page.getByLabel("身份证号").fill(HANDLER.idNumber);
  await page.getByLabel("经办人手机号").fill(HANDLER.phone);
}

/**
 * The add button (【添加其他证书】 unless told) opens the certificate picker and the applicant searches
 * for `query`; exactly one row shows `rowText` (the query unless told). Answers the picker and the row.
 */
export async function searchPicker(
  page: Page,
  query: string,
  opts: { button?: string; rowText?: string } = {},
): Promise<{ picker: Locator; row: Locator }> {
  await page.getByRole("button", { name: opts.button ?? "【添加其他证书】" }).click();
  const picker = page.getByRole("dialog");
  await picker.getByPlaceholder("输入企业名称、个人姓名或证书序列号").fill(query);
  await picker.getByRole("button", { name: cn("搜索") }).click();
  const row = picker.getByRole("row").filter({ hasText: opts.rowText ?? query });
  await expect(row).toHaveCount(1);
  return { picker, row };
}

/** The picker's row says 可办理; the applicant ticks it and adds it, and the picker closes. */
export async function addPickedRow(picker: Locator, row: Locator): Promise<void> {
  await expect(row.getByText("可办理")).toBeVisible();
  await row.getByRole("checkbox").check();
  await picker.getByRole("button", { name: /添加所选证书（1）/ }).click();
  await expect(picker).toBeHidden();
}

/** 【添加其他证书】 (or `button`): the company's name finds its certificate, which is ticked and added. */
export async function addCertificateOf(page: Page, company: string, button?: string): Promise<void> {
  const { picker, row } = await searchPicker(page, company, { button });
  await addPickedRow(picker, row);
}

/** 「在线支付」 in the sandbox cashier (showing the order number), back on the order page. */
export async function payInSandbox(page: Page, orderNo: string): Promise<void> {
  await page.getByRole("button", { name: "在线支付" }).click();
  await expect(page.getByRole("heading", { name: "沙箱收银台" })).toBeVisible();
  await expect(page.getByText(orderNo)).toBeVisible();
  await page.getByRole("button", { name: "确认支付" }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+\?payment=returned$/);
}

/** On the order page the applicant picks 【福州】 and its first open date, and saves. */
export async function bookFuzhouWindow(page: Page): Promise<void> {
  await page.getByRole("radio", { name: /【福州】/ }).check();
  await pickFirstOpenDate(page, page.getByLabel("预约日期"));
  await page.getByRole("button", { name: cn("确认") }).click();
  await expect(page.getByText("已保存")).toBeVisible();
}

/** The applicant follows 「我的证书」. */
export async function openWallet(page: Page): Promise<void> {
  await page.getByRole("link", { name: "我的证书" }).first().click();
  await expect(page.getByRole("heading", { name: "我的证书" })).toBeVisible();
}

/**
 * 「我的证书」 lists the certificate (found by its serial as the wallet prints it) as revoked: as its own
 * row when its whole lineage is revoked, or, once replaced, in the history of its lineage's head
 * (unfolded here), which says why.
 */
export async function expectRevokedInWallet(page: Page, serialHex: string): Promise<void> {
  await expect(page.locator(".ant-table-row").first()).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: colonSerial(serialHex) });
  if ((await row.count()) === 0) {
    for (const unfold of await page.getByRole("button", { name: /证书历史/ }).all()) {
      if ((await unfold.getAttribute("aria-expanded")) !== "true") await unfold.click();
    }
    const entry = page.getByRole("listitem").filter({ hasText: colonSerial(serialHex) });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText(/已被新证书取代|密钥泄露|已注销|已吊销/);
    return;
  }
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("已吊销");
}

/** Clicks `button` and saves what it downloads as `file`; answers the file. */
export async function saveDownload(page: Page, button: Locator, file: string): Promise<string> {
  const downloading = page.waitForEvent("download");
  await button.click();
  await (await downloading).saveAs(file);
  return file;
}

/** The row's 「PEM（含证书链）」 in 「我的证书」, saved into `dir` as `name`. */
export async function downloadChainOf(page: Page, row: Locator, dir: string, name: string): Promise<string> {
  return saveDownload(page, row.getByRole("button", { name: /PEM（含证书链）/ }), path.join(dir, name));
}

// ── Staff ────────────────────────────────────────────────────────────────────────────────────────

/** The reviewer, on the opened order, starts the review. */
export async function reviewerStartsReview(reviewer: Page): Promise<void> {
  await reviewer
    .getByRole("button", { name: cn("开始审核") })
    .first()
    .click();
  await expect(reviewer.getByText("已开始审核")).toBeVisible();
}

/** The reviewer approves the order under review (with the confirmation). */
export async function reviewerApproves(reviewer: Page): Promise<void> {
  await reviewer
    .getByRole("button", { name: cn("审核通过") })
    .first()
    .click();
  await confirmPopover(reviewer);
  await expect(reviewer.getByText("已审核通过，已短信通知经办人缴费")).toBeVisible();
}

/** Finance books the payment of its row in 记账审核 (with the confirmation). */
export async function financeBooksRow(finance: Page, row: Locator): Promise<void> {
  await row.getByRole("button", { name: cn("记账") }).click();
  await confirmPopover(finance);
  await expect(finance.getByText("已记账，申请人可打印回执单")).toBeVisible();
}

/**
 * The operator at /admin/workbench finds the order by number, ticks every material (`count` of them,
 * when given) and says 材料已收齐.
 */
export async function operatorTakesMaterials(operator: Page, orderNo: string, count?: number): Promise<void> {
  await operator.goto("/admin/workbench");
  const find = operator.getByPlaceholder("订单号、汇款识别码，或扫描回执单二维码");
  await find.fill(orderNo);
  await find.press("Enter");
  await expect(operator.getByText(`订单 ${orderNo}`).first()).toBeVisible();
  // The desk's materials card (the window's queues above it have checkboxes and a batch button too).
  const card = operator.locator(".ant-card").filter({ hasText: "材料清单" });
  const materials = card.getByRole("checkbox");
  if (count === undefined) await expect(materials.first()).toBeVisible();
  else await expect(materials).toHaveCount(count);
  for (const box of await materials.all()) await box.check();
  await card.getByRole("button", { name: cn("材料已收齐") }).click();
  await expect(operator.getByText("材料已收齐，订单进入办理中")).toBeVisible();
}

/** The operator records the USB key's serial of the (first) item. */
export async function operatorRecordsMedia(
  operator: Page,
  input: Locator,
  mediaSerial: string,
): Promise<void> {
  await input.fill(mediaSerial);
  await input.press("Enter");
  await expect(operator.getByText("已记录介质序列号").first()).toBeVisible();
}

/** The operator uploads a fresh CSR (`dir`/`name`.csr) for the first item left and issues it. */
export async function operatorIssuesFromCsr(
  operator: Page,
  dir: string,
  name: string,
  issued = 1,
): Promise<void> {
  // Each issued item drops its CSR form, so the next item's file input is always the first one.
  await operator.locator("input[type=file]").first().setInputFiles(makeCsr(dir, name));
  await expect(operator.getByLabel("证书请求（CSR）").first()).toHaveValue(/BEGIN CERTIFICATE REQUEST/);
  await operator
    .getByRole("button", { name: cn("签发") })
    .first()
    .click();
  await expect(operator.locator(".ant-tag", { hasText: "证书已签发" })).toHaveCount(issued);
}

/** The operator hands over: 办结 with its confirmation. */
export async function operatorCompletes(operator: Page): Promise<void> {
  await operator.getByRole("button", { name: cn("办结") }).click();
  await confirmPopover(operator);
  await expect(operator.getByText("已办结").first()).toBeVisible();
}

// ── openssl ──────────────────────────────────────────────────────────────────────────────────────

/**
 * openssl verifies the downloaded chain to its root, as a relying party; answers the leaf's subject.
 * The leaf is left in `dir`/leaf.pem for {@link certSerialHex} and {@link certNotAfter}.
 */
export function expectChainVerifies(dir: string, chainFile: string): { subject: string; leafFile: string } {
  const { verify, subject } = verifyChainWithOpenssl(dir, chainFile);
  expect(verify).toContain(": OK");
  return { subject, leafFile: path.join(dir, "leaf.pem") };
}

/** The certificate's serial as `openssl x509 -serial` prints it (upper-case hex). */
export function certSerialHex(file: string): string {
  return openssl(["x509", "-in", file, "-noout", "-serial"])
    .trim()
    .replace(/^serial=/, "");
}

/** The certificate's notAfter, read by openssl. */
export function certNotAfter(file: string): Date {
  return new Date(
    openssl(["x509", "-in", file, "-noout", "-enddate"])
      .trim()
      .replace(/^notAfter=/, ""),
  );
}

/** The file input of the 银行转账 form (the order page has the materials' file inputs too). */
export function transferVoucherInput(page: Page): Locator {
  return page.locator("form").filter({ hasText: "转账凭证" }).locator("input[type=file]");
}
