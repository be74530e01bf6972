// Set-up through the platform's own HTTP API for the walks of the businesses that act on a certificate
// already held: a walk of 变更 starts from an applicant who holds a certificate, and getting one through
// the browser is the 新证 walk's job (new-certificate.spec.ts). `page.request` shares the browser
// context's cookies, so the applicant registered here is logged in on the page too.
import { readFileSync } from "node:fs";
import { type APIRequestContext, type APIResponse, expect, type Page, request } from "@playwright/test";
import { freshPhone } from "./helpers";
import { APPLICANT_PASSWORD, HANDLER_ID, makeCsr } from "./new-certificate";

export const HANDLER = { name: "王经办", idNumber: HANDLER_ID, phone: "13700002222" };

/**
 * A JSON client over a Playwright request context: the CSRF double-submit token and problem+json. The
 * token is read from the context's cookie before each write, because the server binds it to the
 * session and rotates it at login and logout.
 */
export function jsonApi(ctx: APIRequestContext) {
  async function csrf(): Promise<string> {
    const cookie = (await ctx.storageState()).cookies.find((c) => c.name === "certhall_csrf");
    if (cookie) return cookie.value;
    const res = await ctx.get("/api/v1/csrf");
    return ((await res.json()) as { token: string }).token;
  }
  async function check(res: APIResponse, what: string) {
    const text = await res.text();
    const body = text ? JSON.parse(text) : null;
    if (!res.ok()) throw new Error(`${what} → ${res.status()} ${text.slice(0, 400)}`);
    return body;
  }
  return {
    get: async (url: string) => check(await ctx.get(url), `GET ${url}`),
    post: async (url: string, data: unknown = {}) =>
      check(await ctx.post(url, { data, headers: { "x-csrf-token": await csrf() } }), `POST ${url}`),
  };
}

async function smsCode(api: ReturnType<typeof jsonApi>, phone: string): Promise<string> {
  const { messages } = (await api.get("/api/v1/dev/sms-outbox")) as {
    messages: { phone: string; text: string }[];
  };
  const m = messages.filter((x) => x.phone === phone).map((x) => /验证码\D{0,4}(\d{6})/.exec(x.text)?.[1]);
  const code = m.find(Boolean);
  if (!code) throw new Error(`no code for ${phone}`);
  return code;
}

/** Registers a fresh applicant in the page's browser context (so the page is logged in). */
export async function registerByApi(page: Page): Promise<{ phone: string; api: ReturnType<typeof jsonApi> }> {
  const api = jsonApi(page.request);
  const phone = freshPhone();
  await api.post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
  await api.post("/api/v1/auth/register", {
    phone,
    code: await smsCode(api, phone),
    password: APPLICANT_PASSWORD,
  });
  return { phone, api };
}

export async function staffApi(baseURL: string, username: string) {
  const ctx = await request.newContext({ baseURL });
  const api = jsonApi(ctx);
  await api.post("/api/v1/admin/auth/login", { username, password: "Certhall@2026" });
  return { api, dispose: () => ctx.dispose() };
}

/** The applicant files and submits a 新证 of one enterprise-sign certificate for a new subject `company`. */
export async function submitNewOrders(
  api: ReturnType<typeof jsonApi>,
  company: { name: string; uscc: string; legalRep: string; address: string },
  count: number,
): Promise<{ id: string; orderNo: string; version: number; totalFen: number; remittanceCode: string }[]> {
  const subject = await api.post("/api/v1/subjects", { kind: "company", ...company });
  const catalog = (await api.get("/api/v1/catalog/ca-types?kind=company")) as {
    caTypes: { id: string; code: string }[];
  };
  const caTypeId = catalog.caTypes.find((c) => c.code === "enterprise-sign")!.id;
  const orders = [];
  for (let i = 0; i < count; i++) {
    orders.push(
      await api.post("/api/v1/orders", {
        business: "new",
        subjectKind: "company",
        handler: HANDLER,
        items: [{ subjectId: subject.subject.id, caTypeId, years: 1, eseal: false }],
        submit: true,
      }),
    );
  }
  return orders;
}

export interface HeldCertificate {
  serialHex: string;
  mediaSerial: string;
  keyFile: string;
  notAfter: string;
}

interface NewOrderOptions {
  api: ReturnType<typeof jsonApi>;
  company: { name: string; uscc: string; legalRep: string; address: string };
  caTypes?: string[];
}

