// 诺诺开放平台 (Nuonuo open platform) e-invoicing. Every call is a POST to the services URL with
//   query:   senid (32-character unique id), nonce (8-digit random), timestamp (Unix seconds), appkey
//   headers: Content-Type: application/json, X-Nuonuo-Sign, accessToken, userTax (the seller's 税号), method
//   body:    the business JSON, sent byte for byte as signed
// X-Nuonuo-Sign = base64(HMAC-SHA1(appSecret, "a=services&l=v1&p=open&k={appKey}&i={senid}&n={nonce}
// &t={timestamp}&f={body}")), where a, l and p are the last three segments of the URL path
// (/open/v1/services). Answers are {code, describe, result}; code E0000 is success.
// Issuing (nuonuo.OpeMplatform.requestBillingNew) answers an invoiceSerialNum; the invoice is made
// asynchronously and read with nuonuo.OpeMplatform.queryInvoiceResult (status 2 = issued, with pdfUrl;
// 22/24 = failed). A red invoice (红冲) is requestBillingNew with invoiceType 2, the blue invoice's code
// and number, and negative amounts.
import { createHmac, randomBytes, randomInt } from "node:crypto";
import type { Config } from "../../config";
import { type InvoiceOutcome, type InvoiceProvider, type InvoiceToIssue, yuanText } from "./invoice.provider";

export interface NuonuoOptions {
  appKey: string;
  appSecret: string;
  accessToken: string;
  url: string;
  seller: Config["invoice"]["seller"];
  goods: Config["invoice"]["goods"];
  clerk: string;
}

/** The string Nuonuo signs: a/l/p from the URL path, then key, senid, nonce, timestamp and the body. */
export function nuonuoSignContent(
  urlPath: string,
  p: { appKey: string; senid: string; nonce: string; timestamp: string; body: string },
): string {
  const seg = urlPath.split("/").filter(Boolean);
  const [pp, ll, aa] = seg.slice(-3);
  return `a=${aa}&l=${ll}&p=${pp}&k=${p.appKey}&i=${p.senid}&n=${p.nonce}&t=${p.timestamp}&f=${p.body}`;
}

export function nuonuoSign(appSecret: string, content: string): string {
  return createHmac("sha1", appSecret).update(content, "utf8").digest("base64");
}

/** Nuonuo writes times as "yyyy-MM-dd HH:mm:ss" in Beijing time. */
const nuonuoTime = (d: Date) =>
  `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ")}`;

export function createNuonuoProvider(
  opts: NuonuoOptions,
  clock: () => Date = () => new Date(),
): InvoiceProvider {
  const urlPath = new URL(opts.url).pathname;

  async function call(
    method: string,
    payload: object,
  ): Promise<{ code: string; describe: string; result: unknown }> {
    const body = JSON.stringify(payload);
    const senid = randomBytes(16).toString("hex");
    const nonce = String(randomInt(10_000_000, 100_000_000));
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    const sign = nuonuoSign(
      opts.appSecret,
      nuonuoSignContent(urlPath, { appKey: opts.appKey, senid, nonce, timestamp, body }),
    );
    const q = new URLSearchParams({ senid, nonce, timestamp, appkey: opts.appKey });
    const res = await fetch(`${opts.url}?${q}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-nuonuo-sign": sign,
        accesstoken: opts.accessToken,
        usertax: opts.seller.taxNo,
        method,
      },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`nuonuo ${method} answered HTTP ${res.status}`);
    return JSON.parse(text) as { code: string; describe: string; result: unknown };
  }

  function billingOrder(inv: InvoiceToIssue) {
    const red = inv.color === "red";
    const amount = yuanText(inv.amountFen, red);
    return {
      order: {
        buyerName: inv.buyer.title,
        ...(inv.buyer.taxNo ? { buyerTaxNum: inv.buyer.taxNo } : {}),
        email: inv.buyer.email,
        pushMode: "1", // 1 = email: Nuonuo mails the invoice too; ours goes from our outbox as well
        salerTaxNum: opts.seller.taxNo,
        salerTel: opts.seller.phone,
        salerAddress: opts.seller.address,
        orderNo: inv.providerOrderNo,
        invoiceDate: nuonuoTime(inv.issuedAt),
        clerk: opts.clerk,
        invoiceType: red ? "2" : "1",
        // p = 电子普通发票, s = 电子专用发票 (税控); 全电 accounts map them on Nuonuo's side.
        invoiceLine: inv.kind === "special" ? "s" : "p",
        ...(red && inv.original
          ? { invoiceCode: inv.original.invoiceCode ?? "", invoiceNum: inv.original.invoiceNo }
          : {}),
        remark: `订单 ${inv.orderNo}${red ? " 退款红冲" : ""}`,
        invoiceDetail: [
          {
            goodsName: opts.goods.name,
            goodsCode: opts.goods.code,
            num: red ? "-1" : "1",
            price: yuanText(inv.amountFen),
            withTaxFlag: "1",
            taxRate: opts.goods.taxRate,
            taxIncludedAmount: amount,
            invoiceLineProperty: "0",
          },
        ],
      },
    };
  }

  return {
    name: "nuonuo",
    async issue(inv): Promise<InvoiceOutcome> {
      const a = await call("nuonuo.OpeMplatform.requestBillingNew", billingOrder(inv));
      const serial = (a.result as { invoiceSerialNum?: string } | null)?.invoiceSerialNum;
      if (a.code === "E0000" && serial) return { state: "submitted", serial };
      return { state: "failed", reason: `${a.code} ${a.describe}`.slice(0, 300) };
    },
    async query(serial): Promise<InvoiceOutcome> {
      const a = await call("nuonuo.OpeMplatform.queryInvoiceResult", {
        serialNos: [serial],
        isOfferInvoiceDetail: "0",
      });
      if (a.code !== "E0000") throw new Error(`nuonuo queryInvoiceResult answered ${a.code} ${a.describe}`);
      const r = (a.result as Array<Record<string, string>> | null)?.[0];
      if (!r) return { state: "submitted", serial };
      if (r.status === "2" && r.pdfUrl && r.invoiceNo) {
        const pdf = await fetch(r.pdfUrl, { signal: AbortSignal.timeout(20_000) });
        const bytes = Buffer.from(await pdf.arrayBuffer());
        if (!pdf.ok || bytes.subarray(0, 5).toString("latin1") !== "%PDF-") {
          throw new Error(`the invoice PDF at Nuonuo could not be read (HTTP ${pdf.status})`);
        }
        return { state: "issued", invoiceCode: r.invoiceCode || null, invoiceNo: r.invoiceNo, pdf: bytes };
      }
      if (r.status === "22" || r.status === "24") {
        return { state: "failed", reason: `${r.status} ${r.failCause ?? r.statusMsg ?? ""}`.slice(0, 300) };
      }
      return { state: "submitted", serial };
    },
  };
}
