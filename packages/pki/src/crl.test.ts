import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCrl, crlPem, type RevokedEntry } from "./crl";
import { children, readOne } from "./der";
import type { PkiError } from "./errors";
import { type CaHierarchy, createCaHierarchy } from "./hierarchy";
import { sm2Verify } from "./sm2";
import { openssl, opensslOk, removeDir, tmpDir, write } from "./test-support";

const NOW = new Date("2025-03-01T08:00:00Z");
const THIS_UPDATE = new Date("2025-06-01T00:00:00Z");
const NEXT_UPDATE = new Date("2025-06-02T00:00:00Z");
let dir: string;
let p256: CaHierarchy;

afterAll(() => removeDir(dir));

beforeAll(async () => {
  dir = tmpDir();
  p256 = await createCaHierarchy({ algorithm: "ecdsa-p256", rootName: "根", issuingName: "签发", now: NOW });
  write(dir, "chain.pem", p256.issuing.certPem + p256.root.certPem);
});

const issuer = () => ({ certDer: p256.issuing.certDer, signer: p256.issuing.signer });

/** `openssl crl` verifies the signature with -CAfile and prints the list. */
function opensslCrlText(der: Buffer): string {
  write(dir, "list.crl", der);
  const r = openssl(
    ["crl", "-inform", "DER", "-in", "list.crl", "-CAfile", "chain.pem", "-noout", "-text"],
    dir,
  );
  if (r.status !== 0) throw new Error(r.out);
  expect(r.stderr).toMatch(/verify OK/);
  return r.stdout;
}

describe("buildCrl", () => {
  it("lists revoked serials with reasons and invalidity dates, signed so openssl verifies it", async () => {
    const entries: RevokedEntry[] = [
      {
        serialHex: "1a2b3c4d5e6f708192a3b4c5d6e7f801",
        revokedAt: new Date("2025-05-01T02:03:04Z"),
        reason: "keyCompromise",
        invalidityDate: new Date("2025-04-30T00:00:00Z"),
      },
      {
        serialHex: "7fffffffffffffffffffffffffffffff",
        revokedAt: new Date("2025-05-02T00:00:00Z"),
        reason: "superseded",
      },
      { serialHex: "01", revokedAt: new Date("2025-05-03T00:00:00Z"), reason: "cessationOfOperation" },
      { serialHex: "80", revokedAt: new Date("2025-05-04T00:00:00Z"), reason: "unspecified" },
    ];
    const der = await buildCrl({
      issuer: issuer(),
      entries,
      crlNumber: 42,
      thisUpdate: THIS_UPDATE,
      nextUpdate: NEXT_UPDATE,
    });
    const t = opensslCrlText(der);
    expect(t).toMatch(/Version 2 \(0x1\)/);
    expect(t).toMatch(/Last Update: Jun {2}1 00:00:00 2025 GMT/);
    expect(t).toMatch(/Next Update: Jun {2}2 00:00:00 2025 GMT/);
    expect(t).toMatch(/X509v3 CRL Number: \s+42/);
    expect(t).toMatch(/X509v3 Authority Key Identifier: \s+[0-9A-F:]{59}/);
    expect(t).toMatch(
      /Serial Number: 1A2B3C4D5E6F708192A3B4C5D6E7F801\s+Revocation Date: May {2}1 02:03:04 2025 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code: \s+Key Compromise\s+Invalidity Date: \s+Apr 30 00:00:00 2025 GMT/,
    );
    expect(t).toMatch(
      /Serial Number: 7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\s+Revocation Date: May {2}2 00:00:00 2025 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code: \s+Superseded/,
    );
    expect(t).toMatch(
      /Serial Number: 01\s+Revocation Date: May {2}3 00:00:00 2025 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code: \s+Cessation Of Operation/,
    );
    // RFC 5280 5.3.1: "unspecified" is expressed by leaving the reason code out; 0x80 stays positive.
    expect(t).toMatch(
      /Serial Number: 80\s+Revocation Date: May {2}4 00:00:00 2025 GMT\s+Signature Algorithm/,
    );
  });

  it("omits the revoked list entirely when nothing is revoked", async () => {
    const der = await buildCrl({
      issuer: issuer(),
      entries: [],
      crlNumber: 1,
      thisUpdate: THIS_UPDATE,
      nextUpdate: NEXT_UPDATE,
    });
    expect(opensslCrlText(der)).toMatch(/No Revoked Certificates/);
    expect(crlPem(der)).toMatch(/^-----BEGIN X509 CRL-----\n/);
  });

  it("builds a 100,000-entry CRL quickly and openssl verifies and lists every entry", async () => {
    const entries: RevokedEntry[] = [];
    for (let i = 0; i < 100_000; i++) {
      entries.push({
        serialHex: `${(0x10000000 + i).toString(16)}abcdef0123456789abcdef01`,
        revokedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
        reason: i % 3 === 0 ? "keyCompromise" : i % 3 === 1 ? "superseded" : undefined,
      });
    }
    const started = performance.now();
    const der = await buildCrl({
      issuer: issuer(),
      entries,
      crlNumber: 7n,
      thisUpdate: THIS_UPDATE,
      nextUpdate: NEXT_UPDATE,
    });
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(3000);
    const t = opensslCrlText(der);
    expect(t.match(/Serial Number: /g)?.length).toBe(100_000);
    expect(t).toContain("Serial Number: 1001869FABCDEF0123456789ABCDEF01");
  });

  it("signs SM2 CRLs with SM3withSM2 that openssl reads", async () => {
    const sm2 = await createCaHierarchy({ algorithm: "sm2", rootName: "根", issuingName: "签发", now: NOW });
    const der = await buildCrl({
      issuer: { certDer: sm2.issuing.certDer, signer: sm2.issuing.signer },
      entries: [{ serialHex: "0abc", revokedAt: THIS_UPDATE, reason: "affiliationChanged" }],
      crlNumber: 3,
      thisUpdate: THIS_UPDATE,
      nextUpdate: NEXT_UPDATE,
    });
    write(dir, "sm2.crl", der);
    const t = opensslOk(["crl", "-inform", "DER", "-in", "sm2.crl", "-noout", "-text"], dir);
    expect(t).toMatch(/Signature Algorithm: SM2-with-SM3/);
    expect(t).toMatch(/Serial Number: 0ABC[\s\S]*Affiliation Changed/);
    const [tbs, , sig] = children(readOne(der));
    expect(sm2Verify(tbs!.raw, sig!.value.subarray(1), sm2.issuing.signer.publicKeySpki.subarray(-65))).toBe(
      true,
    );
  });

  it("refuses bad serials, removeFromCRL in a full CRL, and a nextUpdate not after thisUpdate", async () => {
    const base = { issuer: issuer(), crlNumber: 1, thisUpdate: THIS_UPDATE, nextUpdate: NEXT_UPDATE };
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: PkiError) => e.code,
      );
    expect(await code(buildCrl({ ...base, entries: [{ serialHex: "xyz", revokedAt: THIS_UPDATE }] }))).toBe(
      "PKI_BAD_INPUT",
    );
    expect(
      await code(
        buildCrl({
          ...base,
          entries: [{ serialHex: "01", revokedAt: THIS_UPDATE, reason: "removeFromCRL" }],
        }),
      ),
    ).toBe("PKI_BAD_INPUT");
    expect(await code(buildCrl({ ...base, entries: [], nextUpdate: THIS_UPDATE }))).toBe("PKI_BAD_INPUT");
  });
});
