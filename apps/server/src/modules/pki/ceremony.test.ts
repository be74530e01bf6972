import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { openRootKeyFile, sealKey } from "@certhall/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/harness";
import { createCaService } from "./ca.service";
import { createCeremony, rootKeyAccess } from "./ceremony";
import {
  type CaTestApp,
  createCaTestApp,
  derToPem,
  ENTERPRISE,
  makeCsr,
  openssl,
  opensslOk,
  write,
} from "./test-support";

// DESIGN §9 / issue 12 item 2: the root key is offline (a passphrase-sealed file the ceremony opens),
// the server publishes the issuing CA and the root's ARL, and the whole chain checks with
// `openssl verify -crl_check_all` until the ceremony revokes the issuing CA.
let t: CaTestApp;
const system = { type: "system" as const, id: "test" };

beforeAll(async () => {
  t = await createCaTestApp();
});
afterAll(async () => {
  await t?.close();
});

const root = () => t.ca.list().find((c) => c.role === "root")!;

/** The CRL served at `url` (DER) written as PEM for openssl. */
async function servedCrl(url: string, file: string): Promise<void> {
  const res = await t.app.inject({ method: "GET", url: new URL(url).pathname });
  expect(res.statusCode).toBe(200);
  write(t.dir, file, derToPem(res.rawPayload, "X509 CRL"));
}

