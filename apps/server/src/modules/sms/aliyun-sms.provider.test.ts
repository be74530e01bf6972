import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AliyunSmsError,
  type AliyunSmsOptions,
  createAliyunSmsProvider,
  isRetryableAliyunCode,
  percentEncode,
  signRpcRequest,
} from "./aliyun-sms.provider";
import type { SmsMessage } from "./sms.provider";

// ---------------------------------------------------------------------------------------------
// A fake dysmsapi endpoint. It checks requests the way Aliyun documents it ("签名机制"), with its own
// encoder written byte by byte from RFC 3986, so it shares no code with the provider under test.
// ---------------------------------------------------------------------------------------------

const ACCESS_KEY_ID = "LTAItestkey";
const ACCESS_KEY_SECRET = "s3cret/with+odd=chars";

function rfc3986(value: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function expectedSignature(params: Map<string, string>, secret: string): string {
  const canonical = [...params.keys()]
    .filter((k) => k !== "Signature")
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params.get(k)!)}`)
    .join("&");
  const stringToSign = `GET&${rfc3986("/")}&${rfc3986(canonical)}`;
  return createHmac("sha1", `${secret}&`).update(stringToSign).digest("base64");
}

interface Received {
  params: Map<string, string>;
}
type Reply = { status: number; body: string } | "hang";

const received: Received[] = [];
const seenNonces = new Set<string>();
let nextReply: Reply;
let server: Server;
let endpoint: string;

function json(status: number, body: object): Reply {
  return { status, body: JSON.stringify(body) };
}

type Rejection = [status: number, code: string, message: string];

/** Aliyun's checks of a request, in its order; null when the request is genuine. */
function verify(req: IncomingMessage, url: URL, params: Map<string, string>): Rejection | null {
  if (req.method !== "GET" || url.pathname !== "/") return [404, "InvalidAction.NotFound", "bad path"];
  const fixed = {
    Action: "SendSms",
    Version: "2017-05-25",
    Format: "JSON",
    RegionId: "cn-hangzhou",
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
  };
  for (const [k, v] of Object.entries(fixed)) {
    if (params.get(k) !== v) return [400, "MissingParameter", `${k} should be ${v}`];
  }
  if (params.get("AccessKeyId") !== ACCESS_KEY_ID) return [404, "InvalidAccessKeyId.NotFound", "unknown key"];
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.get("Timestamp") ?? "")) {
    return [400, "InvalidTimeStamp.Format", "Timestamp is not ISO 8601 UTC"];
  }
  const nonce = params.get("SignatureNonce") ?? "";
  if (!nonce) return [400, "MissingSignatureNonce", "no nonce"];
  if (seenNonces.has(nonce)) return [400, "SignatureNonceUsed", "nonce reused"];
  seenNonces.add(nonce);
  if (params.get("Signature") !== expectedSignature(params, ACCESS_KEY_SECRET)) {
    return [400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."];
  }
  return null;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url!, "http://fake");
  const params = new Map<string, string>();
  for (const pair of url.search.slice(1).split("&")) {
    const [k, v = ""] = pair.split("=");
    params.set(decodeURIComponent(k!), decodeURIComponent(v));
  }
  received.push({ params });
  const rejection = verify(req, url, params);
  if (rejection) {
    const [status, code, message] = rejection;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        RequestId: "FAKE-REQ",
        HostId: "dysmsapi.aliyuncs.com",
        Code: code,
        Message: message,
      }),
    );
  } else if (nextReply !== "hang") {
    res.writeHead(nextReply.status, { "content-type": "application/json" });
    res.end(nextReply.body);
  } // "hang": never answer, to exercise the client's timeout
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  nextReply = json(200, { Code: "OK", Message: "OK", RequestId: "REQ-1", BizId: "900619746936498440^0" });
});

function provider(overrides: Partial<AliyunSmsOptions> = {}) {
  return createAliyunSmsProvider({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    signName: "首众CA",
    endpoint,
    templates: { order_approved: "SMS_100000001", login_code: "SMS_100000002", plain: "SMS_100000003" },
    ...overrides,
  });
}

const message: SmsMessage = {
  id: "01JTESTOUTBOXID",
  phone: "13800138000",
  template: "order_approved",
  params: { orderNo: "XS20250930001", company: "福建某某(测试)有限公司" },
  text: "【首众CA】您的订单 XS20250930001 已审核通过，请及时缴费。",
};

async function sendError(p: ReturnType<typeof provider>, msg: SmsMessage = message): Promise<AliyunSmsError> {
  const err = await p.send(msg).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AliyunSmsError);
  return err as AliyunSmsError;
}

describe("createAliyunSmsProvider", () => {
  it("sends a correctly signed SendSms request and returns the BizId", async () => {
    const urls: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const result = await provider({ fetch: countingFetch }).send(message);
    expect(result).toEqual({ providerMessageId: "900619746936498440^0" });
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(new RegExp(`^${endpoint}/\\?Signature=`));
    const p = received[0]!.params;
    expect(p.get("PhoneNumbers")).toBe("13800138000");
    expect(p.get("SignName")).toBe("首众CA");
    expect(p.get("TemplateCode")).toBe("SMS_100000001");
    expect(JSON.parse(p.get("TemplateParam")!)).toEqual(message.params);
    expect(p.get("OutId")).toBe("01JTESTOUTBOXID");
  });

  it("signs values containing ! ' ( ) * ~, spaces and Chinese the way Aliyun encodes them", async () => {
    const result = await provider().send({
      ...message,
      params: { company: "A*B (厦门) ~x! it's", note: "100% + 50 = ?&#" },
    });
    expect(result.providerMessageId).toBe("900619746936498440^0");
    expect(JSON.parse(received[0]!.params.get("TemplateParam")!).company).toBe("A*B (厦门) ~x! it's");
  });

  it("uses a fresh nonce for each request and the injected UTC time without milliseconds", async () => {
    const p = provider({ now: () => new Date("2025-09-30T16:30:05.123Z") });
    await p.send(message);
    await p.send(message);
    const [a, b] = received.map((r) => r.params);
    expect(a!.get("Timestamp")).toBe("2025-09-30T16:30:05Z");
    expect(a!.get("SignatureNonce")).not.toBe(b!.get("SignatureNonce"));
  });

  it("leaves out TemplateParam for a template without variables and OutId without an outbox id", async () => {
    await provider().send({ phone: "13800138000", template: "plain", params: {}, text: "【首众CA】通知" });
    expect(received[0]!.params.has("TemplateParam")).toBe(false);
    expect(received[0]!.params.has("OutId")).toBe(false);
  });

  it("is refused by the endpoint when signed with the wrong secret", async () => {
    const err = await sendError(provider({ accessKeySecret: "wrong" }));
    expect(err.code).toBe("SignatureDoesNotMatch");
    expect(err.httpStatus).toBe(400);
    expect(err.retryable).toBe(false);
  });

  it("throws a non-retryable error carrying Aliyun's code and message for an invalid number", async () => {
    nextReply = json(200, { Code: "isv.MOBILE_NUMBER_ILLEGAL", Message: "非法手机号", RequestId: "REQ-2" });
    const err = await sendError(provider());
    expect(err).toMatchObject({
      code: "isv.MOBILE_NUMBER_ILLEGAL",
      aliyunMessage: "非法手机号",
      requestId: "REQ-2",
      retryable: false,
    });
    expect(err.message).toBe("阿里云短信发送失败 [isv.MOBILE_NUMBER_ILLEGAL] 非法手机号");
  });

  it("throws a retryable error when Aliyun's flow control kicks in", async () => {
    nextReply = json(200, {
      Code: "isv.BUSINESS_LIMIT_CONTROL",
      Message: "触发分钟级流控Permits:1",
      RequestId: "R",
    });
    const err = await sendError(provider());
    expect(err.code).toBe("isv.BUSINESS_LIMIT_CONTROL");
    expect(err.retryable).toBe(true);
  });

  it("treats a gateway error page as retryable and a 4xx page as final", async () => {
    nextReply = { status: 502, body: "<html>Bad Gateway</html>" };
    const bad = await sendError(provider());
    expect(bad).toMatchObject({ code: "HTTP_502", retryable: true, httpStatus: 502 });
    nextReply = { status: 403, body: "forbidden" };
    expect(await sendError(provider())).toMatchObject({ code: "HTTP_403", retryable: false });
  });

  it("does not retry an OK without a BizId, since the message may already be on its way", async () => {
    nextReply = json(200, { Code: "OK", Message: "OK", RequestId: "R" });
    expect(await sendError(provider())).toMatchObject({ code: "BAD_RESPONSE", retryable: false });
  });

  it("reports an unreachable endpoint as a retryable network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await sendError(provider({ endpoint: `http://127.0.0.1:${port}` }));
    expect(err).toMatchObject({ code: "NETWORK_ERROR", retryable: true });
  });

  it("gives up after the timeout and says the attempt can be retried", async () => {
    nextReply = "hang";
    const err = await sendError(provider({ timeoutMs: 200 }));
    expect(err).toMatchObject({ code: "TIMEOUT", retryable: true });
    server.closeAllConnections();
  });

  it("refuses a template with no Aliyun TemplateCode without calling Aliyun", async () => {
    const err = await sendError(provider(), { ...message, template: "unknown_template" });
    expect(err).toMatchObject({ code: "TEMPLATE_NOT_CONFIGURED", retryable: false });
    expect(received).toHaveLength(0);
  });

  it("refuses to start without credentials or a signature name", () => {
    expect(() => provider({ accessKeySecret: "" })).toThrow(/accessKeySecret/);
    expect(() => provider({ signName: "" })).toThrow(/signName/);
  });
});

