import { usccCheckChar } from "@certhall/domain";
import { expect, type Page, test } from "@playwright/test";
import { type HeldCertificate, holdCertificates, registerByApi } from "../support/api";
import { loginApplicant, setServerClock } from "../support/business";
import { cn, orderNumberOn, pickOption, tempDir } from "../support/new-certificate";
import { colonSerial, startBusiness } from "../support/steps";

// The applicant's side on a desktop and on a phone (issue 16 item 6): the wallet's company filter and
// 「一起延期」, the picker as cards, and the receipt printed without the site around it.

const DAY = 24 * 3600 * 1000;
const VIEWPORTS = [
  { name: "1366×768", width: 1366, height: 768 },
  { name: "390×844", width: 390, height: 844 },
] as const;

let companyNo = 0;
function company(name: string) {
  // A distinct 统一社会信用代码 per walk and viewport, with its real check character.
  const body = `91350100M${String(Date.now() % 1e7).padStart(7, "0")}${(companyNo++ % 10).toString()}`;
  return { name, uscc: body + usccCheckChar(body), legalRep: "林法人", address: "福州市鼓楼区五四路 1 号" };
}

/** A link of the portal header: on a phone it is in the menu the header's button opens. */
async function follow(page: Page, name: string, phone: boolean): Promise<void> {
  if (phone) {
    await page.getByRole("button", { name: "菜单" }).click();
    await page.getByRole("navigation", { name: "菜单" }).getByRole("link", { name }).click();
  } else {
    await page.getByRole("banner").getByRole("link", { name }).click();
  }
  await expect(page.getByRole("heading", { name }).first()).toBeVisible();
}

/** 【添加其他证书】 opens the picker, which searches for `name`. */
async function searchPickerFor(page: Page, name: string) {
  await page.getByRole("button", { name: "【添加其他证书】" }).click();
  const picker = page.getByRole("dialog");
  await picker.getByPlaceholder("输入企业名称、个人姓名或证书序列号").fill(name);
  await picker.getByRole("button", { name: cn("搜索") }).click();
  return picker;
}

/** Thirty days before the end of `held`: inside the 延期 window; the applicant logs in again there. */
async function nearTheEnd(page: Page, baseURL: string, phone: string, held: HeldCertificate): Promise<void> {
  await setServerClock(baseURL, new Date(new Date(held.notAfter).getTime() - 30 * DAY));
  await loginApplicant(page, phone);
  // The account page has arrived (a navigation that lands later closes the phone's menu again).
  await expect(page.getByRole("heading", { name: "我的账户" })).toBeVisible();
}

test.afterEach(async ({ baseURL }) => {
  await setServerClock(baseURL!, null);
});

