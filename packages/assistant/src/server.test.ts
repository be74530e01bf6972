// The assistant as a page meets it: a running listener on 127.0.0.1 over real HTTP, SoftHSM2 tokens
// standing in for USB keys, an openssl CA issuing, and a fake portal answering the unlock endpoints.

import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { listKeys, openToken, readCertificates } from "@certhall/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JsonServer, problem, startJsonServer } from "../../token/src/testing/json-server";
import {
  createOpensslCa,
  createSoftHsm,
  openssl,
  opensslVerifyCsr,
  type SoftHsm,
  type TestCa,
} from "../../token/src/testing/softhsm";
import { type RunningAssistant, startAssistant } from "./server";

const SO_PIN = "so-secret-4321";
const PIN = "pin-246810";
const OTHER_ORIGIN = "https://other-portal.example";

let hsm: SoftHsm;
let ca: TestCa;
let portal: JsonServer;
let assistant: RunningAssistant;
const logLines: string[] = [];
const codes: string[] = [];

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

function call(
  path: string,
  options: { body?: unknown; origin?: string | null; host?: string; token?: string; method?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${assistant.port}` };
  const origin = options.origin === undefined ? portal.url : options.origin;
  if (origin !== null) headers.origin = origin;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (payload) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: assistant.port,
        path,
        method: options.method ?? (payload ? "POST" : "GET"),
        headers,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {}, headers: res.headers }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function pair(origin = portal.url): Promise<string> {
  const start = await call("/v1/pair/start", { origin, body: {} });
  expect(start.status).toBe(200);
  const code = codes.at(-1)!;
  const done = await call("/v1/pair/confirm", { origin, body: { pairingId: start.body.pairingId, code } });
  expect(done.status).toBe(200);
  return done.body.token as string;
}

function serialOf(label: string): string {
  const session = openToken({ modulePath: hsm.modulePath, tokenLabel: label, pin: PIN });
  try {
    return session.token.serialNumber;
  } finally {
    session.close();
  }
}

/** Everything on the token a page could change: keys, certificates (as DER). */
function snapshot(label: string, pin = PIN) {
  const session = openToken({ modulePath: hsm.modulePath, tokenLabel: label, pin });
  try {
    return {
      keys: listKeys(session).map((k) => `${k.label}:${k.id.toString("hex")}`),
      certs: readCertificates(session).map((c) => c.der.toString("hex")),
    };
  } finally {
    session.close();
  }
}

beforeAll(async () => {
  hsm = createSoftHsm();
  ca = createOpensslCa(hsm.dir);
  for (const label of ["main", "other", "locked", "pin"]) hsm.initToken(label, { soPin: SO_PIN, pin: PIN });
  const lockedSerial = serialOf("locked");
  portal = await startJsonServer((req) => {
    const body = req.body as { code?: string; tokenSerial?: string };
    if (body.code !== "unlock-code-1") return problem(404, "解锁授权码无效或已使用", "UNLOCK_CODE_INVALID");
    if (body.tokenSerial !== lockedSerial)
      return problem(409, "介质序列号与订单不符", "UNLOCK_MEDIA_MISMATCH");
    if (req.path === "/api/v1/unlock") return { status: 200, body: { soPin: SO_PIN } };
    return { status: 200, body: { ok: true } };
  });
  assistant = await startAssistant(
    {
      origins: [portal.url, OTHER_ORIGIN],
      port: 0,
      modulePath: hsm.modulePath,
      maxPinTries: 5,
      stateDir: join(hsm.dir, "state"),
    },
    {
      info: (line) => logLines.push(line),
      pairing: (_origin, code) => codes.push(code),
    },
  );
});

afterAll(async () => {
  await assistant?.close();
  await portal?.close();
  hsm?.remove();
});

describe("who may talk to the assistant", () => {
  it("answers a configured portal page with its version and exact CORS", async () => {
    const hello = await call("/v1/hello");
    expect(hello.status).toBe(200);
    expect(hello.body).toMatchObject({ name: "certhall-assistant", version: "0.1.0", paired: false });
    expect(hello.headers["access-control-allow-origin"]).toBe(portal.url);
    const preflight = await call("/v1/csr", { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-headers"]).toContain("authorization");
  });

  it("refuses a page from another origin, and a request without one, with no CORS header", async () => {
    for (const origin of ["https://evil.example", `${portal.url}.evil.example`, "null", null]) {
      const reply = await call("/v1/hello", { origin });
      expect(reply.status).toBe(403);
      expect(reply.body.code).toBe("BAD_ORIGIN");
      expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
    }
    const start = await call("/v1/pair/start", { origin: "https://evil.example", body: {} });
    expect(start.status).toBe(403);
  });

  it("refuses a foreign Host header (DNS rebinding), even from a paired page", async () => {
    const token = await pair();
    for (const host of [`evil.example:${assistant.port}`, "127.0.0.1:1", "127.0.0.1"]) {
      const reply = await call("/v1/readers", { host, token });
      expect(reply.status).toBe(421);
      expect(reply.body.code).toBe("BAD_HOST");
    }
  });

  it("refuses a page that never paired, a made-up token and a token of another origin", async () => {
    const serial = serialOf("main");
    const before = snapshot("main");
    expect((await call("/v1/readers")).status).toBe(401);
    const fake = await call("/v1/csr", {
      token: "A".repeat(43),
      body: { tokenSerial: serial, pin: PIN, subject: { commonName: "x" } },
    });
    expect(fake.status).toBe(401);
    expect(fake.body.code).toBe("NOT_PAIRED");
    const token = await pair(OTHER_ORIGIN);
    const crossed = await call("/v1/csr", {
      token,
      body: { tokenSerial: serial, pin: PIN, subject: { commonName: "x" } },
    });
    expect(crossed.status).toBe(401);
    expect(snapshot("main")).toEqual(before);
  });

  it("drops a pairing after three wrong codes, so the code cannot be guessed", async () => {
    const start = await call("/v1/pair/start", { body: {} });
    const real = codes.at(-1)!;
    const wrong = real === "000000" ? "111111" : "000000";
    for (let i = 0; i < 3; i++) {
      const reply = await call("/v1/pair/confirm", {
        body: { pairingId: start.body.pairingId, code: wrong },
      });
      expect(reply.status).toBe(403);
    }
    const late = await call("/v1/pair/confirm", { body: { pairingId: start.body.pairingId, code: real } });
    expect(late.status).toBe(404);
  });
});

describe("what a paired page can do with a token", () => {
  let token: string;
  beforeAll(async () => {
    token = await pair();
  });

  it("lists the readers with their tokens", async () => {
    const reply = await call("/v1/readers", { token });
    expect(reply.status).toBe(200);
    const labels = (reply.body.readers as { token?: { label: string } }[]).map((r) => r.token?.label);
    expect(labels).toEqual(expect.arrayContaining(["main", "other", "locked", "pin"]));
  });

  it("generates a key on the token, signs a PKCS#10, writes the issued certificate back; openssl verifies it", async () => {
    const tokenSerial = serialOf("main");
    const made = await call("/v1/csr", {
      token,
      body: { tokenSerial, pin: PIN, subject: { commonName: "福建助手测试有限公司" } },
    });
    expect(made.status).toBe(200);
    expect(made.body.created).toBe(true);
    const csrPath = join(hsm.dir, "assistant.csr");
    writeFileSync(csrPath, made.body.csrPem as string);
    expect(opensslVerifyCsr(csrPath)).toBe(true);
    const certificatePem = ca.sign(made.body.csrPem as string);
    const written = await call("/v1/certificate", { token, body: { tokenSerial, pin: PIN, certificatePem } });
    expect(written.status).toBe(200);

    const read = await call("/v1/certificates", { token, body: { tokenSerial } });
    const [onToken] = read.body.certificates as { pem: string; label: string }[];
    expect(onToken!.label).toBe(made.body.label);
    const certPath = join(hsm.dir, "read-back.pem");
    writeFileSync(certPath, onToken!.pem);
    expect(openssl(["verify", "-CAfile", ca.certPath, certPath])).toContain("OK");

    // Keeping the key: a new request signed by the same key, found through its certificate.
    const serialHex = (written.body.certificate as { serialHex: string }).serialHex;
    const again = await call("/v1/csr", {
      token,
      body: { tokenSerial, pin: PIN, keyOfCertificate: serialHex },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, keyId: made.body.keyId });
  });

  it("refuses a certificate for another key and leaves the token unchanged", async () => {
    const otherSerial = serialOf("other");
    const made = await call("/v1/csr", {
      token,
      body: { tokenSerial: otherSerial, pin: PIN, subject: { commonName: "别的介质" } },
    });
    const foreign = ca.sign(made.body.csrPem as string);
    const tokenSerial = serialOf("main");
    const before = snapshot("main");
    const reply = await call("/v1/certificate", {
      token,
      body: { tokenSerial, pin: PIN, certificatePem: foreign, replace: true },
    });
    expect(reply.status).toBe(409);
    expect(reply.body.code).toBe("CERT_KEY_MISMATCH");
    expect(snapshot("main")).toEqual(before);
    const junk = await call("/v1/certificate", {
      token,
      body: { tokenSerial, pin: PIN, certificatePem: "x" },
    });
    expect(junk.status).toBe(400);
  });

  it("locks after five wrong PINs: even the right PIN is refused and nothing on the token changes", async () => {
    const tokenSerial = serialOf("locked");
    const before = snapshot("locked");
    const attempt = (pin: string) =>
      call("/v1/csr", { token, body: { tokenSerial, pin, subject: { commonName: "锁定测试" } } });
    for (let i = 1; i <= 4; i++) {
      const reply = await attempt("wrong-pin-0");
      expect(reply.status).toBe(403);
      expect(reply.body.message).toContain(`还可尝试 ${5 - i} 次`);
    }
    const fifth = await attempt("wrong-pin-0");
    expect(fifth.status).toBe(423);
    expect(fifth.body.code).toBe("PIN_LOCKED");
    const right = await attempt(PIN);
    expect(right.status).toBe(423);
    expect(snapshot("locked")).toEqual(before);
    const readers = await call("/v1/readers", { token });
    const entry = (readers.body.readers as { token?: { serialNumber: string; pinLocked: boolean } }[]).find(
      (r) => r.token?.serialNumber === tokenSerial,
    );
    expect(entry?.token?.pinLocked).toBe(true);
  });

  it("unlocks with the unlock code through the portal: new PIN set, the SO PIN never in the answer", async () => {
    const tokenSerial = serialOf("locked");
    const refused = await call("/v1/pin/unlock", {
      token,
      body: { tokenSerial, code: "guess", newPin: "13572468" },
    });
    expect(refused.status).toBe(502);
    const reply = await call("/v1/pin/unlock", {
      token,
      body: { tokenSerial, code: "unlock-code-1", newPin: "13572468" },
    });
    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.body)).not.toContain(SO_PIN);
    expect(snapshot("locked", "13572468").keys).toEqual([]);
    const works = await call("/v1/certificates", { token, body: { tokenSerial } });
    expect(works.status).toBe(200);
  });

  it("changes the PIN with the old one", async () => {
    const tokenSerial = serialOf("pin");
    const wrong = await call("/v1/pin/change", {
      token,
      body: { tokenSerial, pin: "nope-nope", newPin: "97531864" },
    });
    expect(wrong.status).toBe(403);
    const ok = await call("/v1/pin/change", { token, body: { tokenSerial, pin: PIN, newPin: "97531864" } });
    expect(ok.status).toBe(200);
    expect(snapshot("pin", "97531864").keys).toEqual([]);
  });

  it("names the missing field in Chinese and never writes a PIN or code into its log", async () => {
    const reply = await call("/v1/csr", { token, body: { pin: PIN, subject: { commonName: "x" } } });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe("请填写介质序列号（tokenSerial）");
    const log = logLines.join("\n");
    expect(log).toContain("POST /v1/csr");
    for (const secret of [PIN, "wrong-pin-0", "unlock-code-1", "13572468", SO_PIN, token]) {
      expect(log).not.toContain(secret);
    }
  });
});