/**
 * The applicant (`opts.api`, logged in on the walk's page) files a 新证 for `company` with the given CA
 * types, and staff take it through review, transfer booking and materials over the API: the order is
 * 办理中 at the window. Answers the order and the operator's API (dispose it).
 */
export async function newOrderAtWindow(baseURL: string, opts: NewOrderOptions) {
  const { api } = opts;
  const subject = await api.post("/api/v1/subjects", { kind: "company", ...opts.company });
  const catalog = (await api.get("/api/v1/catalog/ca-types?kind=company")) as {
    caTypes: { id: string; code: string }[];
  };
  const codes = opts.caTypes ?? ["enterprise-sign"];
  const items = codes.map((code) => ({
    subjectId: subject.subject.id,
    caTypeId: catalog.caTypes.find((c) => c.code === code)!.id,
    years: 1,
    eseal: false,
  }));
  let order = await api.post("/api/v1/orders", {
    business: "new",
    subjectKind: "company",
    handler: HANDLER,
    items,
    submit: true,
  });
  const reviewer = await staffApi(baseURL, "reviewer");
  const finance = await staffApi(baseURL, "finance");
  const operator = await staffApi(baseURL, "operator");
  try {
    const admin = (rest: string) => `/api/v1/admin/orders/${order.id}${rest}`;
    order = await reviewer.api.post(admin("/start-review"), { version: order.version });
    order = await reviewer.api.post(admin("/approve"), { version: order.version });
    await api.post(`/api/v1/orders/${order.id}/payments/transfer`, { version: order.version });
    order = await api.get(`/api/v1/orders/${order.id}`);
    const queue = await finance.api.get("/api/v1/admin/payments?status=awaiting_booking&limit=100");
    const payment = (queue.payments as { id: string; order: { id: string; version: number } }[]).find(
      (p) => p.order.id === order.id,
    );
    if (!payment) throw new Error(`no payment to book for ${order.orderNo}`);
    await finance.api.post(`/api/v1/admin/payments/${payment.id}/book`, { version: payment.order.version });
    order = await operator.api.get(admin(""));
    const materials = await operator.api.get(admin("/materials"));
    const ticked = await operator.api.post(admin("/materials"), {
      version: order.version,
      received: (materials.materials as { code: string }[]).map((m) => m.code),
    });
    order = await operator.api.post(admin("/receive"), { version: ticked.version });
    return { order, operator, admin };
  } catch (error) {
    await operator.dispose();
    throw error;
  } finally {
    await Promise.all([reviewer.dispose(), finance.dispose()]);
  }
}

/**
 * {@link newOrderAtWindow}, then the operator issues every item over the API and hands over. Answers
 * the certificates. With `onToken`, each key is on a USB key (证书助手 walks): its serial, its CSR and
 * the write-back of the certificate.
 */
export async function holdCertificates(
  baseURL: string,
  dir: string,
  opts: NewOrderOptions & {
    onToken?: (
      n: number,
    ) => Promise<{ mediaSerial: string; csrPem: string; write(pem: string): Promise<void> }>;
  },
): Promise<HeldCertificate[]> {
  let { order, operator, admin } = await newOrderAtWindow(baseURL, opts);
  try {
    const held: HeldCertificate[] = [];
    for (const [n, item] of (order.items as { id: string }[]).entries()) {
      const token = opts.onToken ? await opts.onToken(n) : undefined;
      const mediaSerial = token?.mediaSerial ?? `E2E${order.orderNo.slice(-8)}${n}`;
      await operator.api.post(admin(`/items/${item.id}/media`), { mediaSerial });
      const csr = makeCsr(dir, `held-${order.orderNo}-${n}`);
      const issued = await operator.api.post(admin(`/items/${item.id}/issue`), {
        csrPem: token?.csrPem ?? readFileSync(csr, "utf8"),
      });
      await token?.write(issued.certificate.certificatePem);
      held.push({
        serialHex: issued.certificate.serialHex,
        mediaSerial,
        keyFile: csr.replace(/\.csr$/, ".key"),
        notAfter: issued.certificate.notAfter,
      });
    }
    order = await operator.api.get(admin(""));
    await operator.api.post(admin("/complete"), { version: order.version, how: "handover" });
    return held;
  } finally {
    await operator.dispose();
  }
}

/** Waits until the order page shows the state label (the page polls or is reloaded). */
export async function expectOrderState(page: Page, label: string): Promise<void> {
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(label, { exact: true }).first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
}
