// Certificates as lineages (DESIGN §8), walked in the browser: a lost medium after a key-keeping 延期
// revokes both certificates holding the key; a replaced certificate is no longer offered (picker,
// wallet); a receipt of an order made before a 变更 keeps the old name. The set-up and the window's
// steps go over the API (their own walks cover them in the browser); openssl checks CRL and OCSP.
import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import {
  HANDLER,
  type HeldCertificate,
  holdCertificates,
  type jsonApi,
  registerByApi,
  staffApi,
} from "../support/api";
import { company, loginApplicant, setServerClock } from "../support/business";
import { makeCsr, openssl, receiptPdfText, tempDir } from "../support/new-certificate";
import { expectGoodInOcsp, expectRevokedInCrlAndOcsp } from "../support/revocation";
import {
  addPickedRow,
  colonSerial,
  openBusinesses,
  openWallet,
  payInSandbox,
  searchPicker,
  startBusiness,
} from "../support/steps";

const DAY = 24 * 3600 * 1000;

test.afterEach(async ({ baseURL }) => {
  await setServerClock(baseURL!, null);
});

type Api = ReturnType<typeof jsonApi>;

/** The applicant pays the order online on its page in the sandbox cashier. */
async function payOnPage(page: Page, api: Api, orderId: string) {
  const order = (await api.get(`/api/v1/orders/${orderId}`)) as { orderNo: string };
  await page.goto(`/orders/${orderId}`);
  await payInSandbox(page, order.orderNo);
}

/**
 * A 延期 of `held` 30 days before its end, paid in the browser, updated over the API from a CSR of the
 * same key (keepKey) or a fresh one. Answers the new serial; the clock is back at the real time.
 */
async function renewOverApi(
  page: Page,
  baseURL: string,
  phone: string,
  api: Api,
  held: HeldCertificate,
  keepKey: boolean,
  dir: string,
) {
  await setServerClock(baseURL, new Date(new Date(held.notAfter).getTime() - 30 * DAY));
  await loginApplicant(page, phone);
  const order = await api.post("/api/v1/orders", {
    business: "renew",
    subjectKind: "company",
    handler: HANDLER,
    items: [{ certificateSerial: held.serialHex, keepKey, years: 1 }],
    submit: true,
  });
  await payOnPage(page, api, order.id);
  const csrPem = keepKey
    ? openssl(["req", "-new", "-key", held.keyFile, "-subj", "/CN=renew"])
    : readFileSync(makeCsr(dir, `renew-${order.orderNo}`), "utf8");
  const up = await api.post(`/api/v1/orders/${order.id}/items/${order.items[0].id}/online-update`, {
    csrPem,
  });
  await setServerClock(baseURL, null);
  await loginApplicant(page, phone);
  return up.serialHex as string;
}

/** The window takes in a paid order's materials, records media, issues from a fresh CSR, hands over. */
async function windowIssues(baseURL: string, dir: string, orderId: string): Promise<string> {
  const operator = await staffApi(baseURL, "operator");
  try {
    const admin = (rest: string) => `/api/v1/admin/orders/${orderId}${rest}`;
    let order = await operator.api.get(admin(""));
    const materials = await operator.api.get(admin("/materials"));
    const ticked = await operator.api.post(admin("/materials"), {
      version: order.version,
      received: (materials.materials as { code: string }[]).map((m) => m.code),
    });
    order = await operator.api.post(admin("/receive"), { version: ticked.version });
    const item = order.items[0];
    await operator.api.post(admin(`/items/${item.id}/media`), {
      mediaSerial: `LIN${order.orderNo.slice(-8)}`,
    });
    const issued = await operator.api.post(admin(`/items/${item.id}/issue`), {
      csrPem: readFileSync(makeCsr(dir, `lineage-${order.orderNo}`), "utf8"),
    });
    order = await operator.api.get(admin(""));
    await operator.api.post(admin("/complete"), { version: order.version, how: "handover" });
    return issued.certificate.serialHex as string;
  } finally {
    await operator.dispose();
  }
}

