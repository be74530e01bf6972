// Helpers for the tests: run the real openssl binary on files in a temporary directory, so our
// verdicts are checked by an independent implementation. Not exported from the package.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PkiError } from "./errors";
import { isqrt } from "./goodkey";

export const SM2_ID = "distid:1234567812345678";

/** The PkiError a promise rejects with (any other outcome fails the test). */
export async function failure(p: Promise<unknown>): Promise<PkiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PkiError) return err;
    throw err;
  }
  throw new Error("expected a PkiError");
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "certhall-pki-"));
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  out: string;
}

export function openssl(args: string[], cwd: string, input?: string | Buffer): RunResult {
  const r = spawnSync("openssl", args, { cwd, input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** Like openssl() but throws with the output when the command fails. */
export function opensslOk(args: string[], cwd: string, input?: string | Buffer): string {
  const r = openssl(args, cwd, input);
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed (${r.status}):\n${r.out}`);
  return r.stdout;
}

export function write(dir: string, name: string, data: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

export type TestKey = "p256" | "p384" | "rsa1024" | "rsa2048" | "rsa3072" | "sm2" | "secp256k1";

/** Makes a key with `openssl genpkey` and a CSR with `openssl req -new`; returns the CSR PEM. */
export function opensslCsr(dir: string, key: TestKey, subj = "/CN=test", name: string = key): string {
  const keyFile = `${name}.key`;
  const genArgs: Record<TestKey, string[]> = {
    p256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    p384: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    secp256k1: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
    sm2: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2"],
    rsa1024: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
    rsa2048: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    rsa3072: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
  };
  opensslOk(["genpkey", ...genArgs[key], "-out", keyFile], dir);
  const sigArgs = key === "sm2" ? ["-sm3", "-sigopt", SM2_ID] : [];
  opensslOk(["req", "-new", "-utf8", "-key", keyFile, "-subj", subj, ...sigArgs, "-out", `${name}.csr`], dir);
  return fs.readFileSync(path.join(dir, `${name}.csr`), "utf8");
}

/**
 * Checks an SM3withSM2 signature with `openssl pkeyutl` and the standard distinguishing ID. Used where
 * `openssl verify` cannot help: OpenSSL 3.0 applies `-vfyopt distid:` to the target certificate only,
 * so neither chain links above it nor a root's self-signature (-check_ss_sig) get the ID.
 */
export function opensslSm2Verify(dir: string, data: Buffer, signature: Buffer, signerSpki: Buffer): boolean {
  write(dir, "sm2-data.bin", data);
  write(dir, "sm2-sig.bin", signature);
  write(dir, "sm2-pub.der", signerSpki);
  opensslOk(["pkey", "-pubin", "-inform", "DER", "-in", "sm2-pub.der", "-out", "sm2-pub.pem"], dir);
  const r = openssl(
    [
      "pkeyutl",
      "-verify",
      "-pubin",
      "-inkey",
      "sm2-pub.pem",
      "-rawin",
      "-digest",
      "sm3",
      "-in",
      "sm2-data.bin",
      "-sigfile",
      "sm2-sig.bin",
      "-pkeyopt",
      SM2_ID,
    ],
    dir,
  );
  return /Verified Successfully/.test(r.out);
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

// --- Weak keys built on purpose (goodkey tests and the server's attack tests) --------------------

export type WeakRsaKind = "small-factor" | "fermat" | "roca";

const modInverse = (a: bigint, m: bigint): bigint => {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
};
const gcdBig = (a: bigint, b: bigint): bigint => (b ? gcdBig(b, a % b) : a);
const b64u = (x: bigint): string => {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
};
const isPrime = (x: bigint) => crypto.checkPrimeSync(x, { checks: 32 });
const prime = (bits: number) => crypto.generatePrimeSync(bits, { bigint: true }) as bigint;
const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
};

/**
 * A prime with the RSALib (ROCA) structure k·M + (65537^a mod M), M = primorial(167), in
 * [2^1023.5, 2^1024), so that the product of two of them has exactly 2048 bits.
 */
function rocaPrime(): bigint {
  let M = 1n;
  for (let r = 2n; r <= 167n; r++) if (isPrime(r)) M *= r;
  const kMin = isqrt(1n << 2047n) / M + 1n;
  const span = (1n << 1024n) / M - kMin;
  for (;;) {
    const a = BigInt(`0x${crypto.randomBytes(32).toString("hex")}`);
    const k = kMin + (BigInt(`0x${crypto.randomBytes(128).toString("hex")}`) % span);
    const p = k * M + modPow(65537n, a, M);
    if (p < 1n << 1024n && isPrime(p)) return p;
  }
}

/**
 * A 2048-bit RSA private key (PKCS#8 DER) that is weak on purpose: a prime factor of 743, two primes a
 * few thousand apart (Fermat), or both primes with the ROCA structure. The maths is right, so the key
 * signs its own CSR (proof of possession passes) and only the key checks can refuse it.
 */
export function weakRsaKey(kind: WeakRsaKind): { pkcs8: Buffer; n: bigint } {
  const e = 65537n;
  for (;;) {
    let p: bigint;
    let q: bigint;
    if (kind === "small-factor") {
      p = 743n;
      q = prime(2038);
    } else if (kind === "fermat") {
      p = prime(1024);
      q = p + 2n;
      while (!isPrime(q)) q += 2n;
    } else {
      p = rocaPrime();
      q = rocaPrime();
    }
    const n = p * q;
    const phi = (p - 1n) * (q - 1n);
    if (p === q || n.toString(2).length !== 2048 || gcdBig(e, phi) !== 1n) continue;
    const d = modInverse(e, phi);
    const jwk = {
      kty: "RSA",
      n: b64u(n),
      e: b64u(e),
      d: b64u(d),
      p: b64u(p),
      q: b64u(q),
      dp: b64u(d % (p - 1n)),
      dq: b64u(d % (q - 1n)),
      qi: b64u(modInverse(q, p)),
    };
    const key = crypto.createPrivateKey({ key: jwk, format: "jwk" });
    return { pkcs8: key.export({ type: "pkcs8", format: "der" }), n };
  }
}
