import { usccCheckChar } from "@certhall/domain";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { registerByApi, submitNewOrders } from "../support/api";
import { staffLogin } from "../support/helpers";
import { staffPage } from "../support/new-certificate";
import { createReviewer, emptyReviewQueue } from "../support/queues";

const company = (n: string, name: string) => {
  const body = `91350100M00${n}Y4`;
  return { name, uscc: body + usccCheckChar(body), legalRep: "林法人", address: "福州市鼓楼区东街 1 号" };
};
const COMPANY = company("0901", "福州审核队列测试有限公司");
const OTHER = company("0902", "厦门双审核测试有限公司");

/** The order number on the review page (its card title 「订单 XZ…」). */
async function openOrderNo(page: Page): Promise<string> {
  const title = page
    .locator(".ant-card-head-title")
    .filter({ hasText: /^订单 / })
    .first();
  await expect(title).toBeVisible();
  return ((await title.textContent()) ?? "").replace(/^订单\s*/, "").trim();
}

async function reviewerPage(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await staffLogin(page, username, password);
  await expect(page).toHaveURL(/\/admin\/?$/);
  return page;
}

test("a reviewer works through a queue of 30 orders with 领取下一单 and the keyboard", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000);
  await emptyReviewQueue(baseURL!);
  const { api } = await registerByApi(page);
  const mine = await submitNewOrders(api, COMPANY, 30);
  const reviewer = await staffPage(browser, "reviewer");
  await reviewer.goto("/admin/review");

  // The queue names the company and its USCC, the CA type and how long the order has waited, oldest first.
  const rows = reviewer.locator(".ant-table-row");
  await expect(rows.first()).toContainText(COMPANY.name);
  await expect(rows.first()).toContainText(COMPANY.uscc);
  await expect(rows.first()).toContainText("分钟");
  // j moves down, k back up, Enter opens the highlighted (oldest) order.
  await reviewer.keyboard.press("j");
  await expect(rows.nth(1)).toHaveClass(/ant-table-row-selected/);
  await reviewer.keyboard.press("k");
  await expect(rows.first()).toHaveClass(/ant-table-row-selected/);
  const first = ((await rows.first().locator("a").first().textContent()) ?? "").trim();
  await reviewer.keyboard.press("Enter");
  expect(await openOrderNo(reviewer)).toBe(first);
  await reviewer.getByRole("button", { name: "返回列表" }).click();

  // 领取下一单, then a decision by keyboard claims the next one: a approves (Enter confirms), r rejects.
  await reviewer.getByRole("button", { name: "领取下一单" }).click();
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    await expect(reviewer).toHaveURL(/claimed=1/);
    const no = await openOrderNo(reviewer);
    expect(seen.has(no), `order ${no} claimed twice`).toBe(false);
    seen.add(no);
    await expect(reviewer.getByRole("button", { name: "审核通过" }).first()).toBeVisible();
    if (i % 10 === 9) {
      await reviewer.keyboard.press("r");
      const dialog = reviewer.getByRole("dialog");
      await dialog.getByLabel("营业执照不清晰").check();
      await dialog.getByLabel("补充说明").fill("请上传清晰的营业执照扫描件");
      await dialog.getByRole("button", { name: "退回" }).click();
      await expect(reviewer.getByText("已退回，已短信通知经办人").first()).toBeVisible();
    } else {
      await reviewer.keyboard.press("a");
      await expect(reviewer.getByText("确认审核通过？")).toBeVisible();
      await reviewer.keyboard.press("Enter");
      await expect(reviewer.getByText("已审核通过，已短信通知经办人缴费").first()).toBeVisible();
    }
    await expect(reviewer.getByText(`订单 ${no}`)).toHaveCount(0);
  }
  // The queue is empty now: 领取下一单 says so and goes back to the list.
  await expect(reviewer.getByText("暂无待领取的订单，队列已清空")).toBeVisible();
  await expect(reviewer).toHaveURL(/\/admin\/review$/);

  const states = await Promise.all(mine.map((o) => api.get(`/api/v1/orders/${o.id}`)));
  expect(states.filter((o) => o.state === "awaiting_payment")).toHaveLength(27);
  const returned = states.filter((o) => o.state === "returned");
  expect(returned).toHaveLength(3);
  expect(returned[0].lastNote).toBe("营业执照不清晰；请上传清晰的营业执照扫描件");
});

test("two reviewers who click 领取下一单 at the same moment never get the same order", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await emptyReviewQueue(baseURL!);
  const { api } = await registerByApi(page);
  await submitNewOrders(api, OTHER, 3);
  const password = await createReviewer(baseURL!, "reviewer2", "第二审核员");
  const a = await staffPage(browser, "reviewer");
  const b = await reviewerPage(browser, "reviewer2", password);
  await Promise.all([a.goto("/admin/review"), b.goto("/admin/review")]);
  const claim = (p: Page) => p.getByRole("button", { name: "领取下一单" }).click();

  await Promise.all([claim(a), claim(b)]);
  const [na, nb] = await Promise.all([openOrderNo(a), openOrderNo(b)]);
  expect(na).not.toBe(nb);

  // Both approve at once; each decision claims the next order: the third goes to exactly one of them.
  const approve = async (p: Page) => {
    await p.keyboard.press("a");
    await expect(p.getByText("确认审核通过？")).toBeVisible();
    await p.keyboard.press("Enter");
  };
  await Promise.all([approve(a), approve(b)]);
  const after = await Promise.all(
    [a, b].map(async (p, i) => {
      const before = i === 0 ? na : nb;
      await expect(p.getByText(`订单 ${before}`)).toHaveCount(0);
      if (/claimed=1/.test(p.url())) return openOrderNo(p);
      await expect(p.getByText("暂无待领取的订单，队列已清空")).toBeVisible();
      return null;
    }),
  );
  const third = after.filter((x) => x !== null);
  expect(third).toHaveLength(1);
  expect([na, nb]).not.toContain(third[0]);
});
