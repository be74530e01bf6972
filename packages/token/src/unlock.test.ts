import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runTokenCli } from "./cli";
import { TokenError } from "./errors";
import { type JsonServer, problem, type SeenRequest, startJsonServer } from "./testing/json-server";
import { createSoftHsm, type SoftHsm } from "./testing/softhsm";
import { openToken, readToken } from "./token";
import { UNLOCK_PATH, unlockToken } from "./unlock";

const PIN = "123456";
// Distinctive, so that any trace of it in the output is found.
const SO_PIN = "So-Secret-4711-Zq";
const WRONG_SO_PIN = "Wrong-So-Pin-9931-Xk";

let hsm: SoftHsm;
let platform: JsonServer;

/** What the fake platform knows about an unlock order with a one-time code. */
interface Order {
  tokenSerial: string;
  soPin: string;
  /** How the platform answers `done` (a misbehaving platform may echo the SO PIN). */
  done?: () => { status: number; body: unknown; type?: string };
  doneCalls: number;
}
const orders = new Map<string, Order>();

beforeAll(async () => {
  hsm = createSoftHsm();
  for (const label of ["u-ok", "u-serial", "u-sopin", "u-done", "u-proc", "u-proc-fail", "u-args"]) {
    hsm.initToken(label, { soPin: SO_PIN, pin: PIN });
  }
  // The platform's unlock routes as the brief describes them.
  platform = await startJsonServer((req: SeenRequest) => {
    const match = new RegExp(`^${UNLOCK_PATH}(/done)?$`).exec(req.path);
    if (req.method !== "POST" || !match) return problem(404, "接口不存在", "NOT_FOUND");
    const { code, tokenSerial } = req.body as { code?: unknown; tokenSerial?: unknown };
    const order = typeof code === "string" ? orders.get(code) : undefined;
    if (!order) return problem(404, "一次性码无效或已使用", "CODE_INVALID", "code");
    if (tokenSerial !== order.tokenSerial) {
      return problem(409, "介质序列号（tokenSerial）与订单登记的介质不符", "TOKEN_MISMATCH", "tokenSerial");
    }
    if (match[1]) {
      order.doneCalls++;
      return order.done?.() ?? { status: 200, body: { ok: true } };
    }
    return { status: 200, body: { soPin: order.soPin } };
  });
});

afterAll(async () => {
  await platform?.close();
  hsm?.remove();
});

beforeEach(() => orders.clear());

const serialOf = (tokenLabel: string) => readToken({ modulePath: hsm.modulePath, tokenLabel }).serialNumber;

/** Whether the user PIN opens the token (and the session is closed again). */
function pinWorks(tokenLabel: string, pin: string): boolean {
  try {
    openToken({ modulePath: hsm.modulePath, tokenLabel, pin }).close();
    return true;
  } catch (error) {
    expect((error as TokenError).code).toBe("PIN_INCORRECT");
    return false;
  }
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCli(["token", ...args], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { CERTHALL_PKCS11_MODULE: hsm.modulePath },
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const unlock = (tokenLabel: string, code: string, newPin: string, ...rest: string[]) =>
  cli(["unlock", "--token", tokenLabel, "--url", platform.url, "--code", code, "--new-pin", newPin, ...rest]);

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(SO_PIN);
    expect(text).not.toContain(WRONG_SO_PIN);
  }
}

