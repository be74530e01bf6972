// Issue 12 items 1, 4, 5, 6, 8 and issue 18 item 10 (OCSP half) through the service API, against the
// real openssl binary, on SQLite or PostgreSQL (DATABASE_URL).
import { createCsr, localSigner } from "@certhall/pki";
import { weakRsaKey } from "@certhall/pki/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaTestApp,
  createCaTestApp,
  ENTERPRISE,
  makeCsr,
  openssl,
  opensslOk,
  TEST_SERVICE_TOKEN,
  write,
} from "./test-support";

const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };
const OTHER = { kind: "enterprise", name: "福州市另一科技有限公司", uscc: "91350100M000100Y43" };

let t: CaTestApp;

async function post(app: CaTestApp, url: string, body: Record<string, unknown>) {
  const res = await app.app.inject({ method: "POST", url, headers: auth, payload: body });
  return { status: res.statusCode, body: res.json() };
}
const issue = (body: Record<string, unknown>) => post(t, "/api/v1/pki/issue", body);
const revoke = (body: Record<string, unknown>) => post(t, "/api/v1/pki/revoke", body);
const certCount = async (app: CaTestApp = t) =>
  Number(
    (
      await app.database.db
        .selectFrom("pki_certificates")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  // https PUBLIC_URL (as in production): certificates must still point at http.
  t = await createCaTestApp({ PUBLIC_URL: "https://ca.example.cn" });
  const issuing = t.ca.issuing();
  write(t.dir, "issuing.pem", issuing.certPem);
  write(t.dir, "root.pem", t.ca.chainOf(issuing)[1]!.certPem);
});
afterAll(async () => {
  await t?.close();
});

