// Set-up of the back-office queue walks (review-queue.spec.ts, window-queues.spec.ts) through the API:
// a second reviewer account, and orders taken through review, transfer and booking.
import { request } from "@playwright/test";
import { type jsonApi, jsonApi as makeApi, staffApi } from "./api";

/**
 * A second reviewer: created by the admin with an initial password, which the reviewer changes from
 * a browser of his own (the admin's browser may not, separation of duties). Answers the password.
 */
export async function createReviewer(baseURL: string, username: string, name: string): Promise<string> {
  const initial = "Initial-Pass-2026";
  const own = "Reviewer-Queue-2026";
  const admin = await staffApi(baseURL, "admin");
  try {
    await admin.api.post("/api/v1/admin/staff", { username, name, role: "reviewer", password: initial });
  } finally {
    await admin.dispose();
  }
  const ctx = await request.newContext({ baseURL });
  try {
    const api = makeApi(ctx);
    await api.post("/api/v1/admin/auth/login", { username, password: initial });
    await api.post("/api/v1/admin/me/password", { currentPassword: initial, newPassword: own });
  } finally {
    await ctx.dispose();
  }
  return own;
}

/** Submitted orders approved by the reviewer, paid by bank transfer and booked by finance: awaiting materials. */
export async function awaitMaterials(
  baseURL: string,
  api: ReturnType<typeof jsonApi>,
  orders: { id: string; version: number }[],
): Promise<{ id: string; orderNo: string; version: number }[]> {
  const reviewer = await staffApi(baseURL, "reviewer");
  const finance = await staffApi(baseURL, "finance");
  const out = [];
  try {
    for (const o of orders) {
      const admin = (rest: string) => `/api/v1/admin/orders/${o.id}${rest}`;
      let order = await reviewer.api.post(admin("/start-review"), { version: o.version });
      order = await reviewer.api.post(admin("/approve"), { version: order.version });
      await api.post(`/api/v1/orders/${o.id}/payments/transfer`, { version: order.version });
      const queue = await finance.api.get("/api/v1/admin/payments?status=awaiting_booking&limit=100");
      const payment = (queue.payments as { id: string; order: { id: string; version: number } }[]).find(
        (p) => p.order.id === o.id,
      );
      if (!payment) throw new Error(`no payment to book for ${o.id}`);
      await finance.api.post(`/api/v1/admin/payments/${payment.id}/book`, { version: payment.order.version });
      out.push(await api.get(`/api/v1/orders/${o.id}`));
    }
  } finally {
    await Promise.all([reviewer.dispose(), finance.dispose()]);
  }
  return out;
}

/**
 * The queue walks count their own orders from the oldest: what earlier walks left waiting for review
 * (on the one server of the run) is claimed and returned by the reviewer first, through 领取下一单.
 */
export async function emptyReviewQueue(baseURL: string): Promise<void> {
  const reviewer = await staffApi(baseURL, "reviewer");
  try {
    for (let i = 0; i < 500; i++) {
      let o: { id: string; version: number };
      try {
        o = await reviewer.api.post("/api/v1/admin/queues/review/claim");
      } catch (err) {
        if (/→ 404/.test(String(err))) return;
        throw err;
      }
      await reviewer.api.post(`/api/v1/admin/orders/${o.id}/reject`, {
        version: o.version,
        note: "其他材料问题：队列测试前清空",
      });
    }
    throw new Error("the review queue did not empty in 500 claims");
  } finally {
    await reviewer.dispose();
  }
}