describe("certhall token unlock (解锁)", () => {
  it("sends the trimmed token serial, resets the user PIN with the SO PIN and reports done", async () => {
    const serial = serialOf("u-ok");
    expect(serial).toMatch(/^\S+$/);
    orders.set("code-ok", { tokenSerial: serial, soPin: SO_PIN, doneCalls: 0 });
    const sent = platform.requests.length;

    const result = await unlock("u-ok", "code-ok", "24680135");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `介质（序列号 ${serial}）已解锁，用户 PIN 已设为新 PIN 码，请尽快用 change-pin 改为只有自己知道的 PIN`,
    );
    expectNoSecret(result.stdout, result.stderr);

    const requests = platform.requests.slice(sent);
    expect(requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ["POST", UNLOCK_PATH, { code: "code-ok", tokenSerial: serial }],
      ["POST", `${UNLOCK_PATH}/done`, { code: "code-ok", tokenSerial: serial }],
    ]);
    for (const r of requests) {
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers["content-type"]).toBe("application/json");
    }
    expect(orders.get("code-ok")?.doneCalls).toBe(1);
    expect(pinWorks("u-ok", "24680135")).toBe(true);
    expect(pinWorks("u-ok", PIN)).toBe(false);
  });

  it("shows the platform's refusal of a token that is not the order's, and changes nothing", async () => {
    orders.set("code-serial", { tokenSerial: "0000000000000000", soPin: SO_PIN, doneCalls: 0 });
    const result = await unlock("u-serial", "code-serial", "24680135", "--json");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "错误：解锁失败（HTTP 409）：介质序列号（tokenSerial）与订单登记的介质不符（UNLOCK_FAILED）",
    );
    expect(pinWorks("u-serial", PIN)).toBe(true);
    expect(pinWorks("u-serial", "24680135")).toBe(false);
    expect(orders.get("code-serial")?.doneCalls).toBe(0);
  });

  it("does not report done when the reset fails, and never shows the SO PIN", async () => {
    orders.set("code-sopin", { tokenSerial: serialOf("u-sopin"), soPin: WRONG_SO_PIN, doneCalls: 0 });
    const result = await unlock("u-sopin", "code-sopin", "24680135");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "错误：重置 PIN 码失败，解锁未完成：管理员 PIN（SO PIN）错误（SO_PIN_INCORRECT）",
    );
    expectNoSecret(result.stdout, result.stderr);
    expect(orders.get("code-sopin")?.doneCalls).toBe(0);
    expect(pinWorks("u-sopin", PIN)).toBe(true);
  });

  it("masks the SO PIN even when the platform echoes it in an error, and says the new PIN works", async () => {
    orders.set("code-done", {
      tokenSerial: serialOf("u-done"),
      soPin: SO_PIN,
      doneCalls: 0,
      done: () => problem(503, `暂时无法登记（${SO_PIN}）`, "UNAVAILABLE"),
    });
    const error = await unlockToken(
      { modulePath: hsm.modulePath, tokenLabel: "u-done" },
      { url: platform.url, code: "code-done", newPin: "13572468" },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    const { code, message, detail, cause } = error as TokenError;
    expect(code).toBe("UNLOCK_FAILED");
    expect(message).toBe(
      "新 PIN 码已生效，但通知平台解锁完成失败（HTTP 503）：暂时无法登记（***）；请稍后用同一一次性码和同一新 PIN 码重新办理",
    );
    expectNoSecret(message, detail ?? "", JSON.stringify(error), String(cause));
    expect(detail).toContain("***");
    expect(orders.get("code-done")?.doneCalls).toBe(1);
    expect(pinWorks("u-done", "13572468")).toBe(true);
  });

  it("checks the new PIN and the code before any request", async () => {
    orders.set("code-args", { tokenSerial: serialOf("u-args"), soPin: SO_PIN, doneCalls: 0 });
    const sent = platform.requests.length;
    for (const pin of ["123", "12345678901234567"]) {
      const result = await unlock("u-args", "code-args", pin);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("错误：新 PIN 码（--new-pin）长度须为 4–16 位（PIN_LENGTH）");
    }
    const spaced = await unlock("u-args", "code args", "24680135");
    expect(spaced.stderr).toBe("错误：一次性码（--code）格式无效，请从订单页面复制（BAD_CODE）");
    const noPin = await cli(["unlock", "--token", "u-args", "--url", platform.url, "--code", "code-args"]);
    expect(noPin.code).toBe(2);
    expect(noPin.stderr).toMatch(/^参数错误：缺少参数 --new-pin\n/);
    const noToken = await unlock("no-such-token", "code-args", "24680135");
    expect(noToken.stderr).toBe(
      "错误：未找到标签为“no-such-token”的介质，请确认 USB Key 已插入（TOKEN_NOT_FOUND）",
    );
    expect(platform.requests.length).toBe(sent);
    expect(pinWorks("u-args", PIN)).toBe(true);
  });
});

describe("certhall token unlock as a program", () => {
  // A real process, so that anything printed by the library or the runtime is seen as well.
  const run = async (tokenLabel: string, code: string) => {
    const cliPath = fileURLToPath(new URL("./cli.ts", import.meta.url));
    try {
      const { stdout, stderr } = await promisify(execFile)(
        "npx",
        [
          "tsx",
          cliPath,
          "unlock",
          "--token",
          tokenLabel,
          "--url",
          platform.url,
          "--code",
          code,
          "--new-pin",
          "97531864",
        ],
        { env: { ...process.env, CERTHALL_PKCS11_MODULE: hsm.modulePath } },
      );
      return { exit: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { exit: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("never prints the SO PIN, on success or on failure", async () => {
    orders.set("proc-ok", { tokenSerial: serialOf("u-proc"), soPin: SO_PIN, doneCalls: 0 });
    orders.set("proc-fail", { tokenSerial: serialOf("u-proc-fail"), soPin: WRONG_SO_PIN, doneCalls: 0 });
    const ok = await run("u-proc", "proc-ok");
    expect(ok.exit).toBe(0);
    expect(ok.stdout).toContain("已解锁");
    expectNoSecret(ok.stdout, ok.stderr);
    expect(pinWorks("u-proc", "97531864")).toBe(true);

    const failed = await run("u-proc-fail", "proc-fail");
    expect(failed.exit).toBe(1);
    expect(failed.stderr).toContain("管理员 PIN（SO PIN）错误");
    expectNoSecret(failed.stdout, failed.stderr);
    expect(orders.get("proc-fail")?.doneCalls).toBe(0);
  }, 60_000);
});
