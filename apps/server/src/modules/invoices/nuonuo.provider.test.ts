import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InvoiceToIssue } from "./invoice.provider";
import { createNuonuoProvider, nuonuoSign, nuonuoSignContent } from "./nuonuo.provider";

const KEY = { appKey: "SD63236305", appSecret: "SDDED2523BED4643", accessToken: "4f2b1c0e9a8d7" };
const SELLER_TAX = "339902999999789113";

interface Seen {
  method: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  signatureValid: boolean;
}

/**
 * A local stand-in for 诺诺开放平台: recomputes X-Nuonuo-Sign from the query, the path and the raw body
 * with the app secret (answering 070301 on a mismatch), issues asynchronously (status 20, then 2 with a
 * pdfUrl on the next query) and serves the PDF.
 */
let server: ReturnType<typeof createServer>;
let base = "";
const seen: Seen[] = [];
let failNext: string | null = null;
beforeAll(async () => {
  const queried = new Map<string, number>();
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://nuonuo");
      if (url.pathname.startsWith("/pdf/")) {
        res.writeHead(200, { "content-type": "application/pdf" });
        res.end("%PDF-1.7\n% fake invoice\n");
        return;
      }
      const q = Object.fromEntries(url.searchParams);
      const expected = nuonuoSign(
        KEY.appSecret,
        nuonuoSignContent(url.pathname, {
          appKey: q.appkey ?? "",
          senid: q.senid ?? "",
          nonce: q.nonce ?? "",
          timestamp: q.timestamp ?? "",
          body: raw,
        }),
      );
      const s: Seen = {
        method: String(req.headers.method),
        query: q,
        headers: req.headers,
        body: JSON.parse(raw || "{}"),
        signatureValid: req.headers["x-nuonuo-sign"] === expected,
      };
      seen.push(s);
      const send = (o: object) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(o));
      };
      if (!s.signatureValid || req.headers.accesstoken !== KEY.accessToken)
        return send({ code: "070301", describe: "签名验证失败", result: null });
      if (failNext) {
        const code = failNext;
        failNext = null;
        return send({ code, describe: "购方税号不正确", result: null });
      }
      if (s.method === "nuonuo.OpeMplatform.requestBillingNew") {
        const order = s.body.order as { orderNo: string };
        return send({
          code: "E0000",
          describe: "开票提交成功",
          result: { invoiceSerialNum: `SN${order.orderNo}` },
        });
      }
      const serial = (s.body.serialNos as string[])[0]!;
      const n = (queried.get(serial) ?? 0) + 1;
      queried.set(serial, n);
      return send({
        code: "E0000",
        describe: "获取成功",
        result: [
          n === 1
            ? { serialNo: serial, status: "20", statusMsg: "开票中" }
            : {
                serialNo: serial,
                status: "2",
                invoiceCode: "035002000111",
                invoiceNo: "12345678",
                pdfUrl: `${base}/pdf/${serial}.pdf`,
              },
        ],
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const provider = (secret = KEY.appSecret) =>
  createNuonuoProvider(
    {
      ...KEY,
      appSecret: secret,
      url: `${base}/open/v1/services`,
      seller: { name: "某某数字认证有限公司", taxNo: SELLER_TAX, address: "福州市", phone: "0591-00000000" },
      goods: { name: "数字证书服务费", code: "3040201990000000000", taxRate: "0.06" },
      clerk: "财务",
    },
    () => new Date("2026-11-25T02:00:00Z"),
  );

const blue: InvoiceToIssue = {
  id: "inv1",
  providerOrderNo: "CH20261125100000B",
  orderNo: "CH20261125100000",
  color: "blue",
  buyer: {
    type: "company",
    title: "福建某某科技有限公司",
    taxNo: "91350100M000100Y43",
    email: "f@example.com",
  },
  kind: "normal",
  amountFen: 58000,
  issuedAt: new Date("2026-11-25T02:00:00Z"),
};

describe("the Nuonuo adapter", () => {
  it("signs as the platform documents: HMAC-SHA1 over a=services&l=v1&p=open&k&i&n&t&f, base64", () => {
    const content = nuonuoSignContent("/open/v1/services", {
      appKey: "K",
      senid: "S",
      nonce: "12345678",
      timestamp: "1700000000",
      body: '{"a":1}',
    });
    expect(content).toBe('a=services&l=v1&p=open&k=K&i=S&n=12345678&t=1700000000&f={"a":1}');
    // Recomputed independently of nuonuoSign: HMAC-SHA1 of that text with "secret", computed with Python's hmac.
    expect(nuonuoSign("secret", content)).toBe("kXHnCoeBFNs2QEkBZmJaHyCVFx8=");
  });

  it("submits a blue invoice, polls until issued and fetches its PDF", async () => {
    const p = provider();
    const submitted = await p.issue(blue);
    expect(submitted).toEqual({ state: "submitted", serial: "SNCH20261125100000B" });
    const call = seen.at(-1)!;
    expect(call.signatureValid).toBe(true);
    expect(call.headers.usertax).toBe(SELLER_TAX);
    expect(call.query.nonce).toMatch(/^\d{8}$/);
    expect(call.query.senid).toMatch(/^[0-9a-f]{32}$/);
    expect(call.query.timestamp).toBe("1795572000");
    expect(call.body.order).toMatchObject({
      buyerName: "福建某某科技有限公司",
      buyerTaxNum: "91350100M000100Y43",
      salerTaxNum: SELLER_TAX,
      invoiceType: "1",
      invoiceDate: "2026-11-25 10:00:00",
      invoiceDetail: [expect.objectContaining({ taxIncludedAmount: "580.00", taxRate: "0.06", num: "1" })],
    });
    expect(await p.query("SNCH20261125100000B", blue)).toEqual({
      state: "submitted",
      serial: "SNCH20261125100000B",
    });
    const done = await p.query("SNCH20261125100000B", blue);
    expect(done).toMatchObject({ state: "issued", invoiceCode: "035002000111", invoiceNo: "12345678" });
    expect((done as { pdf: Buffer }).pdf.subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("asks for the red invoice with the blue one's code and number and negative amounts", async () => {
    await provider().issue({
      ...blue,
      id: "inv2",
      color: "red",
      providerOrderNo: "CH20261125100000R",
      original: { invoiceCode: "035002000111", invoiceNo: "12345678", issuedAt: null },
    });
    expect(seen.at(-1)!.body.order).toMatchObject({
      invoiceType: "2",
      invoiceCode: "035002000111",
      invoiceNum: "12345678",
      invoiceDetail: [expect.objectContaining({ taxIncludedAmount: "-580.00", num: "-1" })],
    });
  });

  it("reports the platform's refusal, and a wrong secret's signature is refused", async () => {
    failNext = "E9106";
    expect(await provider().issue(blue)).toEqual({ state: "failed", reason: "E9106 购方税号不正确" });
    expect(await provider("wrong").issue(blue)).toEqual({ state: "failed", reason: "070301 签名验证失败" });
    expect(seen.at(-1)!.signatureValid).toBe(false);
  });
});
