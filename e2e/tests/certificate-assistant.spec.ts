import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { usccCheckChar } from "@certhall/domain";
import { expect, type Page, test } from "@playwright/test";
import { holdCertificates, newOrderAtWindow, registerByApi } from "../support/api";
import {
  type Assistant,
  certificateOnToken,
  pairInPage,
  personaliseSoPin,
  platformSoPin,
  startAssistant,
  TOKEN_PIN,
  useAssistantPort,
} from "../support/assistant";
import { loginApplicant, setServerClock } from "../support/business";
import { cn, orderNumberOn, pickOption, staffPage, tempDir } from "../support/new-certificate";
import {
  addCertificateOf,
  addPickedRow,
  bookFuzhouWindow,
  certSerialHex,
  expectChainVerifies,
  openBusinesses,
  operatorTakesMaterials,
  payInSandbox,
  saveDownload,
  searchPicker,
  startBusiness,
  typeHandler,
} from "../support/steps";
import { makeVendorCertificates } from "../support/vendor";

const DAY = 24 * 3600 * 1000;

function company(name: string) {
  const body = `91350100MA${String(Date.now() % 10_000_000).padStart(7, "0")}`;
  return { name, uscc: body + usccCheckChar(body), legalRep: "林法人", address: "福州市鼓楼区五四路 8 号" };
}

let assistant: Assistant | undefined;
test.afterEach(async ({ baseURL }) => {
  await assistant?.stop();
  assistant = undefined;
  await setServerClock(baseURL!, null);
});

/** A key pair made on the token through the assistant, and the write-back of its certificate. */
function onToken(
  call: Awaited<ReturnType<Assistant["setupClient"]>>,
  tokenSerial: string,
  commonName: string,
) {
  return async () => {
    const reply = await call("/v1/csr", { tokenSerial, pin: TOKEN_PIN, subject: { commonName } });
    expect(reply.status).toBe(200);
    const { csrPem } = (await reply.json()) as { csrPem: string };
    return {
      mediaSerial: tokenSerial,
      csrPem,
      async write(certificatePem: string) {
        const written = await call("/v1/certificate", { tokenSerial, pin: TOKEN_PIN, certificatePem });
        expect(written.status).toBe(200);
      },
    };
  };
}

/** openssl verifies the certificate read back from the token against the CA certificates of a chain. */
function expectTokenCertificateVerifies(dir: string, chainFile: string, tokenPem: string) {
  const cas = readFileSync(chainFile, "utf8").match(
    /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
  )!;
  const file = path.join(dir, "token-chain.pem");
  writeFileSync(file, [tokenPem.trim(), ...cas.slice(1)].join("\n"));
  return expectChainVerifies(dir, file);
}

async function findAtWorkbench(operator: Page, orderNo: string) {
  await operator.goto("/admin/workbench");
  const find = operator.getByPlaceholder("订单号、汇款识别码，或扫描回执单二维码");
  await find.fill(orderNo);
  await find.press("Enter");
  await expect(operator.getByText(`订单 ${orderNo}`).first()).toBeVisible();
}

test("a handler renews the certificate on a USB key in one click with the certificate assistant, and openssl verifies the certificate read back from the key", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const dir = tempDir("e2e-assistant-renew");
  const COMPANY = company("福建助手延期有限公司");
  assistant = await startAssistant(baseURL!);
  const tokenSerial = assistant.insertToken("renew-key");
  const setup = await assistant.setupClient(baseURL!);

  // Set-up: the company's certificate was issued onto the USB key (key made on the key).
  const { phone, api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, {
    api,
    company: COMPANY,
    onToken: onToken(setup, tokenSerial, COMPANY.name),
  });
  expect((await certificateOnToken(setup, tokenSerial)).map((c) => c.serialHex)).toEqual([held!.serialHex]);

  // Thirty days before the end: 延期 keeping the key, paid online.
  await setServerClock(baseURL!, new Date(new Date(held!.notAfter).getTime() - 30 * DAY));
  await useAssistantPort(page, assistant);
  await loginApplicant(page, phone);
  await openBusinesses(page);
  await startBusiness(page, "renew", "延期");
  const { picker, row } = await searchPicker(page, COMPANY.name);
  await addPickedRow(picker, row);
  await page.getByRole("radio", { name: "保留原密钥" }).check();
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  const orderNo = await orderNumberOn(page);
  await payInSandbox(page, orderNo);
  const updateCard = page.locator(".ant-card").filter({ hasText: `证书在线更新 · ${COMPANY.name}` });
  await expect(updateCard).toBeVisible({ timeout: 20_000 });

  // 证书在线更新 onto the USB key: pair once, the inserted key is found, the PIN, one click.
  await updateCard.getByText("更新到 USB Key（证书助手）").click();
  await pairInPage(page, assistant);
  await expect(updateCard.getByText(`renew-key（${tokenSerial}）`)).toBeVisible();
  await updateCard.getByLabel("USB Key PIN 码").fill(TOKEN_PIN);
  await updateCard.getByRole("button", { name: cn("一键更新") }).click();
  await expect(updateCard.getByText("证书已更新")).toBeVisible({ timeout: 30_000 });
  await expect(updateCard.getByText("新证书已写入 USB Key。")).toBeVisible();
  const chainFile = await saveDownload(
    page,
    updateCard.getByRole("button", { name: cn("下载新证书（含证书链）") }),
    path.join(dir, "renewed-chain.pem"),
  );

  // The key now holds only the new certificate (same key), and openssl verifies it to our root.
  const onKey = await certificateOnToken(setup, tokenSerial);
  expect(onKey).toHaveLength(1);
  expect(onKey[0]!.serialHex).not.toBe(held!.serialHex);
  const { subject, leafFile } = expectTokenCertificateVerifies(dir, chainFile, onKey[0]!.pem);
  expect(subject).toContain(COMPANY.name);
  expect(certSerialHex(leafFile).toLowerCase()).toBe(onKey[0]!.serialHex.replace(/^0+/, ""));

  // The order is completed; the PIN appears nowhere on the page.
  await page.reload();
  await expect(page.getByText("已办结").first()).toBeVisible();
  await expect(page.locator("body")).not.toContainText(TOKEN_PIN);
});