for (const vp of VIEWPORTS) {
  test.describe(`at ${vp.name}`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });
    const phone = vp.width < 768;

    test("a handler renews three certificates in one order from the wallet, filtered to the company", async ({
      page,
      baseURL,
    }) => {
      test.setTimeout(240_000);
      const dir = tempDir("e2e-wallet-renew");
      const MAIN = company(`福建三证延期有限公司${vp.width}`);
      const OTHER = company(`福建另一主体有限公司${vp.width}`);
      const { phone: mobile, api } = await registerByApi(page);
      const held = await holdCertificates(baseURL!, dir, {
        api,
        company: MAIN,
        caTypes: ["enterprise-sign", "enterprise-sign", "enterprise-sign"],
      });
      await holdCertificates(baseURL!, dir, { api, company: OTHER });
      await nearTheEnd(page, baseURL!, mobile, held[0]!);

      await follow(page, "我的证书", phone);
      // Four certificates of two companies; the filter keeps the three of one.
      await pickOption(page, page.getByRole("combobox", { name: "按主体筛选" }), `${MAIN.name}（3）`);
      const certs = phone
        ? page.getByRole("list", { name: "我的证书" }).getByRole("listitem")
        : page.locator("tbody tr.ant-table-row");
      await expect(certs).toHaveCount(3);
      await expect(certs.filter({ hasText: OTHER.name })).toHaveCount(0);

      // Each shows its end date in full and its serial as colon pairs, unbroken within each half.
      for (const h of held) {
        const card = certs.filter({ hasText: colonSerial(h.serialHex) });
        await expect(card).toHaveCount(1);
        await expect(card.getByText(/^到期 \d{4}-\d{2}-\d{2}$/)).toBeVisible();
        await card.getByRole("checkbox", { name: "选择" }).check();
      }
      await expect(page.getByText("已选 3 张证书")).toBeVisible();
      await page.getByRole("button", { name: cn("一起延期（3）") }).click();

      // One 延期 form with the three certificates in it.
      await expect(page.getByRole("heading", { name: "延期", exact: true })).toBeVisible();
      for (const n of [1, 2, 3]) await expect(page.getByText(`第 ${n} 项 · ${MAIN.name}`)).toBeVisible();
      await expect(page.getByText("第 4 项")).toHaveCount(0);
      const rekey = page.getByRole("radio", { name: "更换新密钥" });
      for (let i = 0; i < 3; i++) await rekey.nth(i).check();
      await page.getByRole("button", { name: cn("提交订单") }).click();
      await expect(page).toHaveURL(/\/orders\/[^/]+$/);
      const orderNo = await orderNumberOn(page);
      for (const h of held) await expect(page.getByText(colonSerial(h.serialHex)).first()).toBeVisible();

      // Back in the wallet the three are in that order and can no longer be ticked.
      await follow(page, "我的证书", phone);
      await expect(page.getByText("办理中：延期")).toHaveCount(3);

      // The picker names the order holding each of them, with the serial as the pages print it.
      await follow(page, "业务办理", phone);
      await startBusiness(page, "renew", "延期");
      const picker = await searchPickerFor(page, MAIN.name);
      const reason = picker.getByText(`证书 ${colonSerial(held[0]!.serialHex)} 已在订单 ${orderNo}`);
      await expect(reason).toBeVisible();
      await expect(picker.getByText(held[0]!.serialHex)).toHaveCount(0);
      // 「能否办理」 is not cut: the whole reason lies inside the dialog.
      const box = (await reason.boundingBox())!;
      const dialogBox = (await picker.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(dialogBox.x + dialogBox.width);
      expect(box.x).toBeGreaterThanOrEqual(dialogBox.x);
    });

    test("printing the receipt prints only the receipt", async ({ page, baseURL }) => {
      test.setTimeout(180_000);
      const dir = tempDir("e2e-receipt-print");
      const { api } = await registerByApi(page);
      await holdCertificates(baseURL!, dir, { api, company: company(`福建回执打印有限公司${vp.width}`) });
      const { orders } = (await api.get("/api/v1/orders")) as { orders: { id: string; orderNo: string }[] };
      await page.goto(`/orders/${orders[0]!.id}/receipt`);
      const sheet = page.locator(".receipt-sheet h1");
      await expect(sheet).toBeVisible();
      await expect(page.locator(".portal-header")).toBeVisible();

      await page.emulateMedia({ media: "print" });
      await expect(sheet).toBeVisible();
      await expect(page.getByText(orders[0]!.orderNo).first()).toBeVisible();
      // No site header, navigation, footer or toolbar on paper.
      await expect(page.locator(".portal-header")).toBeHidden();
      await expect(page.getByRole("link", { name: "业务办理" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: cn("打印回执单") })).toBeHidden();
      await expect(page.locator(".portal-footer")).toBeHidden();
      // The sheet starts at the top of the page: nothing printed above it.
      expect((await page.locator(".receipt-sheet").boundingBox())!.y).toBeLessThan(40);
      await page.emulateMedia({ media: "screen" });
      await expect(page.locator(".portal-header")).toBeVisible();
    });
  });
}

test.describe("on a phone (390×844)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("a handler on a phone picks a certificate from cards", async ({ page, baseURL }) => {
    test.setTimeout(180_000);
    const dir = tempDir("e2e-phone-picker");
    const COMPANY = company("福建手机办理有限公司");
    const { phone: mobile, api } = await registerByApi(page);
    const [held] = await holdCertificates(baseURL!, dir, { api, company: COMPANY });
    await nearTheEnd(page, baseURL!, mobile, held!);

    // The header's menu opens the way to 业务办理.
    await follow(page, "业务办理", true);
    await startBusiness(page, "renew", "延期");

    const picker = await searchPickerFor(page, COMPANY.name);
    // Cards, not a table wider than the screen: the certificate, its end and 可办理 all in view.
    await expect(picker.getByRole("table")).toHaveCount(0);
    const card = picker.getByRole("listitem").filter({ hasText: COMPANY.name });
    await expect(card).toHaveCount(1);
    await expect(card.getByText("可办理")).toBeInViewport();
    await expect(card.getByText(colonSerial(held!.serialHex).slice(0, 23))).toBeInViewport();
    const cardBox = (await card.boundingBox())!;
    expect(cardBox.x + cardBox.width).toBeLessThanOrEqual(390);
    await card.getByRole("checkbox").check();
    await picker.getByRole("button", { name: /添加所选证书（1）/ }).click();
    await expect(picker).toBeHidden();
    await expect(page.getByText(`第 1 项 · ${COMPANY.name}`)).toBeVisible();
    // Nothing of the page runs off the right edge of the phone.
    const width = await page.evaluate("document.documentElement.scrollWidth");
    expect(width).toBeLessThanOrEqual(390);
  });
});