test("a medium lost after a key-keeping renewal: the renewed certificate and the original, both holding the lost key, are revoked keyCompromise, and the wallet shows the lineage as one row with its history", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const dir = tempDir("e2e-lineage-lost");
  const COMPANY = company("福建遗失测试有限公司", "000900Y7");
  const { phone, api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });
  const renewed = await renewOverApi(page, baseURL!, phone, api, held!, true, dir);

  // 补证 (介质遗失) of the renewed certificate, paid online in the browser, issued at the window.
  const order = await api.post("/api/v1/orders", {
    business: "reissue",
    subjectKind: "company",
    handler: HANDLER,
    items: [{ certificateSerial: renewed, cause: "lost" }],
    submit: true,
  });
  await payOnPage(page, api, order.id);
  const head = await windowIssues(baseURL!, dir, order.id);

  // openssl as a relying party: both certificates of the lost key are revoked keyCompromise (CRL and
  // OCSP), the new one is good.
  await expectRevokedInCrlAndOcsp(baseURL!, dir, held!.serialHex, "keyCompromise");
  await expectRevokedInCrlAndOcsp(baseURL!, dir, renewed, "keyCompromise");
  expectGoodInOcsp(baseURL!, dir, head);

  // 「我的证书」: one row for the lineage (its head); the history unfolds to the two revoked ones.
  await page.goto("/account");
  await openWallet(page);
  await expect(page.getByRole("row").filter({ hasText: colonSerial(head) })).toHaveCount(1);
  await expect(page.getByRole("row").filter({ hasText: colonSerial(held!.serialHex) })).toHaveCount(0);
  await page.getByRole("button", { name: "证书历史（2）" }).click();
  await expect(page.getByText(colonSerial(renewed))).toBeVisible();
  await expect(page.getByText(colonSerial(held!.serialHex))).toBeVisible();
  await expect(page.getByText("密钥泄露（介质遗失）")).toHaveCount(2);
});

test("a renewed certificate is no longer offered: the picker lists only its successor, the wallet lists the lineage once, and a 延期 of the old one is refused naming the head", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const dir = tempDir("e2e-lineage-picker");
  const COMPANY = company("福建取代测试有限公司", "000A00Y8");
  const { phone, api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });
  const renewed = await renewOverApi(page, baseURL!, phone, api, held!, false, dir);

  // The picker of 变更 finds the company's certificates: one row, the renewed one.
  await page.goto("/account");
  await openBusinesses(page);
  await startBusiness(page, "change", "变更");
  const { picker, row } = await searchPicker(page, COMPANY.name, {
    button: "【添加其他需要变更的企业/个人信息】",
  });
  await expect(row).toContainText(colonSerial(renewed).slice(0, 11));
  await addPickedRow(picker, row);

  // The wallet lists the lineage once (the head); the replaced certificate is its history, revoked.
  await openWallet(page);
  await expect(page.getByRole("row").filter({ hasText: colonSerial(renewed) })).toHaveCount(1);
  await expect(page.getByRole("row").filter({ hasText: colonSerial(held!.serialHex) })).toHaveCount(0);
  await page.getByRole("button", { name: "证书历史（1）" }).click();
  await expect(page.getByText("已被新证书取代")).toBeVisible();

  // A second 延期 of the replaced certificate sent anyway is refused naming the head, on the field.
  const refused = await api
    .post("/api/v1/orders", {
      business: "renew",
      subjectKind: "company",
      handler: HANDLER,
      items: [{ certificateSerial: held!.serialHex, keepKey: false, years: 1 }],
      submit: true,
    })
    .then(
      () => "accepted",
      (e: Error) => e.message,
    );
  expect(refused).toContain("→ 409");
  expect(refused).toContain('"field":"items.0.certificateSerial"');
  expect(refused).toContain(`只能选择最新证书 ${renewed}`);
});

test("a receipt of an order made before a 变更 keeps the company's old name", async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  const dir = tempDir("e2e-lineage-receipt");
  const COMPANY = company("福建旧名测试有限公司", "000B00Y9");
  const NEW_NAME = "福建新名测试（集团）有限公司";
  const { api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });
  const orders = (await api.get("/api/v1/orders")) as { orders: { id: string; business: string }[] };
  const first = orders.orders.find((o) => o.business === "new")!;

  const change = await api.post("/api/v1/orders", {
    business: "change",
    subjectKind: "company",
    handler: HANDLER,
    items: [{ certificateSerial: held!.serialHex, changes: { name: NEW_NAME }, reason: "企业更名" }],
    submit: true,
  });
  await payOnPage(page, api, change.id);
  await windowIssues(baseURL!, dir, change.id);

  // The 新证 order's receipt, reprinted after the 变更, names the company as it was that day.
  await page.goto(`/orders/${first.id}/receipt`);
  const pdf = await receiptPdfText(page, dir);
  expect(pdf).toContain(COMPANY.name);
  expect(pdf).not.toContain(NEW_NAME);
  // The wallet's head, issued by the 变更, carries the new name.
  await page.goto("/account");
  await openWallet(page);
  await expect(page.getByRole("row").filter({ hasText: NEW_NAME })).toHaveCount(1);
});
