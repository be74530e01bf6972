// Revocation as a relying party sees it: the issuing CA's published CRL (/pki/crl/{ca}.crl, read with
// `openssl crl`) and the OCSP responder (/pki/ocsp, asked with `openssl ocsp`). Shared by the walks of the
// businesses that revoke a certificate (变更, 补证, 换证, 注销).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";

/** RFC 5280 CRLReason names, as `openssl ocsp` prints them. */
export type RevocationReason =
  | "unspecified"
  | "keyCompromise"
  | "cACompromise"
  | "affiliationChanged"
  | "superseded"
  | "cessationOfOperation"
  | "certificateHold"
  | "privilegeWithdrawn";

/** The same reasons as `openssl crl -text` prints them. */
const CRL_REASON_TEXT: Record<RevocationReason, string> = {
  unspecified: "Unspecified",
  keyCompromise: "Key Compromise",
  cACompromise: "CA Compromise",
  affiliationChanged: "Affiliation Changed",
  superseded: "Superseded",
  cessationOfOperation: "Cessation Of Operation",
  certificateHold: "Certificate Hold",
  privilegeWithdrawn: "Privilege Withdrawn",
};

// The CAs are named {role}-{algorithm} on first start (apps/server/src/modules/pki/ca.service.ts).
const ALGORITHMS = ["ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096", "sm2"];

/** Runs openssl in `dir`; answers stdout and stderr together (openssl 3 writes "verify OK" to stderr). */
export function opensslIn(dir: string, args: string[]): { code: number; out: string } {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

async function fetchOk(url: string): Promise<Buffer | null> {
  const res = await fetch(url);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * Fetches the public CA certificates into `dir` (issuing.pem, root.pem) from /pki/ca/{ca}.pem and answers
 * the issuing CA's slug (for its CRL URL).
 */
export async function fetchCaFiles(baseURL: string, dir: string): Promise<{ issuingSlug: string }> {
  const algorithms = [process.env.CA_ALGORITHM, ...ALGORITHMS].filter((a): a is string => Boolean(a));
  for (const alg of algorithms) {
    const issuing = await fetchOk(`${baseURL}/pki/ca/issuing-${alg}.pem`);
    if (!issuing) continue;
    const root = await fetchOk(`${baseURL}/pki/ca/root-${alg}.pem`);
    if (!root) throw new Error(`issuing-${alg} is published but root-${alg} is not`);
    writeFileSync(path.join(dir, "issuing.pem"), issuing);
    writeFileSync(path.join(dir, "root.pem"), root);
    const chain = opensslIn(dir, ["verify", "-CAfile", "root.pem", "issuing.pem"]);
    expect(chain.out, "the issuing CA chains to the root").toContain("issuing.pem: OK");
    return { issuingSlug: `issuing-${alg}` };
  }
  throw new Error(`no issuing CA published at ${baseURL}/pki/ca/`);
}

const bareHex = (hex: string) => hex.replace(/^0x/i, "").replace(/^0+/, "").toUpperCase();

/** The entry of `serialHex` in `openssl crl -text` output (its lines up to the next entry), or null. */
function crlEntry(crlText: string, serialHex: string): string | null {
  const entries = crlText.split(/(?=^\s*Serial Number:)/m);
  const want = bareHex(serialHex);
  for (const e of entries) {
    const m = /^\s*Serial Number:\s*([0-9A-F]+)/i.exec(e);
    if (m?.[1] && bareHex(m[1]) === want) return e;
  }
  return null;
}

/** The issuing CA's current CRL, signature checked by openssl; answers `openssl crl -text`. */
export async function currentCrlText(baseURL: string, dir: string, issuingSlug: string): Promise<string> {
  const der = await fetchOk(`${baseURL}/pki/crl/${issuingSlug}.crl`);
  if (!der) throw new Error(`no CRL for ${issuingSlug}`);
  writeFileSync(path.join(dir, "current.crl.der"), der);
  const verified = opensslIn(dir, [
    "crl",
    "-inform",
    "DER",
    "-in",
    "current.crl.der",
    "-CAfile",
    "issuing.pem",
    "-noout",
  ]);
  expect(verified.out, "the CRL is signed by the issuing CA").toContain("verify OK");
  const text = opensslIn(dir, ["crl", "-inform", "DER", "-in", "current.crl.der", "-noout", "-text"]);
  if (text.code !== 0) throw new Error(`openssl crl: ${text.out}`);
  return text.out;
}

/** `openssl ocsp` for the serial against the app's responder (`nonce`: a fresh signed answer). */
export function ocspBySerial(baseURL: string, dir: string, serialHex: string, nonce = false): string {
  const r = opensslIn(dir, [
    "ocsp",
    "-issuer",
    "issuing.pem",
    "-serial",
    `0x${bareHex(serialHex)}`,
    "-url",
    `${baseURL}/pki/ocsp`,
    "-CAfile",
    "root.pem",
    ...(nonce ? [] : ["-no_nonce"]),
  ]);
  return r.out;
}

/**
 * The serial is listed in the issuing CA's published CRL (with the reason, when given) and the OCSP
 * responder answers revoked (with the reason), with and without a nonce. Both must say so within
 * seconds of the revocation. The CA files are fetched into `dir`.
 */
export async function expectRevokedInCrlAndOcsp(
  baseURL: string,
  dir: string,
  serialHex: string,
  reason?: RevocationReason,
): Promise<void> {
  if (!existsSync(dir)) throw new Error(`no directory ${dir}`);
  const { issuingSlug } = await fetchCaFiles(baseURL, dir);
  const shown = `0x${bareHex(serialHex)}`.toLowerCase();

  await expect(async () => {
    const entry = crlEntry(await currentCrlText(baseURL, dir, issuingSlug), serialHex);
    expect(entry, `serial ${serialHex} is in the CRL`).not.toBeNull();
    expect(entry).toContain("Revocation Date:");
    if (reason) expect(entry).toContain(`X509v3 CRL Reason Code:`);
    if (reason) expect(entry).toContain(CRL_REASON_TEXT[reason]);
  }).toPass({ timeout: 10_000, intervals: [250, 500, 1000] });

  await expect(async () => {
    for (const nonce of [false, true]) {
      const out = ocspBySerial(baseURL, dir, serialHex, nonce);
      expect(out).toContain("Response verify OK");
      expect(out.toLowerCase()).toContain(`${shown}: revoked`);
      expect(out).toContain("Revocation Time:");
      if (reason) expect(out).toContain(`Reason: ${reason}`);
    }
  }).toPass({ timeout: 10_000, intervals: [250, 500, 1000] });
}

/** The OCSP responder still answers good for the serial (the successor certificate, say). */
export function expectGoodInOcsp(baseURL: string, dir: string, serialHex: string): void {
  const out = ocspBySerial(baseURL, dir, serialHex, true);
  expect(out).toContain("Response verify OK");
  expect(out.toLowerCase()).toContain(`0x${bareHex(serialHex)}: good`.toLowerCase());
}