describe("no OCSP responder certificates (item 1)", () => {
  it("refuses the ocsp-responder profile naming the field, and stores nothing", async () => {
    const before = await certCount();
    const csrPem = await makeCsr(t.dir, "p256", "responder");
    const res = await issue({
      csrPem,
      profile: "ocsp-responder",
      subject: { kind: "dn", attributes: [{ type: "CN", value: t.ca.issuing().subject }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("profile");
    expect(res.body.detail).toContain("未知的证书模板“ocsp-responder”");
    expect(await certCount()).toBe(before);
  });
});

describe("exact validity (item 4)", () => {
  it("refuses a notAfter one minute in the past naming notAfter, and stores nothing", async () => {
    const before = await certCount();
    const csrPem = await makeCsr(t.dir, "p256", "expired");
    const res = await issue({
      csrPem,
      profile: "enterprise-sign",
      subject: ENTERPRISE,
      notAfter: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("notAfter");
    expect(res.body.detail).toContain("不能签发已过期的证书");
    expect(await certCount()).toBe(before);
  });

  it("gives years: 5 exactly five calendar years between notBefore and notAfter", async () => {
    const res = await issue({
      csrPem: await makeCsr(t.dir, "p256", "five"),
      profile: "enterprise-sign",
      subject: ENTERPRISE,
      years: 5,
    });
    expect(res.status).toBe(201);
    const nb = new Date(res.body.notBefore);
    const na = new Date(res.body.notAfter);
    const fiveYears = new Date(nb);
    fiveYears.setUTCFullYear(nb.getUTCFullYear() + 5);
    expect(na.toISOString()).toBe(fiveYears.toISOString());
    expect(Date.now() - nb.getTime()).toBeLessThanOrEqual(5 * 60_000 + 2000);
  });
});

describe("PKI base URL (item 6)", () => {
  it("writes http CRL, OCSP and caIssuers URLs though PUBLIC_URL is https", async () => {
    const res = await issue({
      csrPem: await makeCsr(t.dir, "p256", "urls"),
      profile: "enterprise-sign",
      subject: ENTERPRISE,
    });
    write(t.dir, "urls.pem", res.body.certificatePem);
    const text = await opensslOk(["x509", "-in", "urls.pem", "-noout", "-text"], t.dir);
    const slug = t.ca.issuing().slug;
    expect(text).toContain(`URI:http://ca.example.cn/pki/crl/${slug}.crl`);
    expect(text).toContain("OCSP - URI:http://ca.example.cn/pki/ocsp");
    expect(text).toContain(`CA Issuers - URI:http://ca.example.cn/pki/ca/${slug}.crt`);
    expect(text).not.toContain("https://");
    // The certificate policy (placeholder RFC 7229 test OID unless PKI_POLICY_OID is set).
    expect(text).toMatch(/Certificate Policies:\s+Policy: 1\.3\.6\.1\.5\.5\.7\.13\.1/);
  });

  it("uses PKI_BASE_URL when it is set", async () => {
    const other = await createCaTestApp({ PKI_BASE_URL: "http://pki.example.cn:8080/" });
    try {
      const res = await post(other, "/api/v1/pki/issue", {
        csrPem: await makeCsr(other.dir, "p256", "base"),
        profile: "person-sign",
        subject: { kind: "person", name: "张三" },
      });
      expect(res.body.certificatePem).toBeDefined();
      write(other.dir, "base.pem", res.body.certificatePem);
      const text = await opensslOk(
        ["x509", "-in", "base.pem", "-noout", "-ext", "authorityInfoAccess"],
        other.dir,
      );
      expect(text).toContain("OCSP - URI:http://pki.example.cn:8080/pki/ocsp");
    } finally {
      await other.close();
    }
  });
});

describe("key checks (item 5)", () => {
  const csrOf = async (pkcs8: Buffer) =>
    (await createCsr([{ type: "CN", value: "x" }], localSigner(pkcs8))).pem;

  it("refuses a 1024-bit and a ROCA key naming csrPem, and stores nothing", async () => {
    const before = await certCount();
    const small = await issue({
      csrPem: await makeCsr(t.dir, "rsa1024", "rsa1024"),
      profile: "enterprise-sign",
      subject: ENTERPRISE,
    });
    expect(small.status).toBe(400);
    expect(small.body.field).toBe("csrPem");
    expect(small.body.detail).toContain("1024");
    const roca = await issue({
      csrPem: await csrOf(weakRsaKey("roca").pkcs8),
      profile: "enterprise-sign",
      subject: ENTERPRISE,
    });
    expect(roca.status).toBe(400);
    expect(roca.body.field).toBe("csrPem");
    expect(roca.body.detail).toContain("ROCA");
    expect(await certCount()).toBe(before);
  });

  it("refuses a key already certified for another company, another account or another profile", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "shared");
    const first = await issue({
      csrPem,
      profile: "enterprise-sign",
      subject: ENTERPRISE,
      accountId: "acct-a",
    });
    expect(first.status).toBe(201);
    const before = await certCount();
    for (const attempt of [
      { subject: OTHER, accountId: "acct-a", profile: "enterprise-sign", says: "其他主体或账户" },
      { subject: ENTERPRISE, accountId: "acct-b", profile: "enterprise-sign", says: "其他主体或账户" },
      { subject: ENTERPRISE, accountId: "acct-a", profile: "enterprise-encipher", says: "不同的密钥" },
    ]) {
      const res = await issue({ csrPem, ...attempt });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("csrPem");
      expect(res.body.detail).toContain(attempt.says);
    }
    expect(await certCount()).toBe(before);
    // The same holder renewing with the same key and profile is fine.
    expect(
      (await issue({ csrPem, profile: "enterprise-sign", subject: ENTERPRISE, accountId: "acct-a" })).status,
    ).toBe(201);
  });

  it("blocks a key revoked for keyCompromise for ever, for any company", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "compromised");
    const first = await issue({ csrPem, profile: "eseal", subject: OTHER });
    expect((await revoke({ serialHex: first.body.serialHex, reason: "keyCompromise" })).status).toBe(200);
    const before = await certCount();
    for (const subject of [OTHER, ENTERPRISE]) {
      const res = await issue({ csrPem, profile: "eseal", subject });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("csrPem");
      expect(res.body.detail).toContain("keyCompromise");
    }
    expect(await certCount()).toBe(before);
  });
});

/** `openssl ocsp` against the listening app for `cert`; returns its output. */
async function ocspStatus(cert: string) {
  await t.listen().catch(() => undefined);
  const r = await openssl(
    ["ocsp", "-issuer", "issuing.pem", "-cert", cert, "-url", `${t.url}/pki/ocsp`, "-CAfile", "root.pem"],
    t.dir,
  );
  return r.out;
}

/** The CRL once the revocations so far are in it (it is re-signed in the background). */
async function crlText(): Promise<string> {
  await t.ca.flushCrls();
  const res = await t.app.inject({ method: "GET", url: `/pki/crl/${t.ca.issuing().slug}.crl` });
  write(t.dir, "now.crl", res.rawPayload);
  return opensslOk(["crl", "-inform", "DER", "-in", "now.crl", "-noout", "-text"], t.dir);
}

describe("revocation semantics (item 8)", () => {
  it("releases a certificateHold with removeFromCRL: OCSP good again, the next CRL drops it", async () => {
    const res = await issue({
      csrPem: await makeCsr(t.dir, "p256", "held"),
      profile: "eseal",
      subject: ENTERPRISE,
    });
    write(t.dir, "held.pem", res.body.certificatePem);
    const serial = res.body.serialHex as string;
    expect((await revoke({ serialHex: serial, reason: "certificateHold" })).status).toBe(200);
    expect(await ocspStatus("held.pem")).toMatch(/held.pem: revoked[\s\S]*Reason: certificateHold/);
    expect(await crlText()).toContain(serial.toUpperCase());
    const again = await revoke({ serialHex: serial, reason: "certificateHold" });
    expect(again.status).toBe(409);

    const released = await revoke({ serialHex: serial, reason: "removeFromCRL" });
    expect(released.status).toBe(200);
    expect(released.body.certificate).toMatchObject({ status: "good", reason: null, revokedAt: null });
    expect(await ocspStatus("held.pem")).toMatch(/held.pem: good/);
    expect(await crlText()).not.toContain(serial.toUpperCase());
    // Nothing to release any more.
    const twice = await revoke({ serialHex: serial, reason: "removeFromCRL" });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain("未被暂停");
  });

  it("refuses to release a permanent revocation, and makes a hold permanent with a final reason", async () => {
    const res = await issue({
      csrPem: await makeCsr(t.dir, "p256", "final"),
      profile: "eseal",
      subject: ENTERPRISE,
    });
    const serial = res.body.serialHex as string;
    await revoke({ serialHex: serial, reason: "certificateHold" });
    expect(
      (await revoke({ serialHex: serial, reason: "cessationOfOperation" })).body.certificate.reason,
    ).toBe("cessationOfOperation");
    const release = await revoke({ serialHex: serial, reason: "removeFromCRL" });
    expect(release.status).toBe(409);
    expect(release.body.detail).toContain("永久吊销");
  });

  it("raises a revoked certificate's reason to keyCompromise, keeping the date, and blocks the key", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "raised");
    const res = await issue({ csrPem, profile: "eseal", subject: ENTERPRISE });
    write(t.dir, "raised.pem", res.body.certificatePem);
    const serial = res.body.serialHex as string;
    const first = await revoke({ serialHex: serial, reason: "superseded" });
    const raised = await revoke({ serialHex: serial, reason: "keyCompromise" });
    expect(raised.status).toBe(200);
    expect(raised.body.certificate).toMatchObject({
      reason: "keyCompromise",
      revokedAt: first.body.certificate.revokedAt,
    });
    expect(await ocspStatus("raised.pem")).toMatch(/Reason: keyCompromise/);
    expect(await crlText()).toMatch(new RegExp(`${serial.toUpperCase()}[\\s\\S]*?Key Compromise`));
    expect((await issue({ csrPem, profile: "eseal", subject: ENTERPRISE })).body.detail).toContain(
      "keyCompromise",
    );
    // Lowering it again is refused.
    expect((await revoke({ serialHex: serial, reason: "superseded" })).status).toBe(409);
  });
});

