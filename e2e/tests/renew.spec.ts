import { execFileSync } from "node:child_process";
import path from "node:path";
import { addShanghaiYears } from "@certhall/domain";
import { expect, type Page, test } from "@playwright/test";
import { HANDLER, holdCertificates, registerByApi } from "../support/api";
import { company, loginApplicant, setServerClock } from "../support/business";
import { cn, openssl, orderNumberOn, tempDir } from "../support/new-certificate";
import {
  addPickedRow,
  certNotAfter,
  certSerialHex,
  expectChainVerifies,
  openBusinesses,
  payInSandbox,
  saveDownload,
  searchPicker,
  startBusiness,
} from "../support/steps";

const DAY = 24 * 3600 * 1000;

/** Lower-case hex SHA-256 of a public key's DER SubjectPublicKeyInfo, from a certificate or a private key. */
function spkiSha256(file: string, kind: "cert" | "key"): string {
  const pub =
    kind === "cert"
      ? openssl(["x509", "-in", file, "-noout", "-pubkey"])
      : openssl(["pkey", "-in", file, "-pubout"]);
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "DER"], { input: pub });
  return execFileSync("openssl", ["dgst", "-sha256", "-r"], { input: der, encoding: "utf8" }).split(" ")[0]!;
}

/**
 * Page code (the e2e typecheck has no DOM types) reading the browser's key store (IndexedDB
 * certhall-keys / keys): the record of the key saved under the certificate's serial.
 */
function storedKeyOf(serial: string): string {
  return `(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("certhall-keys");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rec = await new Promise((resolve, reject) => {
      const get = db.transaction("keys").objectStore("keys").get(${JSON.stringify(serial)});
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    });
    return rec && {
      fingerprint: rec.spkiFingerprint,
      extractable: rec.keyPair.privateKey.extractable,
      type: rec.keyPair.privateKey.type,
    };
  })()`;
}

/** 「业务办理」 → 延期: the business form opens. */
async function openRenewal(page: Page): Promise<void> {
  await openBusinesses(page);
  await startBusiness(page, "renew", "延期");
}

test.afterEach(async ({ baseURL }) => {
  // Whatever happened, the next walk starts at the real time.
  await setServerClock(baseURL!, null);
});

