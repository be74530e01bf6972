import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  drawSealPng,
  drawSealRgba,
  encodeRgbaPng,
} from "../../apps/server/src/modules/eseal/seal-image.test-support";
import { holdCertificates, registerByApi } from "../support/api";
import { cn, orderNumberOn, pickOption, tempDir } from "../support/new-certificate";
import {
  addCertificateOf,
  openBusinesses,
  payInSandbox,
  saveDownload,
  startBusiness,
} from "../support/steps";

const COMPANY = {
  name: "福建签章测试有限公司",
  uscc: "91350100M000300Y4J",
  legalRep: "陈法人",
  address: "福州市台江区江滨路 8 号",
};

/** The same seal painted on opaque white, as a scan of paper would be: the corners are not transparent. */
function sealOnWhitePng(size: number): Buffer {
  const rgba = drawSealRgba(size);
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] === 0) rgba.set([255, 255, 255, 255], i);
  }
  return encodeRgbaPng(size, size, rgba);
}

test("a company turns on the e-seal for its certificate with a transparent seal image, pays online, and downloads the seal", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const dir = tempDir("e2e-eseal");
  const sealPng = drawSealPng(240);

  // Set-up: an applicant who already holds a certificate of the company (the 新证 walk covers that).
  const { api } = await registerByApi(page);
  const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });

  // 「业务办理」 → 电子签章开通.
  await page.goto("/account");
  await openBusinesses(page);
  await startBusiness(page, "eseal", "电子签章开通");

  // The handler of the earlier order is remembered and filled in.
  await expect(page.getByLabel("经办人姓名")).toHaveValue("王经办");

  // 【添加其他证书】: search by the company name and tick its certificate.
  await addCertificateOf(page, COMPANY.name);
  await expect(page.getByText(`第 1 项 · ${COMPANY.name}`)).toBeVisible();

  // A seal on a white background is refused next to the field, in Chinese.
  const sealField = page.locator(".ant-form-item").filter({ has: page.locator("input[type=file]") });
  await sealField.locator("input[type=file]").setInputFiles({
    name: "seal-white.png",
    mimeType: "image/png",
    buffer: sealOnWhitePng(240),
  });
  await expect(sealField.locator(".ant-form-item-explain-error")).toHaveText(
    "印章图片的背景须透明：图片四个角的像素须完全透明",
  );

  // The transparent seal is taken: its preview and size show, the error goes.
  await sealField.locator("input[type=file]").setInputFiles({
    name: "seal.png",
    mimeType: "image/png",
    buffer: sealPng,
  });
  await expect(sealField.getByRole("img", { name: "印章图片" })).toBeVisible();
  await expect(sealField.getByText("240 × 240")).toBeVisible();
  await expect(sealField.locator(".ant-form-item-explain-error")).toHaveCount(0);
  await page.getByLabel("印章名称").fill(`${COMPANY.name}公章`);
  await pickOption(page, page.getByLabel("印章类型"), "公章");
  await expect(page.getByTestId("order-total")).not.toHaveText(/^¥0\.00$/);
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  const orderUrl = page.url();
  const orderNo = await orderNumberOn(page);
  await expect(page.getByText("待缴费").first()).toBeVisible();

  // 【查看订单信息】 before paying: the seal becomes the contract seal under another name.
  await page.getByRole("button", { name: cn("查看订单信息") }).click();
  await expect(page.getByRole("heading", { name: `查看订单信息：${orderNo}` })).toBeVisible();
  await expect(page.getByLabel("印章名称")).toHaveValue(`${COMPANY.name}公章`);
  await page.getByLabel("印章名称").fill(`${COMPANY.name}合同专用章`);
  await pickOption(page, page.getByLabel("印章类型"), "合同专用章");
  await page.getByRole("button", { name: cn("保存修改") }).click();
  await expect(page).toHaveURL(orderUrl);
  await expect(page.getByText(`${COMPANY.name}合同专用章`).first()).toBeVisible();

  // Online payment in the sandbox cashier: no booking for an online payment, the e-seal is ready.
  await payInSandbox(page, orderNo);
  const esealCard = page.locator(".ant-card").filter({ hasText: `电子签章 · ${COMPANY.name}` });
  await expect(esealCard).toBeVisible({ timeout: 20_000 });
  await expect(page.locator(".ant-tag", { hasText: "可在线办理" })).toBeVisible();
  // 延期 and 电子签章开通 are done online: no receipt to print.
  await expect(page.getByRole("button", { name: /打印回执单/ })).toHaveCount(0);

  // The seal package for the signing client: the certificate, the seal's name and kind and the very PNG.
  const pkgFile = await saveDownload(
    page,
    esealCard.getByRole("button", { name: cn("下载签章包") }),
    path.join(dir, "eseal.json"),
  );
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as {
    serialHex: string;
    sealName: string;
    sealKind: string;
    certificatePem: string;
    imagePngBase64: string;
  };
  expect(pkg.serialHex).toBe(held!.serialHex);
  expect(pkg.sealName).toBe(`${COMPANY.name}合同专用章`);
  expect(pkg.sealKind).toBe("合同专用章");
  expect(pkg.certificatePem).toContain("BEGIN CERTIFICATE");
  expect(Buffer.from(pkg.imagePngBase64, "base64").equals(sealPng)).toBe(true);

  // The first download completes the order: the page updates itself, and the state holds on reload.
  // (A reload and a plain web-first wait rather than expectOrderState: its 2 s per try is too short on
  // a loaded machine.)
  const doneTag = page.locator(".ant-tag", { hasText: /^已办结$/ });
  await expect(doneTag).toBeVisible({ timeout: 20_000 });
  await page.reload();
  await expect(doneTag).toBeVisible();
  await expect(esealCard.getByText(/已开通并已下载/)).toBeVisible();

  // The PNG alone downloads byte for byte as uploaded.
  const pngFile = await saveDownload(
    page,
    page
      .locator(".ant-card")
      .filter({ hasText: `电子签章 · ${COMPANY.name}` })
      .getByRole("button", { name: /下载印章图片/ }),
    path.join(dir, "seal.png"),
  );
  expect(readFileSync(pngFile).equals(sealPng)).toBe(true);
});
