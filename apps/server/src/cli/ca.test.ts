import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENTERPRISE, makeCsr, openssl, opensslOk, write } from "../modules/pki/test-support";
import { createTestDatabase } from "../test/harness";
import { runCli } from "./main";

type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;

/** The environment that points the CLI at a test database (SQLite file or PostgreSQL schema). */
function envOf(db: TestDb, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const c = db.config;
  return {
    NODE_ENV: "test",
    DATA_DIR: c.dataDir,
    LOG_LEVEL: "silent",
    SECRET_KEY: "test-secret-key-test-secret-key-0123456789",
    PUBLIC_URL: "http://cli.test.example",
    ...(c.database.kind === "postgres"
      ? { DATABASE_URL: c.database.url, ...(c.database.schema ? { DATABASE_SCHEMA: c.database.schema } : {}) }
      : {}),
    ...extra,
  };
}

async function cli(db: TestDb, argv: string[], extra: Record<string, string> = {}) {
  const lines: string[] = [];
  const code = await runCli(argv, (s) => lines.push(s), envOf(db, extra));
  return { code, out: lines.join("\n") };
}

let db: TestDb;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = db.config.dataDir;
});
afterAll(async () => {
  await db?.cleanup();
});

describe("certhall ca", () => {
  it("initialises the hierarchy once, issues, revokes and publishes a CRL that openssl reads", async () => {
    const init = await cli(db, ["ca", "init"]);
    expect(init.code).toBe(0);
    expect(init.out).toContain("已创建 CA");
    const again = await cli(db, ["ca", "init"]);
    expect(again.out).toContain("CA 已存在");

    const info = await cli(db, ["ca", "info"]);
    expect(info.code).toBe(0);
    expect(info.out).toContain("root-ecdsa-p256");
    expect(info.out).toContain("http://cli.test.example/pki/crl/issuing-ecdsa-p256.crl");

    const exported = path.join(dir, "export");
    expect((await cli(db, ["ca", "export", "--out", exported])).code).toBe(0);
    expect(existsSync(path.join(exported, "chain.pem"))).toBe(true);
    expect(readFileSync(path.join(exported, "chain.pem"), "utf8")).not.toContain("PRIVATE KEY");

    await makeCsr(dir, "p256", "cli1");
    const issued = await cli(db, [
      "ca",
      "issue",
      "--csr",
      path.join(dir, "cli1.csr"),
      "--profile",
      "enterprise-sign",
      "--subject-json",
      JSON.stringify(ENTERPRISE),
      "--years",
      "2",
      "--out",
      path.join(dir, "cli1.pem"),
    ]);
    expect(issued.code).toBe(0);
    const serial = /序列号 ([0-9a-f]+)/.exec(issued.out)![1]!;
    const verify = await opensslOk(
      [
        "verify",
        "-CAfile",
        "root-ecdsa-p256.crt",
        "-untrusted",
        "issuing-ecdsa-p256.crt",
        path.join(dir, "cli1.pem"),
      ],
      exported,
    );
    expect(verify).toContain(": OK");
    const dates = await opensslOk(["x509", "-in", "cli1.pem", "-noout", "-enddate"], dir);
    expect(dates).toContain(String(new Date().getUTCFullYear() + 2));

    const revoked = await cli(db, ["ca", "revoke", "--serial", serial, "--reason", "keyCompromise"]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain("已吊销");

    const crl = await cli(db, ["ca", "crl", "--out", path.join(dir, "cli.crl")]);
    expect(crl.out).toMatch(/1 条吊销记录/);
    const text = await openssl(
      [
        "crl",
        "-inform",
        "DER",
        "-in",
        "cli.crl",
        "-CAfile",
        path.join(exported, "issuing-ecdsa-p256.crt"),
        "-noout",
        "-text",
      ],
      dir,
    );
    expect(text.out).toContain("verify OK");
    expect(text.out).toContain(serial.toUpperCase());
  });

  it("hands out no OCSP responder certificate and says which policy OID is in use", async () => {
    await makeCsr(dir, "p256", "cliresponder");
    const before = await db.database.db.selectFrom("pki_certificates").select("serial_hex").execute();
    await expect(
      cli(db, [
        "ca",
        "issue",
        "--csr",
        path.join(dir, "cliresponder.csr"),
        "--profile",
        "ocsp-responder",
        "--subject-json",
        '{"kind":"dn","attributes":[{"type":"CN","value":"OCSP"}]}',
        "--out",
        path.join(dir, "cliresponder.pem"),
      ]),
    ).rejects.toThrow(/未知的证书模板“ocsp-responder”/);
    expect(existsSync(path.join(dir, "cliresponder.pem"))).toBe(false);
    expect(await db.database.db.selectFrom("pki_certificates").select("serial_hex").execute()).toEqual(
      before,
    );
    expect((await cli(db, ["ca", "info"])).out).toMatch(
      /证书策略\s+1\.3\.6\.1\.5\.5\.7\.13\.1（RFC 7229 测试策略，仅为占位/,
    );
  });

  it("refuses an unknown reason and a second revocation with Chinese messages", async () => {
    await makeCsr(dir, "p256", "cli2");
    const issued = await cli(db, [
      "ca",
      "issue",
      "--csr",
      path.join(dir, "cli2.csr"),
      "--profile",
      "person-sign",
      "--subject-json",
      '{"kind":"person","name":"李四"}',
      "--out",
      path.join(dir, "cli2.pem"),
    ]);
    const serial = /序列号 ([0-9a-f]+)/.exec(issued.out)![1]!;
    await expect(cli(db, ["ca", "revoke", "--serial", serial, "--reason", "whatever"])).rejects.toThrow(
      /吊销原因/,
    );
    await cli(db, ["ca", "revoke", "--serial", serial, "--reason", "superseded"]);
    await expect(cli(db, ["ca", "revoke", "--serial", serial, "--reason", "superseded"])).rejects.toThrow(
      /不能重复吊销/,
    );
  });
});

describe("certhall ca init --import-cert", () => {
  let other: TestDb;
  beforeAll(async () => {
    other = await createTestDatabase();
  });
  afterAll(async () => {
    await other?.cleanup();
  });

  it("imports an existing openssl CA, refuses a mismatched key, and issues under the imported CA", async () => {
    const d = other.config.dataDir;
    const ext = [
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ];
    for (const name of ["ext-ca", "ext-other"]) {
      await opensslOk(
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          `${name}.key`,
          "-subj",
          `/C=CN/O=Imported/CN=${name}`,
          "-days",
          "3650",
          ...ext,
          "-out",
          `${name}.pem`,
        ],
        d,
      );
    }
    await expect(
      cli(other, [
        "ca",
        "init",
        "--import-cert",
        path.join(d, "ext-ca.pem"),
        "--import-key",
        path.join(d, "ext-other.key"),
      ]),
    ).rejects.toThrow(/不匹配/);
    const init = await cli(other, [
      "ca",
      "init",
      "--import-cert",
      path.join(d, "ext-ca.pem"),
      "--import-key",
      path.join(d, "ext-ca.key"),
    ]);
    expect(init.code).toBe(0);
    expect(init.out).toContain("已导入 CA");
    await makeCsr(d, "p256", "imp1");
    write(d, "subject.json", JSON.stringify(ENTERPRISE));
    const issued = await cli(other, [
      "ca",
      "issue",
      "--csr",
      path.join(d, "imp1.csr"),
      "--profile",
      "eseal",
      "--subject-json",
      JSON.stringify(ENTERPRISE),
      "--out",
      path.join(d, "imp1.pem"),
    ]);
    expect(issued.code).toBe(0);
    expect(await opensslOk(["verify", "-CAfile", "ext-ca.pem", "imp1.pem"], d)).toContain("imp1.pem: OK");
    // The imported key is sealed in the database like a generated one.
    const rows = await other.database.db.selectFrom("pki_cas").select(["key_sealed", "imported"]).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.imported).toBe(1);
    expect(Buffer.from(rows[0]!.key_sealed!, "base64").subarray(0, 3).toString()).toBe("CHK");
    expect(readFileSync(path.join(d, "ext-ca.key"), "utf8")).toContain("PRIVATE KEY");
  });
});

