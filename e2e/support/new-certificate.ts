import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, expect, type Locator, type Page } from "@playwright/test";
import { freshPhone, readCodeFromDevOutbox, staffLogin } from "./helpers";

export const APPLICANT_PASSWORD = "Hall-Pass-2026";

/** A valid 18-digit 居民身份证号 (GB 11643 check character X) for the handler. */
export const HANDLER_ID = "11010519491231002X";

/**
 * antd puts a space between two CJK characters of a button's text (「确定」 shows as 「确 定」), so a
 * button name is matched with optional white space between its characters.
 */
export function cn(label: string): RegExp {
  const escaped = [...label].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(escaped.join("\\s*"));
}

/** A temporary directory for the files a walk makes (CSRs, downloads). */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `certhall-${prefix}-`));
}

/** Registers a new applicant with the code from the dev outbox; answers the mobile number. */
export async function registerApplicant(page: Page): Promise<string> {
  const phone = freshPhone();
  await page.goto("/register");
  await page.getByLabel("手机号").fill(phone);
  await page.getByRole("button", { name: "获取验证码" }).click();
  const code = await readCodeFromDevOutbox(page, phone);
  await page.getByLabel("短信验证码").fill(code);
  await page.getByLabel("密码", { exact: true }).fill(APPLICANT_PASSWORD);
  await page.getByLabel("确认密码").fill(APPLICANT_PASSWORD);
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page).toHaveURL(/\/account$/);
  return phone;
}

/** The dev outbox (another tab of the same person) shows an SMS to `phone` that matches `text`. */
export async function expectSms(page: Page, phone: string, text: RegExp): Promise<void> {
  const outbox = await page.context().newPage();
  await outbox.goto("/dev/sms");
  // The outbox refreshes itself every 3 s; the SMS worker sends within a fraction of a second.
  await expect(
    outbox.getByRole("listitem").filter({ hasText: phone }).filter({ hasText: text }),
  ).not.toHaveCount(0);
  await outbox.close();
}

/** 「我的主体」→「新增主体」: a company with its 统一社会信用代码, legal representative and address. */
export async function addCompany(
  page: Page,
  company: { name: string; uscc: string; legalRep: string; address: string },
): Promise<void> {
  await page.getByRole("link", { name: "我的主体" }).first().click();
  await expect(page.getByRole("heading", { name: "我的主体" })).toBeVisible();
  await page.getByRole("button", { name: cn("新增主体") }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("企业名称").fill(company.name);
  await dialog.getByLabel("统一社会信用代码").fill(company.uscc);
  await dialog.getByLabel("法定代表人").fill(company.legalRep);
  await dialog.getByLabel("地址").fill(company.address);
  await dialog.getByRole("button", { name: cn("保存") }).click();
  await expect(page.getByRole("cell", { name: company.name })).toBeVisible();
}

/** Opens an antd Select (by its combobox) and picks the option showing `text`. */
export async function pickOption(page: Page, combobox: Locator, text: string): Promise<void> {
  await combobox.click();
  await page
    .locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: text })
    .first()
    .click();
}

/** The order number as the order page shows it (「订单号：…」). */
export async function orderNumberOn(page: Page): Promise<string> {
  const line = page.getByText(/^订单号：/).first();
  await expect(line).toBeVisible();
  const m = /订单号：\s*([A-Z0-9]+)/.exec((await line.textContent()) ?? "");
  if (!m?.[1]) throw new Error("no order number on the page");
  return m[1];
}

/** 「新证(企业)申请」 for the company, one row per CA type, the handler typed in, then 「提交订单」. */
export async function applyForCompany(
  page: Page,
  company: string,
  handlerPhone: string,
  caTypes: string[],
): Promise<string> {
  await page.getByRole("link", { name: "我的订单" }).first().click();
  await page.getByRole("button", { name: /新证申请/ }).click();
  await page.getByText("新证（企业）申请").click();
  await expect(page.getByRole("heading", { name: "新证（企业）申请" })).toBeVisible();
  await page.getByLabel("经办人姓名").fill("王经办");
  await page.getByLabel("身份证号").fill(HANDLER_ID);
  await page.getByLabel("经办人手机号").fill(handlerPhone);
  for (const [i, caType] of caTypes.entries()) {
    if (i > 0) await page.getByRole("button", { name: "添加一项证书" }).click();
    await pickOption(page, page.getByLabel("企业", { exact: true }).nth(i), company);
    await pickOption(page, page.getByLabel("CA 类型").nth(i), caType);
  }
  // The fee is computed live by the same code as the server's: the chosen rows cost more than nothing.
  await expect(page.getByTestId("order-total")).not.toHaveText(/^¥0\.00$/);
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  await expect(page.getByText("待审核").first()).toBeVisible();
  return orderNumberOn(page);
}

/** A page of its own browser context, logged in as a demo staff member. */
export async function staffPage(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await staffLogin(page, username);
  await expect(page).toHaveURL(/\/admin\/?$/);
  return page;
}

