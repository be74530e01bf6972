import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** A refusal with a stable code for programs and a Chinese message for the person. */
export class AssistantError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/**
 * The Host header must name this very listener on a loopback name. A page on evil.example whose DNS
 * name was rebound to 127.0.0.1 sends `Host: evil.example:port`, and is refused here.
 */
export function checkHost(req: IncomingMessage, port: number): void {
  const host = (req.headers.host ?? "").toLowerCase();
  if (!LOOPBACK_HOSTS.some((name) => host === `${name}:${port}`)) {
    throw new AssistantError(421, "BAD_HOST", "请求的主机名不是本机证书助手，已拒绝");
  }
}

/**
 * The Origin header must be one of the configured portal origins, exactly. Browsers always send it
 * on cross-origin requests and pages cannot forge it; a request without one is not from a portal page.
 */
export function checkOrigin(req: IncomingMessage, origins: readonly string[]): string {
  const origin = req.headers.origin;
  if (typeof origin !== "string" || !origins.includes(origin)) {
    throw new AssistantError(403, "BAD_ORIGIN", "该网页不是证书助手允许的门户，已拒绝");
  }
  return origin;
}

/** Exact CORS for an allowed origin; preflights also get the methods, headers and Private Network Access. */
export function corsHeaders(origin: string, preflight: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "access-control-allow-origin": origin,
    vary: "Origin",
  };
  if (preflight) {
    headers["access-control-allow-methods"] = "GET, POST";
    headers["access-control-allow-headers"] = "content-type, authorization";
    headers["access-control-max-age"] = "600";
    // Chrome's Private Network Access: a public page may reach 127.0.0.1 only when the server agrees.
    headers["access-control-allow-private-network"] = "true";
  }
  return headers;
}

const CODE_TTL_MS = 2 * 60_000;
const CODE_TRIES = 3;
const OPEN_PAIRINGS_PER_ORIGIN = 3;
const TOKEN_TTL_MS = 12 * 3600_000;

interface PendingPairing {
  origin: string;
  code: string;
  expires: number;
  tries: number;
}

interface Pairing {
  origin: string;
  expires: number;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/**
 * Pairing: a page asks to pair, the assistant shows a 6-digit code on its own console only, the
 * person types it into the page, and the page gets a random token bound to its origin, valid while
 * the assistant runs (at most 12 hours). Another program on the machine can ask to pair as well, but
 * never sees the code, and a token of one origin is refused from another.
 */
export function createPairings(announce: (origin: string, code: string) => void, now = () => Date.now()) {
  const pending = new Map<string, PendingPairing>();
  const paired = new Map<string, Pairing>();

  function sweep() {
    const t = now();
    for (const [id, p] of pending) if (p.expires <= t) pending.delete(id);
    for (const [hash, p] of paired) if (p.expires <= t) paired.delete(hash);
  }

  return {
    start(origin: string): { pairingId: string; expiresInSeconds: number } {
      sweep();
      const open = [...pending.values()].filter((p) => p.origin === origin).length;
      if (open >= OPEN_PAIRINGS_PER_ORIGIN) {
        throw new AssistantError(429, "PAIRING_BUSY", "配对请求过多，请使用已显示的配对码或两分钟后再试");
      }
      const pairingId = randomBytes(16).toString("hex");
      const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      pending.set(pairingId, { origin, code, expires: now() + CODE_TTL_MS, tries: 0 });
      announce(origin, code);
      return { pairingId, expiresInSeconds: CODE_TTL_MS / 1000 };
    },

    confirm(origin: string, pairingId: string, code: string): { token: string } {
      sweep();
      const p = pending.get(pairingId);
      if (!p || p.origin !== origin) {
        throw new AssistantError(404, "PAIRING_UNKNOWN", "配对请求已过期，请重新配对");
      }
      const ok = code.length === p.code.length && timingSafeEqual(Buffer.from(code), Buffer.from(p.code));
      if (!ok) {
        p.tries++;
        if (p.tries >= CODE_TRIES) pending.delete(pairingId);
        throw new AssistantError(
          403,
          "PAIRING_CODE_WRONG",
          p.tries >= CODE_TRIES
            ? "配对码错误次数过多，请重新配对"
            : "配对码错误，请核对证书助手窗口中显示的配对码",
        );
      }
      pending.delete(pairingId);
      const token = randomBytes(32).toString("base64url");
      paired.set(sha256(token).toString("hex"), { origin, expires: now() + TOKEN_TTL_MS });
      return { token };
    },

    /** The request's bearer token must be a live pairing of the request's own origin. */
    check(req: IncomingMessage, origin: string): void {
      sweep();
      const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? "");
      const pairing = match ? paired.get(sha256(match[1]!).toString("hex")) : undefined;
      if (!pairing || pairing.origin !== origin) {
        throw new AssistantError(401, "NOT_PAIRED", "该网页尚未与证书助手配对，请先配对");
      }
    },
  };
}

export type Pairings = ReturnType<typeof createPairings>;