test("a company renews a certificate near its end for a year, pays online, updates it in the browser with a new key, and openssl verifies the new certificate with the new end date", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const dir = tempDir("e2e-renew");
  const COMPANY = company("福建延期测试有限公司", "000600Y4");

  // Set-up: an applicant who holds a one-year certificate of the company (the 新证 walk covers that).
  const { phone, api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });
  const oldEnd = new Date(held!.notAfter);

  // Thirty days before the certificate's end (the server's clock moves there, the CA keeps the real
  // time): the 延期 window (90 days before the end) is open. The session of a year ago has lapsed.
  await setServerClock(baseURL!, new Date(oldEnd.getTime() - 30 * DAY));
  await loginApplicant(page, phone);

  // 「业务办理」 → 延期; the handler of the earlier order is remembered.
  await openRenewal(page);
  await expect(page.getByLabel("经办人姓名")).toHaveValue(HANDLER.name);

  // 【添加其他证书】: the certificate near its end can be renewed; tick it.
  const { picker, row } = await searchPicker(page, COMPANY.name);
  await addPickedRow(picker, row);
  await expect(page.getByText(`第 1 项 · ${COMPANY.name}`)).toBeVisible();

  // One year, and a new key after reading the warning about files encrypted with the old key.
  await expect(page.getByLabel("延期年限")).toHaveValue("1");
  await expect(page.getByText("请选择更新后的密钥")).toBeVisible();
  await page.getByRole("radio", { name: "更换新密钥" }).check();
  await expect(page.getByText("更换新密钥：原密钥加密的文件需用原证书解密，请妥善保管原介质")).toBeVisible();
  await expect(page.getByTestId("order-total")).not.toHaveText(/^¥0\.00$/);
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  const orderNo = await orderNumberOn(page);
  await expect(page.getByText("待缴费").first()).toBeVisible();
  // The key choice is shown again before paying.
  const keyNotice = page.locator(".ant-card").filter({ hasText: "缴费前请确认密钥选择" });
  await expect(keyNotice.getByText("更换新密钥：原密钥加密的文件需用原证书解密")).toBeVisible();

  // Online payment in the sandbox cashier makes the online update available at once.
  await payInSandbox(page, orderNo);
  const updateCard = page.locator(".ant-card").filter({ hasText: `证书在线更新 · ${COMPANY.name}` });
  await expect(updateCard).toBeVisible({ timeout: 20_000 });
  await expect(page.locator(".ant-tag", { hasText: "可在线办理" })).toBeVisible();
  await expect(page.getByRole("button", { name: /打印回执单/ })).toHaveCount(0);

  // 证书在线更新 in this browser: WebCrypto makes the new key and the PKCS#10, the CA answers.
  await expect(updateCard.getByText("更换新密钥：原密钥加密的文件需用原证书解密")).toBeVisible();
  await expect(updateCard.getByText(/将在本浏览器中生成新的密钥对/)).toBeVisible();
  await updateCard.getByRole("button", { name: cn("开始在线更新") }).click();
  await expect(updateCard.getByText("证书已更新")).toBeVisible({ timeout: 20_000 });
  const newSerial = (
    (await updateCard
      .locator(".ant-descriptions-item")
      .filter({ hasText: "新证书序列号" })
      .locator("code")
      .textContent()) ?? ""
  )
    .replace(/[^0-9a-fA-F]/g, "")
    .toLowerCase();
  expect(newSerial).not.toBe("");
  expect(newSerial).not.toBe(held!.serialHex.toLowerCase());

  const chainFile = await saveDownload(
    page,
    updateCard.getByRole("button", { name: cn("下载新证书（含证书链）") }),
    path.join(dir, "renewed-chain.pem"),
  );

  // openssl, as a relying party: the chain verifies, the subject is the company, the end is the old
  // end plus the year bought (延期 before the end continues the paid period), the key is new.
  const { subject, leafFile } = expectChainVerifies(dir, chainFile);
  expect(subject).toContain(COMPANY.name);
  const newEnd = certNotAfter(leafFile);
  expect(newEnd.toISOString()).toBe(addShanghaiYears(oldEnd, 1).toISOString());
  expect(certSerialHex(leafFile).toLowerCase()).toBe(newSerial);
  const newKey = spkiSha256(leafFile, "cert");
  expect(newKey).not.toBe(spkiSha256(held!.keyFile, "key"));

  // The new private key stays in this browser: in IndexedDB, not extractable, and it is the key of
  // the new certificate.
  const stored = await page.evaluate(storedKeyOf(newSerial));
  expect(stored).toEqual({ fingerprint: newKey, extractable: false, type: "private" });

  // Every item renewed: the order is completed.
  await page.reload();
  await expect(page.getByText("已办结").first()).toBeVisible();
  await expect(page.getByText(/已完成在线更新，新证书序列号/)).toBeVisible();
});

test("a certificate with an open order shows as taken in the picker, and a second order for it is refused with a message naming the first order", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const dir = tempDir("e2e-renew-held");
  const COMPANY = company("福建占用测试有限公司", "000700Y5");
  const { api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });

  // A first open order acts on the certificate: a 注销 submitted and not yet done.
  const first = (await api.post("/api/v1/orders", {
    business: "revoke",
    subjectKind: "company",
    handler: HANDLER,
    items: [{ certificateSerial: held!.serialHex }],
    confirmed: true,
    submit: true,
  })) as { orderNo: string };

  // In the 延期 picker the certificate shows why it is taken, naming the first order, and cannot be ticked.
  await page.goto("/account");
  await openRenewal(page);
  const { row } = await searchPicker(page, COMPANY.name);
  await expect(
    row.getByText(new RegExp(`已在订单 ${first.orderNo}（.+）中办理，请等该订单办结或取消后再申请`)),
  ).toBeVisible();
  await expect(row.getByRole("checkbox")).toBeDisabled();
  await expect(row.getByText("可办理")).toHaveCount(0);

  // A second order for it sent anyway is refused with the same message.
  const refused = await api
    .post("/api/v1/orders", {
      business: "renew",
      subjectKind: "company",
      handler: HANDLER,
      items: [{ certificateSerial: held!.serialHex, years: 1, keepKey: true }],
      submit: true,
    })
    .then(
      () => "accepted",
      (err: Error) => err.message,
    );
  expect(refused).toMatch(/→ 409 /);
  expect(refused).toContain(`已在订单 ${first.orderNo}`);
});
