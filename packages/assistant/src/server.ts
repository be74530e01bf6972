import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { listSlots, TokenError } from "@certhall/token";
import * as api from "./api";
import { type AssistantConfig, PORT_RANGE } from "./config";
import { AssistantError, checkHost, checkOrigin, corsHeaders, createPairings } from "./guard";
import { createPinGuard } from "./pin-guard";
import { VERSION } from "./version";

const MAX_BODY = 64 * 1024;

export interface AssistantLog {
  info(line: string): void;
  /** The pairing code goes to the console only: it is what the person types into the page. */
  pairing(origin: string, code: string): void;
}

export interface RunningAssistant {
  port: number;
  url: string;
  close(): Promise<void>;
}

// HTTP statuses of token failures: what went wrong for the person, not a server fault.
const TOKEN_STATUS: Partial<Record<string, number>> = {
  TOKEN_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  PIN_INCORRECT: 403,
  SO_PIN_INCORRECT: 403,
  PIN_LOCKED: 423,
  TOKEN_BUSY: 409,
  KEY_EXISTS: 409,
  CERT_KEY_MISMATCH: 409,
  UNLOCK_FAILED: 502,
  BAD_SUBJECT: 400,
  BAD_CODE: 400,
  PIN_LENGTH: 400,
  BAD_CERTIFICATE: 400,
  MODULE_LOAD_FAILED: 503,
};

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new AssistantError(413, "BAD_REQUEST", "请求过大"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      if (!raw) return resolve({});
      try {
        const body = JSON.parse(raw) as unknown;
        if (typeof body !== "object" || body === null || Array.isArray(body))
          throw new Error("not an object");
        resolve(body as Record<string, unknown>);
      } catch {
        reject(new AssistantError(400, "BAD_REQUEST", "请求须为 JSON 对象"));
      }
    });
    req.on("error", reject);
  });
}

function moduleStatus(modulePath: string | undefined) {
  if (!modulePath) return { path: null, loaded: false, error: "未找到 USB Key 驱动（PKCS#11 库）" };
  try {
    listSlots(modulePath);
    return { path: modulePath, loaded: true, error: null };
  } catch (error) {
    return { path: modulePath, loaded: false, error: (error as Error).message };
  }
}

/**
 * The assistant's HTTP listener on 127.0.0.1. Every request passes, in order: the Host check (a
 * loopback name and this port: no DNS rebinding), the Origin check (a configured portal, exactly),
 * and except for hello and pairing, the pairing token of that origin. Logs carry the method, path
 * and status only: no body ever reaches a log, so neither does a PIN or an unlock code.
 */
export async function startAssistant(config: AssistantConfig, log: AssistantLog): Promise<RunningAssistant> {
  const pairings = createPairings((origin, code) => log.pairing(origin, code));
  const pins = createPinGuard(config.stateDir, config.maxPinTries);
  let port = 0;

  async function route(req: IncomingMessage, origin: string): Promise<unknown> {
    const path = (req.url ?? "").split("?")[0];
    const method = req.method ?? "";
    if (method === "GET" && path === "/v1/hello") {
      let paired = true;
      try {
        pairings.check(req, origin);
      } catch {
        paired = false;
      }
      return {
        name: "certhall-assistant",
        version: VERSION,
        paired,
        module: moduleStatus(config.modulePath),
      };
    }
    if (method === "GET" && path === "/v1/readers") {
      pairings.check(req, origin);
      return api.readers({ modulePath: config.modulePath, pins, origin });
    }
    if (method !== "POST") throw new AssistantError(404, "NOT_FOUND", "没有这个接口");
    const body = await readBody(req);
    const ctx = { modulePath: config.modulePath, pins, origin };
    switch (path) {
      case "/v1/pair/start":
        return pairings.start(origin);
      case "/v1/pair/confirm":
        return pairings.confirm(origin, String(body.pairingId ?? ""), String(body.code ?? "").trim());
    }
    pairings.check(req, origin);
    switch (path) {
      case "/v1/certificates":
        return api.certificates(ctx, body);
      case "/v1/csr":
        return api.csr(ctx, body);
      case "/v1/certificate":
        return api.writeCertificateTo(ctx, body);
      case "/v1/pin/change":
        return api.changePin(ctx, body);
      case "/v1/pin/unlock":
        return api.unlock(ctx, body);
    }
    throw new AssistantError(404, "NOT_FOUND", "没有这个接口");
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let status = 200;
    let headers: Record<string, string> = {};
    let payload: unknown;
    try {
      checkHost(req, port);
      const origin = checkOrigin(req, config.origins);
      const preflight = req.method === "OPTIONS";
      headers = corsHeaders(origin, preflight);
      if (preflight) {
        status = 204;
      } else {
        payload = await route(req, origin);
      }
    } catch (error) {
      if (error instanceof AssistantError) {
        status = error.status;
        payload = { code: error.code, message: error.message };
      } else if (error instanceof TokenError) {
        status = TOKEN_STATUS[error.code] ?? 422;
        payload = { code: error.code, message: error.message };
      } else {
        status = 500;
        payload = { code: "INTERNAL", message: "证书助手内部错误" };
        log.info(`internal error: ${(error as Error).name}`);
      }
    }
    log.info(`${req.method} ${(req.url ?? "").split("?")[0]} ${status}`);
    res.writeHead(status, {
      ...headers,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...(payload === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    });
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
  }

  const server = createServer((req, res) => void handle(req, res));
  port = await listen(server, config.port);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The configured port, else the next free one in the fallback range (0 = any free port). */
async function listen(server: Server, first: number): Promise<number> {
  const last = first === 0 ? 0 : first + PORT_RANGE - 1;
  for (let port = first; port <= last; port++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
  throw new AssistantError(500, "PORT_BUSY", `端口 ${first}–${last} 均被占用，证书助手无法启动`);
}
