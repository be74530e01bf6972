// Test helpers: the real openssl binary in a temporary directory, so what the browser library makes
// is judged by an independent implementation. Imported by the tests only, never by the app.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "certhall-online-update-"));
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  out: string;
}

export function openssl(args: string[], cwd: string): RunResult {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** Like openssl() but throws with the output when the command fails. */
export function opensslOk(args: string[], cwd: string): string {
  const r = openssl(args, cwd);
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed (${r.status}):\n${r.out}`);
  return r.stdout;
}

export function write(dir: string, name: string, data: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

export function read(dir: string, name: string): Buffer {
  return fs.readFileSync(path.join(dir, name));
}

/**
 * `openssl req -verify` on a CSR PEM: true when the self-signature verifies. OpenSSL 3.0 exits 0
 * either way, so the verdict is read from its message.
 */
export function opensslVerifiesCsr(dir: string, pem: string): boolean {
  const file = write(dir, "check.csr", pem);
  const r = openssl(["req", "-in", file, "-verify", "-noout"], dir);
  if (/verify OK/.test(r.out)) return true;
  if (/verify failure|did not match|error/i.test(r.out)) return false;
  throw new Error(`unexpected openssl output: ${r.out}`);
}

/** A self-signed P-256 CA (ca.key, ca.pem) in `dir`. */
export function makeCa(dir: string): void {
  opensslOk(
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-subj",
      "/CN=certhall test CA",
      "-days",
      "30",
      "-out",
      "ca.pem",
    ],
    dir,
  );
}

/**
 * A certificate for the key in `csrPem`, issued by the CA of makeCa(): version 3 by `openssl req -x509
 * -CA`, or with `v1` a version 1 certificate (no [0] version field) by `openssl x509 -req`.
 */
export function issueWithOpenssl(
  dir: string,
  csrPem: string,
  name = "leaf",
  opts: { v1?: boolean } = {},
): string {
  write(dir, `${name}.csr`, csrPem);
  const command = opts.v1 ? ["x509", "-req"] : ["req", "-x509"];
  opensslOk(
    [
      ...command,
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-days",
      "30",
      "-out",
      `${name}.pem`,
    ],
    dir,
  );
  return read(dir, `${name}.pem`).toString("utf8");
}

/** The DER SPKI of a certificate's public key, as openssl extracts it. */
export function opensslSpkiOf(dir: string, certPem: string): Uint8Array {
  write(dir, "spki-of.pem", certPem);
  opensslOk(["x509", "-in", "spki-of.pem", "-noout", "-pubkey", "-out", "spki-of.pub"], dir);
  opensslOk(["pkey", "-pubin", "-in", "spki-of.pub", "-outform", "DER", "-out", "spki-of.der"], dir);
  return new Uint8Array(read(dir, "spki-of.der"));
}