test("a locked USB key is unlocked remotely with the unlock code from the SMS through the certificate assistant", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const dir = tempDir("e2e-assistant-unlock");
  const COMPANY = company("福建助手解锁有限公司");
  assistant = await startAssistant(baseURL!);
  const tokenSerial = assistant.insertToken("locked-key");
  // The CA personalised the key: its SO PIN is the one the platform derives for its serial.
  personaliseSoPin(assistant, tokenSerial, platformSoPin(Number(new URL(baseURL!).port), tokenSerial));
  const setup = await assistant.setupClient(baseURL!);
  const { api } = await registerByApi(page);
  await holdCertificates(baseURL!, dir, {
    api,
    company: COMPANY,
    onToken: onToken(setup, tokenSerial, COMPANY.name),
  });

  // Five wrong PINs: the key is locked; even the right PIN is refused now.
  for (let i = 0; i < 5; i++) {
    const wrong = await setup("/v1/pin/change", { tokenSerial, pin: "00000000", newPin: "11112222" });
    expect(wrong.status).toBe(i < 4 ? 403 : 423);
  }
  expect((await setup("/v1/pin/change", { tokenSerial, pin: TOKEN_PIN, newPin: TOKEN_PIN })).status).toBe(
    423,
  );

  // 解锁: zero payment, the window, and the unlock code goes out by SMS.
  await useAssistantPort(page, assistant);
  await page.goto("/account");
  await openBusinesses(page);
  await startBusiness(page, "unlock", "解锁");
  await addCertificateOf(page, COMPANY.name);
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  const orderNo = await orderNumberOn(page);
  await page.getByRole("button", { name: cn("支付（不扣款）") }).click();
  await expect(page.getByText("已确认，订单进入下一步")).toBeVisible();
  await bookFuzhouWindow(page);
  const operator = await staffPage(browser, "operator");
  await operatorTakesMaterials(operator, orderNo, 3);
  await expect(operator.getByLabel("介质序列号")).toHaveValue(tokenSerial.toUpperCase());
  await operator.getByRole("button", { name: cn("发放解锁授权码") }).click();
  const codeBox = operator.locator(".ant-alert").filter({ hasText: "解锁授权码（仅显示这一次" });
  const code = ((await codeBox.locator("code").first().textContent()) ?? "").trim();
  expect(code.length).toBeGreaterThanOrEqual(8);

  // At home: the locked key, the code from the SMS, a new PIN; the assistant does the rest.
  await page.reload();
  await pairInPage(page, assistant);
  await expect(page.getByText(`locked-key（${tokenSerial}）`)).toBeVisible();
  await expect(page.locator(".ant-select").getByText("已锁定")).toBeVisible();
  await page.getByLabel("解锁授权码（短信）").fill(code);
  await page.getByLabel("新 PIN 码", { exact: true }).fill("24681357");
  await page.getByLabel("再次输入新 PIN 码").fill("24681357");
  await page
    .getByRole("button", { name: cn("解锁") })
    .last()
    .click();
  // The panel then shows the key as unlocked (the form is gone once every key is).
  await expect(page.getByText("已解锁 1/1 个介质")).toBeVisible({ timeout: 30_000 });
  await expect(page.locator("body")).not.toContainText("24681357");

  // The new PIN opens the key; the old one does not.
  expect((await setup("/v1/pin/change", { tokenSerial, pin: "24681357", newPin: "24681357" })).status).toBe(
    200,
  );
  await operator.context().close();
});

