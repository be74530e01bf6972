import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openKey } from "@certhall/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseMasterKey } from "../../config";
import { verifyAuditChain } from "../audit/audit.service";
import { createCaService } from "./ca.service";
import { type CaTestApp, createCaTestApp, ENTERPRISE, makeCsr, opensslOk, write } from "./test-support";

let t: CaTestApp;
beforeAll(async () => {
  t = await createCaTestApp();
});
afterAll(async () => {
  await t?.close();
});

const system = { type: "system" as const, id: "test" };

describe("CA keys at rest", () => {
  it("stores the issuing key sealed, never as plaintext PKCS#8, opens it only with the master key, and holds no root key", async () => {
    const rows = await t.database.db.selectFrom("pki_cas").selectAll().execute();
    expect(rows.length).toBe(2);
    // DESIGN §9: the root key is the ceremony's (a sealed file), never in the database.
    expect(rows.find((r) => r.role === "root")!.key_sealed).toBeNull();
    for (const row of rows.filter((r) => r.role === "issuing")) {
      const sealed = Buffer.from(row.key_sealed!, "base64");
      // A PKCS#8 PrivateKeyInfo is a DER SEQUENCE (0x30) starting with version 0; the envelope is "CHK".
      expect(sealed.subarray(0, 3).toString()).toBe("CHK");
      expect(row.key_sealed).not.toContain("PRIVATE KEY");
      const pkcs8 = openKey(sealed, t.config.ca.masterKey);
      expect(pkcs8[0]).toBe(0x30);
      // The plaintext appears nowhere in the stored text.
      expect(sealed.includes(pkcs8.subarray(-40))).toBe(false);
      const cert = new X509Certificate(row.cert_pem);
      const pub = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }));
      expect(cert.publicKey.export({ type: "spki", format: "der" })).toEqual(
        pub.export({ type: "spki", format: "der" }),
      );
      expect(() => openKey(sealed, Buffer.alloc(32, 7))).toThrow(/主密钥错误|篡改/);
    }
  });

  it("refuses to load the CA with a different master key", async () => {
    const other = createCaService({
      db: t.database.db,
      clock: () => new Date(),
      config: { ...t.config, ca: { ...t.config.ca, masterKey: Buffer.alloc(32, 1) } },
    });
    await expect(other.loadAll()).rejects.toThrow(/主密钥错误|篡改/);
  });

  it("keeps the hierarchy on a second start instead of creating another one", async () => {
    const again = createCaService({ db: t.database.db, clock: () => new Date(), config: t.config });
    const issuing = await again.bootstrap();
    expect(issuing.id).toBe(t.ca.issuing().id);
    expect(await t.database.db.selectFrom("pki_cas").select("id").execute()).toHaveLength(2);
  });
});

describe("CA configuration", () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), "certhall-cfg-"));

  it("refuses to start in production without CA_MASTER_KEY", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: dir(), SECRET_KEY: "x".repeat(40) })).toThrow(
      /CA_MASTER_KEY/,
    );
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: dir(), SECRET_KEY: "x".repeat(40) })).toThrow(
      ConfigError,
    );
  });

  it("accepts a master key as 64 hex characters or base64 of 32 bytes and nothing shorter", () => {
    const hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    expect(parseMasterKey(hex)).toEqual(Buffer.from(hex, "hex"));
    expect(parseMasterKey(Buffer.from(hex, "hex").toString("base64"))).toEqual(Buffer.from(hex, "hex"));
    expect(() => parseMasterKey("abcd")).toThrow(ConfigError);
    expect(() => parseMasterKey(Buffer.alloc(16).toString("base64"))).toThrow(ConfigError);
    const c = loadConfig({
      NODE_ENV: "production",
      DATA_DIR: dir(),
      SECRET_KEY: "x".repeat(40),
      CA_MASTER_KEY: hex,
      AUDIT_KEY: hex,
    });
    expect(c.ca.masterKey.toString("hex")).toBe(hex);
    // Production without a service token: the service API is off rather than guessable.
    expect(c.ca.serviceToken).toBeNull();
  });

  it("needs the module, token, key and PIN for CA_SIGNER=pkcs11, and caps the ARL at 365 days", () => {
    const base = {
      DATA_DIR: dir(),
      CA_SIGNER: "pkcs11",
      CA_PKCS11_MODULE: "/usr/lib/softhsm/libsofthsm2.so",
    };
    expect(() => loadConfig(base)).toThrow(/CA_PKCS11_TOKEN_LABEL/);
    const full = { ...base, CA_PKCS11_TOKEN_LABEL: "ca", CA_PKCS11_KEY_LABEL: "issuing" };
    expect(() => loadConfig(full)).toThrow(/CA_PKCS11_PIN/);
    const pinFile = path.join(dir(), "pin");
    writeFileSync(pinFile, "123456\n");
    expect(loadConfig({ ...full, CA_PKCS11_PIN_FILE: pinFile }).ca.signer).toMatchObject({
      kind: "pkcs11",
      pin: "123456",
    });
    expect(() => loadConfig({ DATA_DIR: dir(), CA_ARL_DAYS: "366" })).toThrow(/CA_ARL_DAYS/);
  });

  it("generates a development master key file readable by the owner only", async () => {
    const d = dir();
    const c = loadConfig({ NODE_ENV: "development", DATA_DIR: d });
    const { statSync } = await import("node:fs");
    expect(statSync(path.join(d, "ca-master.key")).mode & 0o777).toBe(0o600);
    expect(c.ca.masterKey).toHaveLength(32);
    expect(loadConfig({ NODE_ENV: "development", DATA_DIR: d }).ca.masterKey).toEqual(c.ca.masterKey);
    expect(c.ca.serviceToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });
});

