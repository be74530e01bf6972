// 证书助手 for the browser walks: the real assistant as its own process on a free port, with its own
// SoftHSM2 token directory (SOFTHSM2_CONF) whose tokens stand in for USB keys. The walk reads the
// pairing code from the assistant's console output, as a person reads it off the screen.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, type Page } from "@playwright/test";
import pkcs11js from "pkcs11js";
import { cn } from "./new-certificate";

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, "../../packages/assistant/bin/certhall-assistant.mjs");
const MODULE = [
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
].find((p) => existsSync(p));
/** localStorage key of the port the portal pages try first (apps/web/src/lib/assistant.ts). */
const PORT_KEY = "certhall.assistant.port";

export const TOKEN_PIN = "12345678";
export const FACTORY_SO_PIN = "87654321";

export interface Assistant {
  url: string;
  port: number;
  dir: string;
  conf: string;
  /** A new SoftHSM2 token ("a USB key inserted"); answers its serial (CK_TOKEN_INFO serialNumber). */
  insertToken(label: string, pins?: { soPin?: string; pin?: string }): string;
  /** The next pairing code the assistant prints. */
  nextPairingCode(): Promise<string>;
  /** A paired client of the assistant's API for the walk's own set-up steps. */
  setupClient(origin: string): Promise<(path: string, body?: unknown) => Promise<Response>>;
  stop(): Promise<void>;
}

export async function startAssistant(origin: string): Promise<Assistant> {
  if (!MODULE) throw new Error("SoftHSM2 is required for the assistant walks: apt-get install softhsm2");
  const dir = mkdtempSync(path.join(os.tmpdir(), "certhall-e2e-assistant-"));
  const tokens = path.join(dir, "tokens");
  mkdirSync(tokens);
  const conf = path.join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      "--origin",
      origin,
      "--port",
      "0",
      "--module",
      MODULE,
      "--state-dir",
      path.join(dir, "state"),
      "--quiet",
    ],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const codes: string[] = [];
  const waiting: ((code: string) => void)[] = [];
  let out = "";
  const started = new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`certhall-assistant exited with ${code}: ${out}`)));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      out += chunk;
      const url = /已启动：(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) resolve(url);
      for (const m of chunk.matchAll(/配对码 (\d{6})/g)) {
        const next = waiting.shift();
        if (next) next(m[1]!);
        else codes.push(m[1]!);
      }
    });
  });
  const url = await started;
  const port = Number(new URL(url).port);

  const nextPairingCode = () =>
    new Promise<string>((resolve) => {
      const code = codes.shift();
      if (code) resolve(code);
      else waiting.push(resolve);
    });

  return {
    url,
    port,
    dir,
    conf,
    insertToken(label, pins = {}) {
      execFileSync(
        "softhsm2-util",
        [
          "--init-token",
          "--free",
          "--label",
          label,
          "--so-pin",
          pins.soPin ?? FACTORY_SO_PIN,
          "--pin",
          pins.pin ?? TOKEN_PIN,
        ],
        { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "pipe" },
      );
      const slots = execFileSync("softhsm2-util", ["--show-slots"], {
        env: { ...process.env, SOFTHSM2_CONF: conf },
        encoding: "utf8",
      });
      // Blocks of "Label: <label>" … "Serial number: <serial>" per slot.
      const block = slots.split(/\nSlot /).find((b) => new RegExp(`Label:\\s+${label}\\s*($|\\n)`).test(b));
      const serial = block && /Serial number:\s+(\S+)/.exec(block)?.[1];
      if (!serial) throw new Error(`no serial for token ${label}:\n${slots}`);
      return serial;
    },
    nextPairingCode,
    async setupClient(pageOrigin) {
      const post = (p: string, body: unknown, token?: string) =>
        fetch(`${url}${p}`, {
          method: body === undefined ? "GET" : "POST",
          headers: {
            origin: pageOrigin,
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const start = (await (await post("/v1/pair/start", {})).json()) as { pairingId: string };
      const code = await nextPairingCode();
      const { token } = (await (
        await post("/v1/pair/confirm", { pairingId: start.pairingId, code })
      ).json()) as {
        token: string;
      };
      return (p: string, body?: unknown) => post(p, body, token);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Pages of this browser context try the walk's assistant port first (the self-check page's setting). */
export async function useAssistantPort(page: Page, assistant: Assistant): Promise<void> {
  // Page code as a string: the e2e typecheck has no DOM types.
  await page.addInitScript(
    `window.localStorage.setItem(${JSON.stringify(PORT_KEY)}, ${JSON.stringify(String(assistant.port))});`,
  );
}

/** The first use on a page: 「开始配对」, the code from the assistant's console, 「确认配对」. */
export async function pairInPage(page: Page, assistant: Assistant): Promise<void> {
  await page
    .getByRole("button", { name: cn("开始配对") })
    .first()
    .click();
  const code = await assistant.nextPairingCode();
  await page.getByLabel("配对码").first().fill(code);
  await page
    .getByRole("button", { name: cn("确认配对") })
    .first()
    .click();
}

/** The server's dev secret, for the SO PIN the platform derives for a key (modules/unlock/so-pin.ts). */
export function platformSoPin(port: number, mediaSerial: string): string {
  const { dataDir } = JSON.parse(
    readFileSync(path.join(os.tmpdir(), `certhall-e2e-${port}.json`), "utf8"),
  ) as { dataDir: string };
  const secret = Buffer.from(readFileSync(path.join(dataDir, "secret.key"), "utf8").trim(), "utf8");
  return createHmac("sha256", secret)
    .update(`media-so-pin:${mediaSerial.trim().toUpperCase()}`)
    .digest("hex")
    .slice(0, 16)
    .toUpperCase();
}

/**
 * The CA personalises a key it hands out: its SO PIN becomes the one the platform derives, so that a
 * remote 解锁 can later reset the user PIN. Done here with C_SetPIN as the security officer.
 */
export function personaliseSoPin(assistant: Assistant, serial: string, newSoPin: string): void {
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = assistant.conf;
  const p11 = new pkcs11js.PKCS11();
  p11.load(MODULE!);
  p11.C_Initialize();
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).serialNumber.trim() === serial);
    if (!slot) throw new Error(`no token ${serial}`);
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p11.C_Login(session, pkcs11js.CKU_SO, FACTORY_SO_PIN);
    p11.C_SetPIN(session, FACTORY_SO_PIN, newSoPin);
    p11.C_Logout(session);
    p11.C_CloseSession(session);
  } finally {
    p11.C_Finalize();
    p11.close();
    if (previous === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previous;
  }
}

/** The certificate (PEM) the token holds now, read through the assistant without a PIN. */
export async function certificateOnToken(
  call: (p: string, body?: unknown) => Promise<Response>,
  tokenSerial: string,
): Promise<{ pem: string; serialHex: string }[]> {
  const reply = await call("/v1/certificates", { tokenSerial });
  expect(reply.status).toBe(200);
  return ((await reply.json()) as { certificates: { pem: string; serialHex: string }[] }).certificates;
}