test("the operator issues a new certificate onto a fresh USB key in the window PC's reader with the certificate assistant", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const dir = tempDir("e2e-assistant-window");
  const COMPANY = company("福建助手窗口有限公司");
  assistant = await startAssistant(baseURL!);
  const tokenSerial = assistant.insertToken("fresh-key");
  const setup = await assistant.setupClient(baseURL!);
  const { api } = await registerByApi(page);
  const { order, operator: operatorApi } = await newOrderAtWindow(baseURL!, { api, company: COMPANY });
  await operatorApi.dispose();

  // The window: the new key in the reader, its serial read from it, the key made on it, 签发.
  const operator = await staffPage(browser, "operator");
  await useAssistantPort(operator, assistant);
  await findAtWorkbench(operator, order.orderNo);
  await pairInPage(operator, assistant);
  await expect(operator.getByText(`fresh-key（${tokenSerial}）`)).toBeVisible();
  await operator.getByLabel("USB Key PIN 码").fill(TOKEN_PIN);
  await operator.getByRole("button", { name: cn("在介质中生成密钥并签发") }).click();
  await expect(operator.getByText("已签发，证书已写入 USB Key")).toBeVisible({ timeout: 30_000 });
  await expect(operator.locator(".ant-tag", { hasText: "证书已签发" })).toHaveCount(1);
  await expect(operator.getByLabel("介质序列号")).toHaveValue(tokenSerial.toUpperCase());

  // The key holds the certificate; openssl verifies it against the chain the applicant downloads.
  const [onKey] = await certificateOnToken(setup, tokenSerial);
  expect(onKey).toBeTruthy();
  const chain = await page.request.get(`/api/v1/certificates/${onKey!.serialHex}?format=pem&chain=true`);
  expect(chain.status()).toBe(200);
  const chainFile = path.join(dir, "window-chain.pem");
  writeFileSync(chainFile, await chain.body());
  const { subject } = expectTokenCertificateVerifies(dir, chainFile, onKey!.pem);
  expect(subject).toContain(COMPANY.name);
  await operator.context().close();
});

test("the vendor swap reads the other vendor's certificate from the inserted medium with the certificate assistant", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const dir = tempDir("e2e-assistant-vendor");
  const COMPANY = company("泉州助手换证有限公司");
  assistant = await startAssistant(baseURL!);
  const tokenSerial = assistant.insertToken("vendor-key");
  const setup = await assistant.setupClient(baseURL!);

  // The other vendor's medium: a key on it, certified by the vendor's own openssl CA.
  const made = await setup("/v1/csr", {
    tokenSerial,
    pin: TOKEN_PIN,
    subject: {
      country: "CN",
      organization: COMPANY.name,
      commonName: COMPANY.name,
      serialNumber: COMPANY.uscc,
    },
  });
  const { csrPem } = (await made.json()) as { csrPem: string };
  const vendor = makeVendorCertificates(dir, COMPANY, { validDays: 200, validCsrPem: csrPem });
  const written = await setup("/v1/certificate", {
    tokenSerial,
    pin: TOKEN_PIN,
    certificatePem: readFileSync(vendor.valid, "utf8"),
  });
  expect(written.status).toBe(200);

  const { api } = await registerByApi(page);
  await api.post("/api/v1/subjects", { kind: "company", ...COMPANY });
  await useAssistantPort(page, assistant);
  await page.goto("/account");
  await openBusinesses(page);
  await startBusiness(page, "vendor_swap", "其他厂商介质证书更换");
  await typeHandler(page);
  await pickOption(page, page.getByRole("combobox", { name: "企业" }), COMPANY.name);
  await pickOption(page, page.getByRole("combobox", { name: "CA 类型" }), "企业数字证书");

  // 插入介质，读取确认: no PIN, the certificate is read from the key and shown for confirmation.
  await page.getByRole("button", { name: cn("从插入的介质读取") }).click();
  await pairInPage(page, assistant);
  await expect(page.getByText(`vendor-key（${tokenSerial}）`)).toBeVisible();
  await page.getByRole("button", { name: cn("读取此证书") }).click();
  const preview = page.locator(".ant-descriptions").filter({ hasText: "请确认证书信息" });
  await expect(preview).toBeVisible();
  const row = (label: string) => preview.getByRole("row", { name: new RegExp(`^${label}`) });
  await expect(row("证书主题")).toContainText(`serialNumber=${COMPANY.uscc}`);
  await expect(row("颁发者")).toContainText("某某数字认证 SM CA");
  const vendorSerial = certSerialHex(vendor.valid);
  await expect(row("序列号")).toContainText(vendorSerial.match(/../g)!.join(":"));
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  await expect(page.getByText("待缴费").first()).toBeVisible();
});