describe("CRL schedule", () => {
  it("re-signs the CRL once half its validity has passed, and not before", async () => {
    let now = Date.now();
    const ca = createCaService({ db: t.database.db, clock: () => new Date(now), config: t.config });
    await ca.loadAll();
    const slug = ca.issuing().slug;
    const first = await ca.currentCrl(slug);
    expect(await ca.refreshCrls()).toEqual([]);
    now += (t.config.ca.crlNextUpdateHours / 2) * 3600_000 + 1000;
    const refreshed = await ca.refreshCrls();
    const mine = refreshed.find((c) => c.ca === slug)!;
    expect(mine.number).toBeGreaterThan(first.number);
    expect(mine.nextUpdate.getTime()).toBe(
      mine.thisUpdate.getTime() + t.config.ca.crlNextUpdateHours * 3600_000,
    );
    expect((await ca.currentCrl(slug)).number).toBe(mine.number);
  });
});

describe("issuance under load", () => {
  it("stores every concurrently issued certificate with its OCSP response and audit entry, chain intact", async () => {
    const csrs = await Promise.all(Array.from({ length: 6 }, (_, i) => makeCsr(t.dir, "p256", `many${i}`)));
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.ca.issue(system, {
          csrPem: csrs[i % csrs.length]!,
          profile: "enterprise-sign",
          subject: ENTERPRISE,
        }),
      ),
    );
    const serials = results.map((r) => r.serialHex);
    expect(new Set(serials).size).toBe(60);
    const db = t.database.db;
    const certs = await db
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("serial_hex", "in", serials)
      .execute();
    const ocsp = await db
      .selectFrom("pki_ocsp_responses")
      .select("serial_hex")
      .where("serial_hex", "in", serials)
      .execute();
    const audits = await db
      .selectFrom("audit_log")
      .select("object_id")
      .where("action", "=", "pki.certificate.issued")
      .where("object_id", "in", serials)
      .execute();
    expect(certs).toHaveLength(60);
    expect(ocsp).toHaveLength(60);
    expect(audits).toHaveLength(60);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

describe("revocation bookkeeping", () => {
  it("replaces the stored OCSP response in the revoking transaction and publishes a CRL with a higher number in the background", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "svc1");
    const issued = await t.ca.issue(system, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
    const slug = t.ca.issuing().slug;
    const before = await t.ca.currentCrl(slug);
    const stored = () =>
      t.database.db
        .selectFrom("pki_ocsp_responses")
        .selectAll()
        .where("serial_hex", "=", issued.serialHex)
        .execute();
    expect((await stored()).map((r) => r.status)).toEqual(["good"]);
    await t.ca.revoke(system, { serialHex: issued.serialHex, reason: "affiliationChanged" });
    expect((await stored()).map((r) => r.status)).toEqual(["revoked"]);
    await t.ca.flushCrls();
    const after = await t.ca.currentCrl(slug);
    expect(after.number).toBeGreaterThan(before.number);
    expect(after.entries).toBe(before.entries + 1);
    const crls = await t.database.db
      .selectFrom("pki_crls")
      .select("crl_number")
      .where("ca_id", "=", t.ca.issuing().id)
      .orderBy("crl_number")
      .execute();
    // Old CRLs are kept, numbers strictly increase.
    const numbers = crls.map((c) => Number(c.crl_number));
    expect(numbers).toEqual([...new Set(numbers)].sort((a, b) => a - b));
    expect(numbers.at(-1)).toBe(after.number);
  });

  it("answers revoked from a server whose OCSP cache was warm when another process (the CLI) revoked", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "xproc");
    const server = createCaService({
      db: t.database.db,
      clock: () => new Date(),
      config: t.config,
      revocationSyncMs: 0,
    });
    await server.loadAll();
    const issued = await server.issue(system, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
    const issuer = server.issuing();
    write(t.dir, "xproc.pem", issued.certificatePem);
    write(t.dir, "xproc-issuer.pem", issuer.certPem);
    await opensslOk(
      ["ocsp", "-issuer", "xproc-issuer.pem", "-cert", "xproc.pem", "-no_nonce", "-reqout", "xproc.req"],
      t.dir,
    );
    const req = readFileSync(path.join(t.dir, "xproc.req"));
    const status = async () => {
      write(t.dir, "xproc.resp", (await server.ocsp(req)).der);
      return opensslOk(
        [
          "ocsp",
          "-respin",
          "xproc.resp",
          "-issuer",
          "xproc-issuer.pem",
          "-cert",
          "xproc.pem",
          "-no_nonce",
          "-noverify",
        ],
        t.dir,
      );
    };
    expect(await status()).toContain("xproc.pem: good");
    const cli = createCaService({ db: t.database.db, clock: () => new Date(), config: t.config });
    await cli.loadAll();
    await cli.revoke(system, { serialHex: issued.serialHex, reason: "keyCompromise" });
    expect(await status()).toContain("xproc.pem: revoked");
  });

  it("keeps one revocation when two race for the same serial", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "race");
    const issued = await t.ca.issue(system, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
    const results = await Promise.allSettled([
      t.ca.revoke(system, { serialHex: issued.serialHex, reason: "keyCompromise" }),
      t.ca.revoke(system, { serialHex: issued.serialHex, reason: "superseded" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason.code).toBe("CONFLICT");
    const audits = await t.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("object_id", "=", issued.serialHex)
      .where("action", "=", "pki.certificate.revoked")
      .execute();
    expect(audits).toHaveLength(1);
  });
});