/** The reviewer finds the order by number in the 待审核 tab and opens it. */
export async function reviewerOpens(page: Page, orderNo: string): Promise<void> {
  await page.goto("/admin/review?tab=submitted");
  const search = page.getByPlaceholder(/^订单号、汇款识别码/);
  await search.fill(orderNo);
  await search.press("Enter");
  // The search narrows the list to the order (the URL carries it) before its link is followed.
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.locator(".ant-table-row")).toHaveCount(1);
  await expect(async () => {
    await page.getByRole("link", { name: orderNo }).click();
    await expect(page.getByText(`订单 ${orderNo}`).first()).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 20_000 });
}

/** Finance books the payment of the order in 记账审核 (with the confirmation). */
export async function financeBooks(page: Page, orderNo: string): Promise<Locator> {
  await page.goto("/admin/finance");
  const row = page.getByRole("row").filter({ hasText: orderNo });
  await expect(row).toBeVisible();
  return row;
}

/** Confirms the open antd Popconfirm. */
export async function confirmPopover(page: Page): Promise<void> {
  // A click that lands while the popover still opens (its animation) is lost: click until it closes.
  // While its action runs the button is loading, so a second click does not confirm twice.
  const pop = page.locator(".ant-popconfirm:visible");
  await expect(async () => {
    await pop.getByRole("button", { name: cn("确定") }).click({ timeout: 2000 });
    await expect(pop).toHaveCount(0, { timeout: 3000 });
  }).toPass({ timeout: 20_000 });
}

/** Fetches the receipt PDF with the applicant's cookies and answers its text as pdftotext reads it. */
export async function receiptPdfText(page: Page, dir: string): Promise<string> {
  const link = page.getByRole("link", { name: /下载 PDF/ }).first();
  await expect(link).toBeVisible();
  const href = await link.getAttribute("href");
  if (!href) throw new Error("the PDF link has no href");
  const res = await page.request.get(href);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("application/pdf");
  const file = path.join(dir, "receipt.pdf");
  writeFileSync(file, await res.body());
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

/**
 * Opens the date picker and clicks the first day the picker allows (an open day of the window), then
 * waits for the input to show it: the picker is enabled only once the window choice has rendered.
 */
export async function pickFirstOpenDate(page: Page, input: Locator): Promise<string> {
  await expect(input).toBeEnabled();
  await input.click();
  const dropdown = page.locator(".ant-picker-dropdown:visible");
  await expect(dropdown.locator(".ant-picker-cell-in-view").first()).toBeVisible();
  for (let month = 0; month < 3; month++) {
    const open = dropdown.locator(".ant-picker-cell-in-view:not(.ant-picker-cell-disabled)");
    if ((await open.count()) > 0) {
      // Seen once in a full run: the click on an enabled day left the input empty (the form re-rendered
      // under the open dropdown). Pick again, up to three times, before failing as before.
      for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0 && !(await dropdown.isVisible())) await input.click();
        await open.first().click();
        if ((await input.inputValue()) !== "") break;
        await page.waitForTimeout(1_000);
        if ((await input.inputValue()) !== "") break;
      }
      await expect(input).not.toHaveValue("");
      return input.inputValue();
    }
    await dropdown.locator(".ant-picker-header-next-btn").click();
  }
  throw new Error("no open day in the next three months");
}

/** A P-256 key and a CSR with a throwaway subject (the CA must put the approved order's subject in). */
export function makeCsr(dir: string, name: string): string {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  execFileSync(
    "openssl",
    [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=x",
      "-keyout",
      key,
      "-out",
      csr,
    ],
    { stdio: "pipe" },
  );
  return csr;
}

/** Splits a PEM bundle into its certificates, in file order. */
function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Runs openssl with `args` (and `input` on stdin); answers its output, throwing when it fails. */
export function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { encoding: "utf8", input });
}

/**
 * Checks a downloaded PEM chain with openssl as a relying party would: the self-signed root is the
 * trust anchor, the other CA certificates are untrusted intermediates, and the first block is the
 * applicant's certificate. Answers the leaf's subject (UTF-8).
 */
export function verifyChainWithOpenssl(dir: string, chainFile: string): { verify: string; subject: string } {
  const blocks = splitPem(readFileSync(chainFile, "utf8"));
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  const selfSigned = (pem: string) =>
    openssl(["x509", "-noout", "-subject", "-nameopt", "RFC2253"], pem)
      .replace(/^subject=/, "")
      .trim() ===
    openssl(["x509", "-noout", "-issuer", "-nameopt", "RFC2253"], pem)
      .replace(/^issuer=/, "")
      .trim();
  const [leaf, ...cas] = blocks as [string, ...string[]];
  const roots = cas.filter(selfSigned);
  const intermediates = cas.filter((c) => !selfSigned(c));
  expect(roots.length).toBe(1);
  const leafFile = path.join(dir, "leaf.pem");
  const rootFile = path.join(dir, "root.pem");
  const untrustedFile = path.join(dir, "untrusted.pem");
  writeFileSync(leafFile, `${leaf}\n`);
  writeFileSync(rootFile, `${roots[0]}\n`);
  writeFileSync(untrustedFile, intermediates.map((c) => `${c}\n`).join(""));
  const verify = openssl([
    "verify",
    "-CAfile",
    rootFile,
    ...(intermediates.length > 0 ? ["-untrusted", untrustedFile] : []),
    leafFile,
  ]);
  const subject = openssl(["x509", "-in", leafFile, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus"]);
  return { verify, subject };
}

/** A 1×1 PNG, the bank transfer voucher of the walk. */
export const ONE_PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
