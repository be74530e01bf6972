// Test fixtures: a throw-away SoftHSM2 token directory and an openssl test CA, all in a temp dir.
// Tests that need SoftHSM2 fail loudly when it is missing (CI installs it) instead of skipping.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MODULE_CANDIDATES = [
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/local/lib/softhsm/libsofthsm2.so",
];

const MISSING = "SoftHSM2 is required for the token tests: install it with `apt-get install softhsm2`";

export function softHsmModulePath(): string {
  const fromEnv = process.env.SOFTHSM2_MODULE;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${MISSING} (SOFTHSM2_MODULE=${fromEnv} does not exist)`);
    return fromEnv;
  }
  const found = MODULE_CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error(`${MISSING} (no libsofthsm2.so in ${MODULE_CANDIDATES.join(", ")})`);
  return found;
}

/**
 * Why SoftHSM2 cannot be used here, or null when it can: for tests outside the token package that
 * skip with this message (the token package's own tests require it).
 */
export function softHsmMissing(): string | null {
  try {
    softHsmModulePath();
  } catch (error) {
    return (error as Error).message;
  }
  const util = spawnSync("softhsm2-util", ["--version"], { stdio: "pipe" });
  return util.error ? `${MISSING} (softhsm2-util not found)` : null;
}

export interface SoftHsm {
  dir: string;
  modulePath: string;
  /** Initialises a new token in the first free slot and returns its label. */
  initToken(label: string, pins: { soPin: string; pin: string }): string;
  /** Deletes the temp dir with its tokens; close every session first. */
  remove(): void;
}

/**
 * Points SOFTHSM2_CONF at a config in a fresh temp dir, so that tokens live there and never in
 * /var/lib/softhsm. SoftHSM reads the variable at C_Initialize, so call this before openToken.
 */
export function createSoftHsm(): SoftHsm {
  const modulePath = softHsmModulePath();
  const dir = mkdtempSync(join(tmpdir(), "certhall-softhsm-"));
  const tokens = join(dir, "tokens");
  mkdirSync(tokens);
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  return {
    dir,
    modulePath,
    initToken(label, { soPin, pin }) {
      try {
        execFileSync(
          "softhsm2-util",
          ["--init-token", "--free", "--label", label, "--so-pin", soPin, "--pin", pin],
          { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "pipe" },
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT")
          throw new Error(`${MISSING} (softhsm2-util not found)`);
        throw error;
      }
      return label;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function openssl(args: string[], input?: string | Buffer): string {
  return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"] }).toString("utf8");
}

/**
 * `openssl req -verify` exits 0 even when the signature fails (OpenSSL 3.0) and reports on stderr,
 * so the verdict is read from the output.
 */
export function opensslVerifyCsr(path: string): boolean {
  const result = spawnSync("openssl", ["req", "-in", path, "-verify", "-noout"], { encoding: "utf8" });
  const output = `${result.stdout}${result.stderr}`;
  if (output.includes("verify OK") && result.status === 0) return true;
  if (output.includes("verify failure") || result.status !== 0) return false;
  throw new Error(`unexpected openssl output: ${output}`);
}

export interface TestCa {
  certPath: string;
  keyPath: string;
  /** Signs a PKCS#10 request with `openssl x509 -req` and returns the certificate PEM. */
  sign(csrPem: string, days?: number): string;
}

/** A throw-away ECDSA P-256 CA made by openssl, independent of our own code. */
export function createOpensslCa(dir: string, name = "Certhall Test CA"): TestCa {
  const certPath = join(dir, "ca.pem");
  const keyPath = join(dir, "ca.key");
  openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "30",
    "-subj",
    `/CN=${name}`,
  ]);
  let counter = 0;
  return {
    certPath,
    keyPath,
    sign(csrPem, days = 30) {
      const csrPath = join(dir, `req-${++counter}.pem`);
      writeFileSync(csrPath, csrPem);
      return openssl([
        "x509",
        "-req",
        "-in",
        csrPath,
        "-CA",
        certPath,
        "-CAkey",
        keyPath,
        "-set_serial",
        `0x${(0x1000 + counter).toString(16)}c0ffee`,
        "-days",
        String(days),
        "-sha256",
      ]);
    },
  };
}
