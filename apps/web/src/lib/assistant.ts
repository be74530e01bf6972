// The page's side of 证书助手 (packages/assistant): finds the assistant on 127.0.0.1, pairs with it
// once per browser session, and calls its JSON API. The PIN goes from here to the assistant only.

/** The assistant's fixed port and fallback range (packages/assistant/src/config.ts). */
export const ASSISTANT_PORT = 17517;
export const ASSISTANT_PORT_RANGE = 10;
/** A port the person (or a test) set on the self-check page, tried first. */
export const PORT_KEY = "certhall.assistant.port";
const TOKEN_KEY = "certhall.assistant.token";

export interface AssistantHello {
  name: string;
  version: string;
  paired: boolean;
  module: { path: string | null; loaded: boolean; error: string | null };
}

export interface ReaderToken {
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  pinInitialized: boolean;
  pinLocked: boolean;
  pinFinalTry: boolean;
  wrongPins: number;
}

export interface Reader {
  slot: string;
  description: string;
  token?: ReaderToken;
}

export interface TokenCertificateView {
  label: string;
  keyId: string;
  pem: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
}

/** A refusal of the assistant, with its stable code and Chinese message. */
export class AssistantCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function storage(kind: "local" | "session"): Storage | null {
  try {
    return kind === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

/** The ports to try, the person's own first. */
export function assistantPorts(saved: string | null | undefined): number[] {
  const range = Array.from({ length: ASSISTANT_PORT_RANGE }, (_, i) => ASSISTANT_PORT + i);
  const own = Number(saved);
  return Number.isInteger(own) && own > 0 && own < 65536 ? [own, ...range.filter((p) => p !== own)] : range;
}

export function savedPort(): string | null {
  return storage("local")?.getItem(PORT_KEY) ?? null;
}

export function savePort(port: string | null) {
  const s = storage("local");
  if (!s) return;
  if (port) s.setItem(PORT_KEY, port);
  else s.removeItem(PORT_KEY);
}

const tokenKey = (base: string) => `${TOKEN_KEY}:${base}`;

async function send<T>(base: string, path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
  const token = storage("session")?.getItem(tokenKey(base));
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new AssistantCallError("UNREACHABLE", "无法连接证书助手，请确认它正在运行", 0);
  }
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    if (response.status === 401) storage("session")?.removeItem(tokenKey(base));
    throw new AssistantCallError(
      String(data.code ?? "ERROR"),
      typeof data.message === "string" ? data.message : `证书助手返回错误（HTTP ${response.status}）`,
      response.status,
    );
  }
  return data as T;
}

/** The first port in the range where an assistant answers this page; null when none does. */
export async function locateAssistant(): Promise<{ base: string; hello: AssistantHello } | null> {
  const found = await Promise.all(
    assistantPorts(savedPort()).map(async (port) => {
      const base = `http://127.0.0.1:${port}`;
      try {
        return { base, hello: await send<AssistantHello>(base, "/v1/hello", undefined, 2500) };
      } catch (error) {
        // An assistant that refuses this page's origin is still worth reporting.
        if (error instanceof AssistantCallError && error.code === "BAD_ORIGIN") {
          return { base, hello: null, refused: true as const };
        }
        return null;
      }
    }),
  );
  const answer = found.find((f) => f?.hello);
  if (answer?.hello) return { base: answer.base, hello: answer.hello };
  if (found.some((f) => f && "refused" in f)) {
    throw new AssistantCallError(
      "BAD_ORIGIN",
      "证书助手正在运行，但未允许本网站使用（请检查 --origin）",
      403,
    );
  }
  return null;
}

export interface CsrRequest {
  tokenSerial: string;
  pin: string;
  /** Sign with the key of this certificate (serial hex) instead of a new key pair. */
  keyOfCertificate?: string;
  subject?: { commonName: string; organization?: string; serialNumber?: string };
  algorithm?: "ecdsa-p256" | "rsa-2048";
}

export function assistantClient(base: string) {
  return {
    base,
    async pair(code: string, pairingId: string) {
      const { token } = await send<{ token: string }>(base, "/v1/pair/confirm", { pairingId, code });
      storage("session")?.setItem(tokenKey(base), token);
    },
    startPairing: () => send<{ pairingId: string; expiresInSeconds: number }>(base, "/v1/pair/start", {}),
    readers: () => send<{ readers: Reader[] }>(base, "/v1/readers").then((r) => r.readers),
    certificates: (tokenSerial: string) =>
      send<{ certificates: TokenCertificateView[] }>(base, "/v1/certificates", { tokenSerial }).then(
        (r) => r.certificates,
      ),
    csr: (request: CsrRequest) =>
      send<{ csrPem: string; keyId: string; label: string; created: boolean }>(base, "/v1/csr", request),
    writeCertificate: (request: {
      tokenSerial: string;
      pin: string;
      certificatePem: string;
      replace?: boolean;
    }) =>
      send<{ certificate: TokenCertificateView }>(base, "/v1/certificate", request).then(
        (r) => r.certificate,
      ),
    changePin: (request: { tokenSerial: string; pin: string; newPin: string }) =>
      send<{ ok: true }>(base, "/v1/pin/change", request),
    unlock: (request: { tokenSerial: string; code: string; newPin: string }) =>
      send<{ ok: true; tokenSerial: string }>(base, "/v1/pin/unlock", request),
  };
}

export type AssistantClient = ReturnType<typeof assistantClient>;

/** The install command for this portal, as the self-check page shows it. */
export function assistantCommand(origin: string): string {
  return `npx certhall-assistant --origin ${origin}`;
}
