import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The port every portal page tries first, then the next ones up to PORT_RANGE in all. */
export const DEFAULT_PORT = 17517;
export const PORT_RANGE = 10;

/** Where vendors and SoftHSM2 install their PKCS#11 library on Debian/Ubuntu, tried in order. */
export const MODULE_CANDIDATES = [
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
  "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
];

export interface AssistantConfig {
  /** Exact origins (scheme://host[:port]) of the portal pages allowed to use the assistant. */
  origins: string[];
  /** The first port tried; the next PORT_RANGE - 1 are the fallbacks. 0 = any free port (tests). */
  port: number;
  /** The PKCS#11 library of the USB keys; undefined when none was found (the self-check says so). */
  modulePath?: string;
  /** Wrong user PINs in a row after which the assistant stops trying the PIN itself (see pin-guard). */
  maxPinTries: number;
  /** Where the assistant keeps its own small state (wrong-PIN counts per token). */
  stateDir: string;
}

export class ConfigError extends Error {}

/** An origin as browsers send it: scheme, host and port only, no path, no trailing slash. */
export function normalizeOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigError(`门户地址无效（ASSISTANT_ORIGINS）：${text}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`门户地址须以 https:// 或 http:// 开头（ASSISTANT_ORIGINS）：${text}`);
  }
  if (url.username || url.password || (url.pathname !== "/" && url.pathname !== "") || url.search) {
    throw new ConfigError(`门户地址只能含协议、主机和端口（ASSISTANT_ORIGINS）：${text}`);
  }
  return url.origin;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new ConfigError(`--${name} 缺少取值`);
    return value;
  }
  const inline = argv.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

/**
 * Command-line flags win over the environment: --origin (repeatable, or ASSISTANT_ORIGINS, comma
 * separated), --port (ASSISTANT_PORT), --module (CERTHALL_PKCS11_MODULE), --state-dir
 * (ASSISTANT_STATE_DIR).
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): AssistantConfig {
  const fromFlags: string[] = [];
  argv.forEach((a, i) => {
    if (a === "--origin" && argv[i + 1]) fromFlags.push(argv[i + 1]!);
    else if (a.startsWith("--origin=")) fromFlags.push(a.slice("--origin=".length));
  });
  const listed = fromFlags.length > 0 ? fromFlags : (env.ASSISTANT_ORIGINS ?? "").split(",");
  const origins = [...new Set(listed.filter((o) => o.trim()).map(normalizeOrigin))];
  if (origins.length === 0) {
    throw new ConfigError(
      "请指定允许使用证书助手的门户地址：--origin https://门户地址（或环境变量 ASSISTANT_ORIGINS）",
    );
  }
  const portText = flag(argv, "port") ?? env.ASSISTANT_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`端口无效（--port / ASSISTANT_PORT）：${portText}`);
  }
  const modulePath =
    flag(argv, "module") ?? env.CERTHALL_PKCS11_MODULE ?? MODULE_CANDIDATES.find((p) => existsSync(p));
  const stateDir =
    flag(argv, "state-dir") ?? env.ASSISTANT_STATE_DIR ?? join(homedir(), ".config", "certhall-assistant");
  return { origins, port, modulePath, maxPinTries: 5, stateDir };
}
