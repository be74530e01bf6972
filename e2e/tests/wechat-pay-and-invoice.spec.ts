import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { registerByApi, staffApi, submitNewOrders } from "../support/api";
import { cn, staffPage, tempDir } from "../support/new-certificate";
import { payInSandbox } from "../support/steps";

const BUYER = { title: "福建微信支付测试有限公司", uscc: "91350100M000100Y43" };

/** An applicant (logged in on `page`) with a 新证 the reviewer approved: 待缴费. */
async function orderAwaitingPayment(page: Page, baseURL: string, company: { name: string; uscc: string }) {
  const { api } = await registerByApi(page);
  const [order] = await submitNewOrders(
    api,
    { ...company, legalRep: "林法人", address: "福州市鼓楼区五四路 1 号" },
    1,
  );
  const reviewer = await staffApi(baseURL, "reviewer");
  const started = await reviewer.api.post(`/api/v1/admin/orders/${order!.id}/start-review`, {
    version: order!.version,
  });
  await reviewer.api.post(`/api/v1/admin/orders/${order!.id}/approve`, { version: started.version });
  await reviewer.dispose();
  const detail = (await api.get(`/api/v1/orders/${order!.id}`)) as { orderNo: string };
  return { api, id: order!.id, orderNo: detail.orderNo };
}

/** Fills the order's 电子发票 panel; a 税号 with a wrong check digit is refused naming the field. */
async function asksForInvoice(page: Page) {
  const panel = page.getByTestId("invoice-panel");
  await panel.getByLabel("发票抬头").fill(BUYER.title);
  await panel.getByLabel("税号").fill("91350100M000100Y44");
  await expect(panel.getByText("税号：统一社会信用代码校验位错误，应为 3")).toBeVisible();
  await panel.getByLabel("税号").fill(BUYER.uscc);
  await panel.getByLabel("接收邮箱").fill("caiwu@example.com");
  await panel.getByRole("button", { name: cn("保存开票信息") }).click();
  await expect(page.getByText("开票信息已保存")).toBeVisible();
  await expect(panel.getByText(`（税号 ${BUYER.uscc}）`)).toBeVisible();
}

/** The sandbox's WeChat cashier: the payer confirms; its signed, encrypted notification pays the order. */
async function confirmsInWechatCashier(page: Page, orderNo: string) {
  await expect(page.getByRole("heading", { name: "沙箱收银台 · 微信支付" })).toBeVisible();
  await expect(page.getByText(orderNo)).toBeVisible();
  await page.getByRole("button", { name: "确认支付" }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+\?payment=returned$/);
  await expect(page.getByText("已缴费，等待财务记账。记账后即可打印回执单。")).toBeVisible({
    timeout: 20_000,
  });
}

/** A forged WeChat notification (someone else's signature) is refused and books nothing. */
async function forgedNotificationBooksNothing(
  page: Page,
  api: Awaited<ReturnType<typeof orderAwaitingPayment>>["api"],
  id: string,
) {
  const before = (await api.get(`/api/v1/orders/${id}/payments`)) as { payments: { status: string }[] };
  const res = await page.request.post("/api/v1/payments/notify/sandbox_wechat", {
    headers: {
      "content-type": "application/json",
      "wechatpay-timestamp": String(Math.floor(Date.now() / 1000)),
      "wechatpay-nonce": "FORGEDNONCE",
      "wechatpay-signature": Buffer.from("not a signature").toString("base64"),
      "wechatpay-serial": "SANDBOX-PUB-KEY",
    },
    data: JSON.stringify({
      event_type: "TRANSACTION.SUCCESS",
      resource: {
        algorithm: "AEAD_AES_256_GCM",
        ciphertext: "AAAA",
        nonce: "x",
        associated_data: "transaction",
      },
    }),
  });
  expect(res.status()).toBe(400);
  expect(await res.json()).toEqual({
    code: "FAIL",
    message: "验签失败：Wechatpay-Signature 不是微信支付平台对该报文的签名",
  });
  const after = (await api.get(`/api/v1/orders/${id}/payments`)) as { payments: { status: string }[] };
  expect(after.payments).toEqual(before.payments);
}

/** Finance issues the invoice; the applicant downloads the 电子发票 PDF (marked 演示 by the dev provider). */
async function getsInvoicePdf(
  page: Page,
  browser: Parameters<typeof staffPage>[0],
  orderNo: string,
  dir: string,
) {
  const finance = await staffPage(browser, "finance");
  await finance.goto("/admin/finance");
  const row = finance.getByRole("row").filter({ hasText: orderNo }).filter({ hasText: BUYER.title });
  await row.getByRole("button", { name: cn("开具发票") }).click();
  await expect(finance.getByText("发票已开具")).toBeVisible();
  await finance.context().close();

  await page.reload();
  const link = page.getByTestId("invoice-panel").getByRole("link", { name: /下载发票 PDF/ });
  await expect(link).toBeVisible();
  const res = await page.request.get((await link.getAttribute("href"))!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("application/pdf");
  const file = path.join(dir, "invoice.pdf");
  writeFileSync(file, await res.body());
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(
    /\s+/g,
    "",
  );
  expect(text).toContain("演示");
  expect(text).toContain(BUYER.title);
  expect(text).toContain(BUYER.uscc);
  expect(text).toContain(orderNo);
}

test("a handler on a desktop asks for an invoice, pays with WeChat Pay by the sandbox's QR code, and downloads the 电子发票 PDF finance issued", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  const dir = tempDir("e2e-wechat");
  const o = await orderAwaitingPayment(page, baseURL!, {
    name: "福建微信支付测试有限公司",
    uscc: "91350100M000500Y0M",
  });
  await page.goto(`/orders/${o.id}`);
  await asksForInvoice(page);

  await page.getByRole("button", { name: "微信支付" }).click();
  const qr = page.getByTestId("wechat-qr");
  await expect(qr.getByText("请使用微信扫一扫，扫描二维码完成支付")).toBeVisible();
  await expect(qr.locator("canvas, svg").first()).toBeVisible();
  await forgedNotificationBooksNothing(page, o.api, o.id);
  await qr.getByRole("link", { name: "在本设备打开收银台（沙箱）" }).click();
  await confirmsInWechatCashier(page, o.orderNo);
  await getsInvoicePdf(page, browser, o.orderNo, dir);
});

test("a handler on a phone pays with WeChat Pay H5 in the sandbox cashier", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 390, height: 844 });
  const o = await orderAwaitingPayment(page, baseURL!, {
    name: "福建微信手机支付有限公司",
    uscc: "91350100M000600Y3N",
  });
  await page.goto(`/orders/${o.id}`);
  await page.getByRole("button", { name: "微信支付" }).click();
  await confirmsInWechatCashier(page, o.orderNo);
});

test("a handler still pays with Alipay in the sandbox from the same panel", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const o = await orderAwaitingPayment(page, baseURL!, {
    name: "福建支付宝沙箱测试有限公司",
    uscc: "91350100M000700Y05",
  });
  await page.goto(`/orders/${o.id}`);
  await expect(page.getByRole("button", { name: "微信支付" })).toBeVisible();
  await payInSandbox(page, o.orderNo);
  await expect(page.getByRole("heading", { name: "沙箱收银台 · 微信支付" })).toHaveCount(0);
  await expect(page.getByText("已缴费，等待财务记账。记账后即可打印回执单。")).toBeVisible({
    timeout: 20_000,
  });
});