describe("signRpcRequest", () => {
  it("reproduces the SendSms example of Aliyun's SMS signature document", () => {
    // help.aliyun.com "HTTP协议及签名" (document 56189 / 101343): testId / testSecret.
    const signed = signRpcRequest(
      "GET",
      {
        AccessKeyId: "testId",
        Action: "SendSms",
        Format: "XML",
        OutId: "123",
        PhoneNumbers: "15300000001",
        RegionId: "cn-hangzhou",
        SignName: "阿里云短信测试专用",
        SignatureMethod: "HMAC-SHA1",
        SignatureNonce: "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        SignatureVersion: "1.0",
        TemplateCode: "SMS_71390007",
        TemplateParam: '{"customer":"test"}',
        Timestamp: "2017-07-12T02:42:19Z",
        Version: "2017-05-25",
      },
      "testSecret",
    );
    expect(signed.stringToSign).toBe(
      "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001" +
        "%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF" +
        "%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1" +
        "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0" +
        "%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D" +
        "%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25",
    );
    expect(signed.signature).toBe("zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    expect(signed.query.startsWith("Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&")).toBe(
      true,
    );
  });

  it("reproduces the DescribeRegions example of Aliyun's RPC signature document", () => {
    const signed = signRpcRequest(
      "GET",
      {
        AccessKeyId: "testid",
        Action: "DescribeRegions",
        Format: "XML",
        SignatureMethod: "HMAC-SHA1",
        SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        SignatureVersion: "1.0",
        Timestamp: "2016-02-23T12:46:24Z",
        Version: "2014-05-26",
      },
      "testsecret",
    );
    expect(signed.signature).toBe("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  });

  it("ignores a Signature parameter already present", () => {
    const params = { Action: "SendSms", Version: "2017-05-25" };
    expect(signRpcRequest("GET", { ...params, Signature: "x" }, "k").signature).toBe(
      signRpcRequest("GET", params, "k").signature,
    );
  });
});

describe("percentEncode", () => {
  it("follows POP rules: space as %20, * as %2A, ~ unencoded, UTF-8 for Chinese", () => {
    expect(percentEncode("a b")).toBe("a%20b");
    expect(percentEncode("*")).toBe("%2A");
    expect(percentEncode("~-_.")).toBe("~-_.");
    expect(percentEncode("/=&+")).toBe("%2F%3D%26%2B");
    expect(percentEncode("!'()")).toBe("%21%27%28%29");
    expect(percentEncode("派")).toBe("%E6%B4%BE");
  });

  it("agrees with a byte-wise RFC 3986 encoder on every printable ASCII character", () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      expect(percentEncode(ch)).toBe(rfc3986(ch));
    }
  });
});

describe("isRetryableAliyunCode", () => {
  it("retries flow control and Aliyun faults but not problems a person must fix", () => {
    for (const code of [
      "isv.BUSINESS_LIMIT_CONTROL",
      "Throttling.User",
      "isp.SYSTEM_ERROR",
      "ServiceUnavailable",
    ]) {
      expect(isRetryableAliyunCode(code)).toBe(true);
    }
    for (const code of [
      "isv.MOBILE_NUMBER_ILLEGAL",
      "isv.SMS_TEMPLATE_ILLEGAL",
      "isv.DAY_LIMIT_CONTROL",
      "isv.OUT_OF_SERVICE",
      "SignatureDoesNotMatch",
    ]) {
      expect(isRetryableAliyunCode(code)).toBe(false);
    }
  });
});
