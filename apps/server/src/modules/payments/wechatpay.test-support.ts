import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../lib/clock";
import type { TestApp } from "../../test/harness";
import { notificationRequest } from "./payment.service";
import {
  encryptWechatResource,
  parseWechatAuthorization,
  requestSignMessage,
  rsaSha256Verify,
  signAsWechat,
} from "./wechatpay.crypto";
import { createWechatPayProvider } from "./wechatpay.provider";

/** Real RSA keys: ours (the merchant's) and "WeChat Pay's" platform key, and a 32-character APIv3 key. */
export function wechatKeys() {
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    merchant,
    platform,
    apiV3Key: "0123456789abcdefABCDEF0123456789",
    mchid: "1230000109",
    appid: "wxd678efh567hg6787",
    merchantSerial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    platformSerial: "PUB_KEY_ID_0112340000001234",
  };
}
export type WechatKeys = ReturnType<typeof wechatKeys>;

const pem = (k: KeyObject, kind: "private" | "public") =>
  String(
    kind === "private"
      ? k.export({ type: "pkcs8", format: "pem" })
      : k.export({ type: "spki", format: "pem" }),
  );

/** Our WeChat Pay provider, configured with the keys and pointed at `baseUrl`. */
export function wechatProviderFor(k: WechatKeys, baseUrl: string, clock: Clock) {
  return createWechatPayProvider({
    mchid: k.mchid,
    appid: k.appid,
    merchantSerial: k.merchantSerial,
    privateKey: pem(k.merchant.privateKey, "private"),
    apiV3Key: k.apiV3Key,
    platformPublicKey: pem(k.platform.publicKey, "public"),
    platformSerial: k.platformSerial,
    baseUrl,
    publicUrl: "http://localhost:3000",
    clock,
  });
}

export interface WechatCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization: Record<string, string> | null;
  signatureValid: boolean;
}

/**
 * A local stand-in for api.mch.weixin.qq.com: checks each request's Authorization (schema, mchid,
 * serial_no, and the SHA256withRSA signature over method, path, timestamp, nonce and body with the
 * merchant's public key), answers like WeChat Pay (401 SIGN_ERROR when it does not verify) and signs
 * every answer with the platform key.
 */
export async function startFakeWechatPay(
  k: WechatKeys,
  clock: Clock,
  answer?: (c: WechatCall) => { status: number; body?: object; badSign?: boolean } | undefined,
) {
  const calls: WechatCall[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const auth = parseWechatAuthorization(String(req.headers.authorization ?? ""));
      const signatureValid =
        !!auth &&
        auth.mchid === k.mchid &&
        auth.serial_no === k.merchantSerial &&
        rsaSha256Verify(
          requestSignMessage(
            req.method ?? "",
            req.url ?? "",
            auth.timestamp ?? "",
            auth.nonce_str ?? "",
            raw,
          ),
          auth.signature ?? "",
          k.merchant.publicKey,
        );
      const call: WechatCall = {
        method: req.method ?? "",
        path: req.url ?? "",
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
        authorization: auth,
        signatureValid,
      };
      calls.push(call);
      const a =
        (signatureValid ? answer?.(call) : undefined) ??
        (!signatureValid
          ? { status: 401, body: { code: "SIGN_ERROR", message: "签名错误" } }
          : call.path.endsWith("/close")
            ? { status: 204 }
            : call.path === "/v3/pay/transactions/h5"
              ? {
                  status: 200,
                  body: { h5_url: "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1" },
                }
              : { status: 200, body: { code_url: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz" } });
      const text = a.body ? JSON.stringify(a.body) : "";
      const h = signAsWechat(a.badSign ? `${text} ` : text, k.platform.privateKey, k.platformSerial, clock());
      res.writeHead(a.status, {
        ...(text ? { "content-type": "application/json" } : {}),
        "wechatpay-timestamp": h.timestamp,
        "wechatpay-nonce": h.nonce,
        "wechatpay-signature": h.signature,
        "wechatpay-serial": h.serial,
      });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A TRANSACTION.SUCCESS notification as WeChat Pay sends it: the four headers and the JSON body. */
export function wechatNotice(
  k: WechatKeys,
  tx: { out_trade_no: string; total: number; transaction_id?: string; mchid?: string; trade_state?: string },
  now: Date,
  opts: { apiV3Key?: string; signWith?: KeyObject } = {},
): Record<string, string> {
  const resource = encryptWechatResource(
    JSON.stringify({
      appid: k.appid,
      mchid: tx.mchid ?? k.mchid,
      out_trade_no: tx.out_trade_no,
      transaction_id: tx.transaction_id ?? "4200000000202612030000000001",
      trade_type: "NATIVE",
      trade_state: tx.trade_state ?? "SUCCESS",
      success_time: "2026-11-25T10:00:00+08:00",
      amount: { total: tx.total, payer_total: tx.total, currency: "CNY", payer_currency: "CNY" },
    }),
    opts.apiV3Key ?? k.apiV3Key,
  );
  const body = JSON.stringify({
    id: "EV-2018022511223320873",
    create_time: "2026-11-25T10:00:00+08:00",
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource,
  });
  return { ...signAsWechat(body, opts.signWith ?? k.platform.privateKey, k.platformSerial, now), body };
}

/** Delivers a WeChat-style notification as WeChat Pay's servers would: JSON, Wechatpay-* headers, no cookies. */
export async function deliverWechat(t: TestApp, n: Record<string, string>, provider = "wechatpay") {
  const { headers, body } = notificationRequest(n, "wechat");
  const res = await t.app.inject({
    method: "POST",
    url: `/api/v1/payments/notify/${provider}`,
    headers,
    payload: body,
  });
  return { status: res.statusCode, body: res.body };
}
