// Where the root key ceremony finds the root key file and its passphrase (flags or configuration).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../../errors";
import type { CaServiceDeps } from "./ca.types";

/** Where the root key is and the passphrase that opens it. */
export interface RootKeyAccess {
  rootKeyFile: string;
  passphrase: string;
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new AppError("VALIDATION_FAILED", `无法读取${what}：${file}`);
  }
}

/** The root key file and passphrase named by flags or the configuration. */
export function rootKeyAccess(
  config: CaServiceDeps["config"],
  flags: { rootKeyFile?: string; passphraseFile?: string } = {},
): RootKeyAccess {
  const rootKeyFile = path.resolve(flags.rootKeyFile ?? config.ca.rootKeyFile);
  const passFile = flags.passphraseFile ?? config.ca.rootPassphraseFile;
  if (!passFile) {
    throw new AppError("VALIDATION_FAILED", "需要根密钥口令：--passphrase-file 或 CA_ROOT_PASSPHRASE_FILE", {
      field: "passphraseFile",
    });
  }
  // Development only: the first start makes up the passphrase and keeps it beside the key file.
  if (config.env !== "production" && !existsSync(passFile)) {
    mkdirSync(path.dirname(passFile), { recursive: true });
    writeFileSync(passFile, randomBytes(24).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
  return { rootKeyFile, passphrase: readText(passFile, "根密钥口令文件").trim() };
}