describe("OCSP caching and fresh signatures (item 8, issue 18 item 10)", () => {
  async function requestFor(name: string, nonce: boolean): Promise<Buffer> {
    const res = await issue({
      csrPem: await makeCsr(t.dir, "p256", name),
      profile: "eseal",
      subject: ENTERPRISE,
    });
    write(t.dir, `${name}.pem`, res.body.certificatePem);
    await opensslOk(
      [
        "ocsp",
        "-issuer",
        "issuing.pem",
        "-cert",
        `${name}.pem`,
        nonce ? "-nonce" : "-no_nonce",
        "-reqout",
        `${name}.req`,
      ],
      t.dir,
    );
    return opensslOk(["base64", "-A", "-in", `${name}.req`], t.dir).then((b64) => Buffer.from(b64, "base64"));
  }

  it("answers a GET carrying a nonce with no-store, a pre-signed GET answer cacheable (routes and fast path)", async () => {
    const withNonce = encodeURIComponent((await requestFor("gnonce", true)).toString("base64"));
    const without = encodeURIComponent((await requestFor("gplain", false)).toString("base64"));
    const routed = await t.app.inject({ method: "GET", url: `/pki/ocsp/${withNonce}` });
    expect(routed.headers["cache-control"]).toBe("no-store");
    expect(
      (await t.app.inject({ method: "GET", url: `/pki/ocsp/${without}` })).headers["cache-control"],
    ).toMatch(/public, max-age=\d+/);
    await t.listen().catch(() => undefined);
    const fast = await fetch(`${t.url}/pki/ocsp/${withNonce}`);
    expect(fast.headers.get("cache-control")).toBe("no-store");
    write(t.dir, "gnonce.resp", Buffer.from(await fast.arrayBuffer()));
    // The answer echoes this request's nonce and verifies (openssl compares the two nonces).
    const check = await openssl(
      [
        "ocsp",
        "-reqin",
        "gnonce.req",
        "-respin",
        "gnonce.resp",
        "-CAfile",
        "root.pem",
        "-verify_other",
        "issuing.pem",
      ],
      t.dir,
    );
    expect(check.out).toContain("Response verify OK");
    expect(check.out).not.toMatch(/nonce/i);
    expect((await fetch(`${t.url}/pki/ocsp/${without}`)).headers.get("cache-control")).toMatch(/public/);
  });

  it("limits fresh signatures per IP (tryLater over the limit) while pre-signed answers stay unlimited", async () => {
    const limited = await createCaTestApp({ OCSP_NONCE_PER_MINUTE: "3" });
    const prev = t;
    t = limited;
    try {
      const issuing = limited.ca.issuing();
      write(limited.dir, "issuing.pem", issuing.certPem);
      const nonceReq = await requestFor("lnonce", true);
      const plainReq = await requestFor("lplain", false);
      const status = async (req: Buffer, ip: string) => {
        const res = await limited.app.inject({
          method: "POST",
          url: "/pki/ocsp",
          headers: { "content-type": "application/ocsp-request" },
          payload: req,
          remoteAddress: ip,
        });
        // OCSPResponseStatus: the ENUMERATED right after the outer SEQUENCE header.
        const der = res.rawPayload;
        return der[(der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2) + 2];
      };
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await status(nonceReq, "203.0.113.7"));
      expect(answers).toEqual([0, 0, 0, 3, 3]); // successful ×3, then tryLater
      expect(await status(nonceReq, "203.0.113.8")).toBe(0); // another client has its own budget
      for (let i = 0; i < 20; i++) expect(await status(plainReq, "203.0.113.7")).toBe(0);
    } finally {
      t = prev;
      await limited.close();
    }
  });
});

