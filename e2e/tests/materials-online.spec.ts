import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import {
  jpegFile,
  pdfFile,
  pngFile,
  SVG_WITH_SCRIPT,
} from "../../apps/server/src/modules/materials/test-files";
import { readCodeFromDevOutbox } from "../support/helpers";
import {
  addCompany,
  applyForCompany,
  cn,
  expectSms,
  registerApplicant,
  reviewerOpens,
  staffPage,
  tempDir,
} from "../support/new-certificate";
import { reviewerApproves, reviewerStartsReview } from "../support/steps";

test.use({ viewport: { width: 1366, height: 768 } });

const LICENCE = "营业执照副本复印件（加盖公章）";

function company(tag: string) {
  return {
    name: `福建材料${tag}科技有限公司`,
    uscc: "91350100M000100Y43",
    legalRep: "林法人",
    address: "福州市鼓楼区五四路 100 号",
  };
}

/** A registered applicant with a submitted 新证 order for a new company; answers the phone and order number. */
async function submittedOrder(page: Page, tag: string, handlerPhone?: string) {
  const phone = await registerApplicant(page);
  const c = company(tag);
  await addCompany(page, c);
  const orderNo = await applyForCompany(page, c.name, handlerPhone ?? phone, ["企业数字证书"]);
  return { phone: handlerPhone ?? phone, orderNo, company: c };
}

/** Picks a file for one material of the 上传材料 card (the hidden input of its 【上传】 button). */
async function chooseFile(page: Page, testId: string, name: string, mimeType: string, buffer: Buffer) {
  await page.getByTestId(testId).locator('input[type="file"]').setInputFiles({ name, mimeType, buffer });
}

test("a handler uploads a blurry licence, is rejected for that material only, replaces it and is approved", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const dir = tempDir("e2e-materials");
  const { phone, orderNo, company: c } = await submittedOrder(page, "退回");
  const orderUrl = page.url();

  // The order page lists what the receipt asks for; the handler uploads the licence and his ID card.
  const card = page.getByTestId("materials-upload");
  await expect(card.getByText(LICENCE)).toBeVisible();
  await expect(card.getByText("经办人身份证复印件（国徽面）")).toBeVisible();
  await chooseFile(
    page,
    "material-business_licence_copy",
    "营业执照.png",
    "image/png",
    pngFile(800, 600, 90),
  );
  await expect(page.getByText(`「${LICENCE}」已上传`)).toBeVisible();
  await chooseFile(
    page,
    "material-handler_id_copy-front",
    "身份证正面.jpg",
    "image/jpeg",
    jpegFile(1200, 760),
  );
  await expect(page.getByTestId("material-handler_id_copy-front").getByText("待审核")).toBeVisible();

  // He downloads the 申请表, filled in from the order, with the Chinese text embedded.
  const href = await card.getByRole("link", { name: /下载申请表/ }).getAttribute("href");
  const res = await page.request.get(href ?? "");
  expect(res.status()).toBe(200);
  const file = path.join(dir, "application.pdf");
  writeFileSync(file, await res.body());
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  for (const s of ["数字证书申请表", orderNo, c.name, c.uscc, "王经办", phone]) expect(text).toContain(s);

  // The reviewer sees the files beside the order and returns the licence only, with a reason.
  const reviewer = await staffPage(browser, "reviewer");
  await reviewerOpens(reviewer, orderNo);
  await reviewerStartsReview(reviewer);
  const licenceRow = reviewer.getByTestId("review-material-business_licence_copy");
  await expect(licenceRow.getByRole("img")).toBeVisible();
  await licenceRow.getByRole("checkbox", { name: "退回此材料" }).check();
  await licenceRow.getByRole("combobox").fill("营业执照不清晰");
  await reviewer
    .getByRole("button", { name: cn("退回") })
    .first()
    .click();
  const dialog = reviewer.getByRole("dialog");
  await expect(dialog.getByText("将退回 1 项材料")).toBeVisible();
  await dialog.getByRole("button", { name: cn("退回") }).click();
  await expect(reviewer.getByText("已退回，已短信通知经办人")).toBeVisible();
  await expectSms(page, phone, new RegExp(`${orderNo} 未通过审核，原因：${LICENCE}：营业执照不清晰`));

  // The handler sees which file was returned and why; the ID card passed.
  await page.goto(orderUrl);
  const licence = page.getByTestId("material-business_licence_copy");
  await expect(licence.getByText("已退回")).toBeVisible();
  await expect(licence.getByText("退回原因：营业执照不清晰")).toBeVisible();
  await expect(page.getByTestId("material-handler_id_copy-front").getByText("已通过")).toBeVisible();

  // He replaces just the licence and resubmits.
  await chooseFile(
    page,
    "material-business_licence_copy",
    "营业执照-清晰.png",
    "image/png",
    pngFile(1600, 1200, 200),
  );
  await expect(licence.getByText("待审核")).toBeVisible();
  await page.getByRole("button", { name: cn("提交订单") }).click();
  await expect(page.getByText("待审核").first()).toBeVisible();

  // The reviewer sees the new file and approves.
  await reviewerOpens(reviewer, orderNo);
  await reviewerStartsReview(reviewer);
  await expect(
    reviewer.getByTestId("review-material-business_licence_copy").getByText("1600×1200"),
  ).toBeVisible();
  await reviewerApproves(reviewer);
  await page.goto(orderUrl);
  await expect(licence.getByText("已通过")).toBeVisible();
  await reviewer.context().close();
});

