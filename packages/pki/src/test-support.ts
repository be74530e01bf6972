// Helpers for the tests: run the real openssl binary on files in a temporary directory, so our
// verdicts are checked by an independent implementation. Not exported from the package.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const SM2_ID = "distid:1234567812345678";

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