describe("the issuing CA and the root, as the ceremony signs them", () => {
  it("name the certificate policy (issuing CA) and carry no pathLenConstraint (root)", async () => {
    const issuing = t.ca.issuing();
    write(t.dir, "ca-issuing.pem", issuing.certPem);
    expect(
      await opensslOk(["x509", "-in", "ca-issuing.pem", "-noout", "-ext", "certificatePolicies"], t.dir),
    ).toContain("1.3.6.1.5.5.7.13.1");
    write(t.dir, "ca-root.pem", t.ca.chainOf(issuing)[1]!.certPem);
    expect(
      await opensslOk(["x509", "-in", "ca-root.pem", "-noout", "-ext", "basicConstraints"], t.dir),
    ).toMatch(/CA:TRUE\s*$/);
    expect(await opensslOk(["x509", "-in", "ca-root.pem", "-noout", "-ext", "keyUsage"], t.dir)).toMatch(
      /Digital Signature, Certificate Sign, CRL Sign/,
    );
  });

  it("point the issuing CA's AIA and CDP at http PKI_BASE_URL, without an OCSP URL the server could not sign for", async () => {
    const issuing = t.ca.issuing();
    const root = t.ca.chainOf(issuing)[1]!;
    write(t.dir, "ca-issuing.pem", issuing.certPem);
    const text = await opensslOk(["x509", "-in", "ca-issuing.pem", "-noout", "-text"], t.dir);
    expect(text).toContain(`CA Issuers - URI:http://ca.example.cn/pki/ca/${root.slug}.crt`);
    expect(text).toContain(`URI:http://ca.example.cn/pki/crl/${root.slug}.crl`);
    expect(text).not.toContain("https://");
    expect(text).not.toContain("OCSP - URI");
    // The server holds no root key: OCSP about the issuing CA is refused, its status is the root's ARL.
    write(t.dir, "ca-root.pem", root.certPem);
    await t.listen().catch(() => undefined);
    const r = await openssl(
      ["ocsp", "-issuer", "ca-root.pem", "-cert", "ca-issuing.pem", "-url", `${t.url}/pki/ocsp`],
      t.dir,
    );
    expect(r.out).toMatch(/unauthorized/);
  });
});
