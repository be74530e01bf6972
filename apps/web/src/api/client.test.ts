import { describe, expect, it } from "vitest";
import { ApiError, createApiClient, errorDetail, readCookie, toProblem } from "./client";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  credentials: RequestCredentials | undefined;
}

/** A fake server: records every call and answers from a list of handlers in order. */
function fakeFetch(answers: ((call: Call) => Response)[]) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body as string | undefined,
      credentials: init?.credentials,
    };
    calls.push(call);
    const answer = answers[calls.length - 1];
    if (!answer) throw new Error(`unexpected call ${call.method} ${call.url}`);
    return answer(call);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("readCookie", () => {
  it("finds a cookie among others and decodes it", () => {
    expect(readCookie("a=1; certhall_csrf=abc%3D%3D; b=2", "certhall_csrf")).toBe("abc==");
  });

  it("does not match a cookie whose name only ends the same", () => {
    expect(readCookie("xcerthall_csrf=nope", "certhall_csrf")).toBeUndefined();
  });
});

describe("toProblem", () => {
  it("keeps the Chinese detail, field and retry hint of a problem+json body", () => {
    const p = toProblem(429, {
      status: 429,
      code: "sms_too_soon",
      detail: "请 42 秒后再获取验证码",
      field: "phone",
      retryAfterSeconds: 42,
    });
    expect(p).toMatchObject({ status: 429, code: "sms_too_soon", field: "phone", retryAfterSeconds: 42 });
    expect(p.detail).toBe("请 42 秒后再获取验证码");
  });

  it("gives a Chinese sentence when the body is not a problem (a proxy's HTML 502)", () => {
    const p = toProblem(502, undefined);
    expect(p.code).toBe("http_502");
    expect(p.detail).toMatch(/服务器/);
  });

  it("reads the Retry-After header when the body has no retryAfterSeconds", () => {
    expect(toProblem(429, {}, "17").retryAfterSeconds).toBe(17);
  });

  it("never shows a framework's raw message on a 5xx, only the generic sentence", () => {
    const p = toProblem(500, {
      statusCode: 500,
      error: "Internal Server Error",
      message: "SQLITE_BUSY: database is locked",
    });
    expect(p.detail).toBe("服务器暂时无法处理请求，请稍后再试");
  });

  it("replaces a detail that carries a stack trace", () => {
    const p = toProblem(500, {
      detail: "TypeError: x is undefined\n    at handler (/srv/app/order.ts:12:7)",
    });
    expect(p.detail).not.toMatch(/order\.ts|at handler/);
    expect(p.detail).toMatch(/服务器/);
  });

  it("still shows a 4xx message when the body has no detail", () => {
    expect(toProblem(400, { message: "手机号格式不正确" }).detail).toBe("手机号格式不正确");
  });

  it("drops malformed entries of errors[] instead of crashing on them", () => {
    const p = toProblem(400, { errors: [{ field: "phone", message: "手机号错误" }, { field: 3 }, null] });
    expect(p.errors).toEqual([{ field: "phone", message: "手机号错误" }]);
  });
});

describe("createApiClient", () => {
  it("sends the CSRF cookie's value in x-csrf-token on a POST, same-origin", async () => {
    const { fetch, calls } = fakeFetch([() => json(200, { retryAfterSeconds: 60 })]);
    const client = createApiClient({ fetch, cookies: () => "certhall_csrf=tok123" });
    const res = await client.post<{ retryAfterSeconds: number }>("/auth/sms-codes", { phone: "13800138000" });
    expect(res.retryAfterSeconds).toBe(60);
    expect(calls[0]).toMatchObject({
      url: "/api/v1/auth/sms-codes",
      method: "POST",
      credentials: "same-origin",
    });
    expect(calls[0]!.headers["x-csrf-token"]).toBe("tok123");
    expect(JSON.parse(calls[0]!.body!)).toEqual({ phone: "13800138000" });
  });

  it("asks GET /csrf for a token first when the cookie is missing", async () => {
    const { fetch, calls } = fakeFetch([
      () => json(200, { token: "fresh" }),
      () => new Response(null, { status: 204 }),
    ]);
    const client = createApiClient({ fetch, cookies: () => "" });
    await expect(client.post("/auth/logout")).resolves.toBeUndefined();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "GET /api/v1/csrf",
      "POST /api/v1/auth/logout",
    ]);
    expect(calls[1]!.headers["x-csrf-token"]).toBe("fresh");
  });

  it("does not send a CSRF header on a GET", async () => {
    const { fetch, calls } = fakeFetch([() => json(200, { ok: true })]);
    const client = createApiClient({ fetch, cookies: () => "certhall_csrf=t" });
    await client.get("/windows", { query: { year: 2026, before: undefined } });
    expect(calls[0]!.url).toBe("/api/v1/windows?year=2026");
    expect(calls[0]!.headers["x-csrf-token"]).toBeUndefined();
  });

  it("throws an ApiError carrying the field the server blames", async () => {
    const { fetch } = fakeFetch([
      () =>
        json(
          400,
          { status: 400, code: "invalid_code", detail: "验证码错误或已过期", field: "code" },
          "application/problem+json",
        ),
    ]);
    const client = createApiClient({ fetch, cookies: () => "certhall_csrf=t" });
    const err = await client.post("/auth/register", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      code: "invalid_code",
      field: "code",
      detail: "验证码错误或已过期",
    });
  });

  it("refreshes the token and retries once when the server refuses the CSRF token", async () => {
    const { fetch, calls } = fakeFetch([
      () => json(403, { status: 403, code: "csrf_invalid", detail: "页面已过期，请刷新后重试" }),
      () => json(200, { token: "rotated" }),
      () => json(200, { account: { id: "1" } }),
    ]);
    const client = createApiClient({ fetch, cookies: () => "certhall_csrf=stale" });
    await expect(client.post("/auth/login", {})).resolves.toEqual({ account: { id: "1" } });
    expect(calls[2]!.headers["x-csrf-token"]).toBe("rotated");
  });

  it("does not retry a 403 that is about permissions", async () => {
    const { fetch, calls } = fakeFetch([
      () => json(403, { status: 403, code: "forbidden", detail: "无权限" }),
    ]);
    const client = createApiClient({ fetch, cookies: () => "certhall_csrf=t" });
    await expect(client.post("/admin/staff", {})).rejects.toMatchObject({ status: 403, code: "forbidden" });
    expect(calls).toHaveLength(1);
  });

  it("turns a network failure into a Chinese ApiError with status 0", async () => {
    const fetch = (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof globalThis.fetch;
    const client = createApiClient({ fetch, cookies: () => "" });
    await expect(client.get("/me")).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("turns an HTML page where JSON was due into a Chinese ApiError, not a SyntaxError", async () => {
    const { fetch } = fakeFetch([() => new Response("<!doctype html><html></html>", { status: 200 })]);
    const client = createApiClient({ fetch, cookies: () => "" });
    const err = await client.get("/me").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "bad_response" });
  });
});

describe("errorDetail", () => {
  it("shows the server's detail and a message our own code threw on purpose", () => {
    expect(errorDetail(new ApiError({ status: 409, code: "conflict", detail: "订单已变更" }))).toBe(
      "订单已变更",
    );
    expect(errorDetail(new Error("凭证不存在"))).toBe("凭证不存在");
  });

  it("hides engine errors and anything that is not an Error behind one sentence", () => {
    for (const err of [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new SyntaxError("Unexpected token '<'"),
      "boom",
      { stack: "at x (y.js:1:1)" },
    ]) {
      expect(errorDetail(err)).toBe("操作未能完成，请稍后重试");
    }
  });
});