test("bad uploads are refused with a Chinese message naming the material, and nothing is stored", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await submittedOrder(page, "拒收");
  const cases: { name: string; type: string; data: Buffer; message: RegExp }[] = [
    {
      name: "营业执照.png",
      type: "image/png",
      data: jpegFile(1200, 900),
      message: /扩展名为 \.png，但内容是JPEG 图片/,
    },
    {
      name: "营业执照.jpg",
      type: "image/jpeg",
      data: Buffer.alloc(11 * 1024 * 1024, 0xff),
      message: /文件不能超过 10 MB/,
    },
    {
      name: "营业执照.pdf",
      type: "application/pdf",
      data: await pdfFile(200),
      message: /页数过多（200 页）/,
    },
    { name: "营业执照.svg", type: "image/svg+xml", data: SVG_WITH_SCRIPT, message: /不支持 SVG 文件/ },
  ];
  const row = page.getByTestId("material-business_licence_copy");
  for (const c of cases) {
    await chooseFile(page, "material-business_licence_copy", c.name, c.type, c.data);
    const toast = page.locator(".ant-message-notice").filter({ hasText: c.message });
    await expect(toast).toBeVisible();
    await expect(toast).toContainText(`「${LICENCE}」`);
    await expect(row.getByText("未上传")).toBeVisible();
  }
  await page.reload();
  await expect(row.getByText("未上传")).toBeVisible();
});

for (const vp of [
  { width: 1366, height: 768 },
  { width: 390, height: 844 },
]) {
  test(`a handler checks the progress of his order on the query page without logging in, at ${vp.width}×${vp.height}`, async ({
    page,
    browser,
  }) => {
    test.setTimeout(180_000);
    // The handler is not the account holder: his own phone (not yet sent any code) gets the code.
    const { phone, orderNo } = await submittedOrder(
      page,
      vp.width < 768 ? "手查" : "查询",
      `136${String(Date.now() % 100_000_000).padStart(8, "0")}`,
    );

    // Someone without a session: the home page links to the query page.
    const context = await browser.newContext({ viewport: vp });
    const anon = await context.newPage();
    await anon.goto("/");
    await expect(
      anon.getByTestId("blank-forms").getByRole("link", { name: "数字证书申请表（企业）" }),
    ).toBeVisible();
    await anon.getByRole("link", { name: /查询办理进度/ }).click();
    await expect(anon).toHaveURL(/\/progress$/);
    await anon.getByLabel("订单号").fill(orderNo);
    await anon.getByLabel("手机号").fill(phone);
    await anon.getByRole("button", { name: "获取验证码" }).click();
    const code = await readCodeFromDevOutbox(anon, phone);
    await anon.getByLabel("短信验证码").fill(code);
    await anon.getByRole("button", { name: cn("查询") }).click();
    const result = anon.getByTestId("progress-result");
    await expect(result.getByText(`订单 ${orderNo}`)).toBeVisible();
    await expect(result.getByText("待审核").first()).toBeVisible();
    await expect(result.getByText("福建******有限公司")).toBeVisible();
    await expect(result.getByText("提交订单")).toBeVisible();
    await expect(result.getByText(phone)).toHaveCount(0);
    await context.close();
  });
}