describe("certhall ca ceremony", () => {
  it("signs the ARL, revokes the issuing CA with the root key file, and points ca revoke at it", async () => {
    const other = await createTestDatabase();
    try {
      const d = other.config.dataDir;
      // A production-like ceremony: the root key file and passphrase outside DATA_DIR.
      const offline = mkdtempSync(path.join(os.tmpdir(), "certhall-offline-"));
      const pass = write(offline, "pass", "a long ceremony passphrase\n");
      const rootKey = path.join(offline, "root.key");
      const flags = ["--root-key", rootKey, "--passphrase-file", pass];
      expect((await cli(other, ["ca", "ceremony", "init", ...flags])).out).toContain("已创建根 CA");
      await expect(cli(other, ["ca", "ceremony", "init", ...flags])).rejects.toThrow(/的根 CA 已存在/);
      const signed = await cli(other, ["ca", "ceremony", "sign-issuing", ...flags]);
      expect(signed.out).toContain("已签发签发 CA");
      const exported = path.join(d, "export");
      await cli(other, ["ca", "export", "--out", exported]);
      const issuingSerial = (
        await opensslOk(["x509", "-in", "issuing-ecdsa-p256.crt", "-noout", "-serial"], exported)
      )
        .replace("serial=", "")
        .trim();

      const arl = await cli(other, [
        "ca",
        "ceremony",
        "sign-arl",
        ...flags,
        "--out",
        path.join(d, "arl.der"),
      ]);
      expect(arl.out).toMatch(/0 条吊销记录/);
      const arlCheck = await openssl(
        [
          "crl",
          "-inform",
          "DER",
          "-in",
          "arl.der",
          "-CAfile",
          path.join(exported, "root-ecdsa-p256.crt"),
          "-noout",
        ],
        d,
      );
      expect(arlCheck.out).toContain("verify OK");
      const wrong = write(offline, "wrong", "not the right passphrase");
      await expect(
        cli(other, ["ca", "ceremony", "sign-arl", "--root-key", rootKey, "--passphrase-file", wrong]),
      ).rejects.toThrow(/口令错误/);

      await expect(cli(other, ["ca", "revoke", "--serial", issuingSerial])).rejects.toThrow(
        /ceremony revoke-issuing/,
      );
      const revoked = await cli(other, [
        "ca",
        "ceremony",
        "revoke-issuing",
        ...flags,
        "--serial",
        issuingSerial,
      ]);
      expect(revoked.out).toMatch(/已吊销签发 CA.*1 条吊销记录/);
      rmSync(offline, { recursive: true, force: true });
    } finally {
      await other.cleanup();
    }
  });
});