async function issueLeaf(name: string): Promise<void> {
  const csrPem = await makeCsr(t.dir, "p256", name);
  const leaf = await t.ca.issue(system, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
  write(t.dir, `${name}.pem`, leaf.certificatePem);
}

/** root → issuing → leaf with both served CRLs (the ARL from the CDP of the issuing CA certificate). */
async function verifyChain(issuingPem: string, leaf: string) {
  write(t.dir, "root.pem", root().certPem);
  write(t.dir, "issuing.pem", issuingPem);
  const text = await opensslOk(
    ["x509", "-in", "issuing.pem", "-noout", "-ext", "crlDistributionPoints,authorityInfoAccess"],
    t.dir,
  );
  const arlUrl = /URI:(\S+\.crl)/.exec(text)![1]!;
  const crlUrl = /URI:(\S+\.crl)/.exec(
    await opensslOk(["x509", "-in", `${leaf}.pem`, "-noout", "-ext", "crlDistributionPoints"], t.dir),
  )![1]!;
  await servedCrl(arlUrl, "arl.pem");
  await servedCrl(crlUrl, "crl.pem");
  return openssl(
    [
      "verify",
      "-crl_check_all",
      "-CAfile",
      "root.pem",
      "-untrusted",
      "issuing.pem",
      "-CRLfile",
      "arl.pem",
      "-CRLfile",
      "crl.pem",
      `${leaf}.pem`,
    ],
    t.dir,
  );
}

describe("the embedded default runs the ceremony itself", () => {
  it("keeps the root key out of the database and out of the server's CA service", async () => {
    const rows = await t.database.db.selectFrom("pki_cas").selectAll().execute();
    expect(rows.find((r) => r.role === "root")?.key_sealed).toBeNull();
    expect(root().signer).toBeNull();
    // It is in the sealed file beside the data instead, and the passphrase opens it.
    const access = rootKeyAccess(t.config);
    expect(access.rootKeyFile).toBe(t.config.ca.rootKeyFile);
    const text = readFileSync(access.rootKeyFile, "utf8");
    expect(text).not.toContain("PRIVATE KEY");
    const material = openRootKeyFile(text, access.passphrase);
    const dump = JSON.stringify(await t.database.db.selectFrom("pki_cas").selectAll().execute());
    expect(dump.includes(material.keyPkcs8.toString("base64"))).toBe(false);
    expect(material.certificatePem.replace(/\s+/g, "")).toBe(root().certPem.replace(/\s+/g, ""));
  });

  it("gives the issuing CA AIA (root certificate) and CDP (root ARL) that the server serves", async () => {
    const issuing = t.ca.issuing();
    write(t.dir, "issuing.pem", issuing.certPem);
    const text = await opensslOk(["x509", "-in", "issuing.pem", "-noout", "-text"], t.dir);
    expect(text).toContain(`CA Issuers - URI:http://ca.test.example/pki/ca/${root().slug}.crt`);
    expect(text).toContain(`URI:http://ca.test.example/pki/crl/${root().slug}.crl`);
    const cert = await t.app.inject({ method: "GET", url: `/pki/ca/${root().slug}.crt` });
    expect(cert.statusCode).toBe(200);
  });

  it("lets openssl verify -crl_check_all the chain root → issuing → leaf with the served ARL and CRL", async () => {
    await issueLeaf("leaf-ok");
    const r = await verifyChain(t.ca.issuing().certPem, "leaf-ok");
    expect(r.out).toContain("leaf-ok.pem: OK");
    // The ARL is signed by the root for months (CA_ARL_DAYS), not for the issuing CRL's hours.
    const arl = await opensslOk(["crl", "-in", "arl.pem", "-noout", "-nextupdate", "-lastupdate"], t.dir);
    const [last, next] = [/lastUpdate=(.*)/.exec(arl)![1]!, /nextUpdate=(.*)/.exec(arl)![1]!].map((d) =>
      Date.parse(d),
    );
    expect((next! - last!) / 86_400_000).toBe(t.config.ca.arlDays);
  });

  it("points `ca revoke` of the issuing CA at the ceremony instead of saying it does not exist", async () => {
    await expect(
      t.ca.revoke(system, { serialHex: serialOf(t.ca.issuing().certPem), reason: "keyCompromise" }),
    ).rejects.toThrow(/ceremony revoke-issuing/);
  });
});

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

describe("a root key file beside a new database", () => {
  it("publishes that root again (opened with its passphrase) and certifies a new issuing CA under it", async () => {
    const other = await createTestDatabase();
    try {
      const config = {
        ...other.config,
        ca: {
          ...other.config.ca,
          rootKeyFile: t.config.ca.rootKeyFile,
          rootPassphraseFile: t.config.ca.rootPassphraseFile,
        },
      };
      const fresh = createCaService({ db: other.database.db, clock: () => new Date(), config });
      const issuing = await fresh.bootstrap();
      const again = fresh.chainOf(issuing)[1]!;
      expect(again.certDer.equals(root().certDer)).toBe(true);
      expect(again.signer).toBeNull();
    } finally {
      await other.cleanup();
    }
  });
});

describe("ceremony revoke-issuing and sign-arl", () => {
  it("refuses a wrong passphrase", async () => {
    const ceremony = createCeremony(t.ca, { db: t.database.db, clock: () => new Date(), config: t.config });
    const access = { ...rootKeyAccess(t.config), passphrase: "not the passphrase" };
    await expect(ceremony.signArl(access, system)).rejects.toThrow(/口令错误/);
  });

  it("revokes the issuing CA: the chain check fails with certificate revoked, and it signs no more", async () => {
    await issueLeaf("leaf-2");
    const issuing = t.ca.issuing();
    const ceremony = createCeremony(t.ca, { db: t.database.db, clock: () => new Date(), config: t.config });
    const access = rootKeyAccess(t.config);
    const running = createCaService({ db: t.database.db, clock: () => new Date(), config: t.config });
    await running.loadAll();
    const arl = await ceremony.revokeIssuing(
      access,
      { serialHex: serialOf(issuing.certPem), reason: "cACompromise" },
      system,
    );
    expect(arl.entries).toBe(1);
    await ceremony.signArl(access, system);
    const r = await verifyChain(issuing.certPem, "leaf-2");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("certificate revoked");
    // A server that loaded it before stops signing with it at its next CRL pass (another process
    // revoked it: a fresh service stands in for that process's view), and so does a new start.
    expect(running.issuing().id).toBe(issuing.id);
    await running.refreshCrls();
    expect(() => running.issuing()).toThrow(/CA 尚未初始化/);

    const again = createCaService({ db: t.database.db, clock: () => new Date(), config: t.config });
    await again.loadAll();
    expect(() => again.issuing()).toThrow(/CA 尚未初始化/);
    await expect(
      ceremony.revokeIssuing(
        access,
        { serialHex: serialOf(issuing.certPem), reason: "cACompromise" },
        system,
      ),
    ).rejects.toThrow(/已吊销/);

    // A new issuing CA from the same root: its chain verifies again.
    const next = await createCeremony(again, {
      db: t.database.db,
      clock: () => new Date(),
      config: t.config,
    }).signIssuing(access, system);
    expect(next.id).not.toBe(issuing.id);
    const leafCsr = await makeCsr(t.dir, "p256", "leaf-3");
    write(
      t.dir,
      "leaf-3.pem",
      (await again.issue(system, { csrPem: leafCsr, profile: "enterprise-sign", subject: ENTERPRISE }))
        .certificatePem,
    );
    await t.ca.loadAll(); // the server under test publishes the new CA's CRL
    expect((await verifyChain(next.certPem, "leaf-3")).out).toContain("leaf-3.pem: OK");
  });
});

describe("a root key the server can read", () => {
  it("refuses a production start while the root key file is readable", async () => {
    const prod = createCaService({
      db: t.database.db,
      clock: () => new Date(),
      config: { ...t.config, env: "production" },
    });
    await expect(prod.bootstrap()).rejects.toThrow(/根 CA 私钥文件.*拒绝启动/);
  });

  it("moves a root key left in the database to the file in development, and refuses it in production", async () => {
    const access = rootKeyAccess(t.config);
    const material = openRootKeyFile(readFileSync(access.rootKeyFile, "utf8"), access.passphrase);
    // As an older version stored it: sealed under the master key in pki_cas.
    await t.database.db
      .updateTable("pki_cas")
      .set({ key_sealed: sealKey(material.keyPkcs8, t.config.ca.masterKey).toString("base64") })
      .where("role", "=", "root")
      .execute();
    rmSync(access.rootKeyFile);
    const prod = createCaService({
      db: t.database.db,
      clock: () => new Date(),
      config: { ...t.config, env: "production" },
    });
    await expect(prod.bootstrap()).rejects.toThrow(/数据库中存有根 CA 私钥/);
    expect(existsSync(access.rootKeyFile)).toBe(false);

    const warnings: string[] = [];
    const dev = createCaService({
      db: t.database.db,
      clock: () => new Date(),
      config: t.config,
      warn: (m) => warnings.push(m),
    });
    await dev.bootstrap();
    expect(warnings.join("\n")).toContain("根 CA 私钥已从数据库移到");
    const row = await t.database.db
      .selectFrom("pki_cas")
      .select("key_sealed")
      .where("role", "=", "root")
      .executeTakeFirstOrThrow();
    expect(row.key_sealed).toBeNull();
    expect(
      openRootKeyFile(readFileSync(access.rootKeyFile, "utf8"), access.passphrase).keyPkcs8.equals(
        material.keyPkcs8,
      ),
    ).toBe(true);
    expect(dev.list().find((c) => c.role === "root")!.signer).toBeNull();
  });
});
