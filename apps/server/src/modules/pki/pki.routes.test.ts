import { readFileSync } from "node:fs";
import path from "node:path";
import { requestIssue } from "@certhall/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../audit/audit.service";
import {
  type CaTestApp,
  createCaTestApp,
  derToPem,
  ENTERPRISE,
  makeCsr,
  openssl,
  opensslOk,
  TEST_SERVICE_TOKEN,
  write,
} from "./test-support";

let t: CaTestApp;
let rootSlug: string;
let issuingSlug: string;
const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };

async function issue(body: Record<string, unknown>, headers: Record<string, string> = auth) {
  const res = await t.app.inject({ method: "POST", url: "/api/v1/pki/issue", headers, payload: body });
  return { status: res.statusCode, body: res.json() };
}

async function revoke(body: Record<string, unknown>, headers: Record<string, string> = auth) {
  const res = await t.app.inject({ method: "POST", url: "/api/v1/pki/revoke", headers, payload: body });
  return { status: res.statusCode, body: res.json() };
}

async function fetchCrl(): Promise<{ der: Buffer; headers: Record<string, unknown> }> {
  const res = await t.app.inject({ method: "GET", url: `/pki/crl/${issuingSlug}.crl` });
  expect(res.statusCode).toBe(200);
  return { der: res.rawPayload, headers: res.headers };
}

/** Issues an enterprise certificate for a fresh openssl key; writes {name}.pem. */
async function issueFresh(name: string) {
  const csrPem = await makeCsr(t.dir, "p256", name);
  const res = await issue({ csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
  expect(res.status).toBe(201);
  write(t.dir, `${name}.pem`, res.body.certificatePem);
  return res.body as { certificatePem: string; chainPem: string; serialHex: string };
}

/** `openssl ocsp` against the listening app; returns its output for the certificate. */
async function ocspStatus(certFile: string, extra: string[] = []) {
  return openssl(
    [
      "ocsp",
      "-issuer",
      "issuing.pem",
      "-cert",
      certFile,
      "-url",
      `${t.url}/pki/ocsp`,
      "-CAfile",
      "root.pem",
      ...extra,
    ],
    t.dir,
  );
}

beforeAll(async () => {
  t = await createCaTestApp();
  const issuing = t.ca.issuing();
  issuingSlug = issuing.slug;
  rootSlug = t.ca.chainOf(issuing)[1]!.slug;
  for (const [slug, file] of [
    [rootSlug, "root.pem"],
    [issuingSlug, "issuing.pem"],
  ] as const) {
    const res = await t.app.inject({ method: "GET", url: `/pki/ca/${slug}.crt` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pkix-cert");
    write(t.dir, file, derToPem(res.rawPayload, "CERTIFICATE"));
  }
  await t.listen();
});

afterAll(async () => {
  await t?.close();
});

describe("the CA behind the RA, checked with openssl", () => {
  it("creates a root and an issuing ECDSA P-256 CA on first start whose chain openssl accepts", async () => {
    expect(t.ca.issuing().algorithm).toBe("ecdsa-p256");
    const text = await opensslOk(["x509", "-in", "issuing.pem", "-noout", "-text"], t.dir);
    expect(text).toContain("prime256v1");
    expect(text).toContain("CA:TRUE");
    expect(await opensslOk(["verify", "-CAfile", "root.pem", "issuing.pem"], t.dir)).toContain("OK");
  });

  it("issues a certificate through the service API that verifies against the chain served at /pki/ca", async () => {
    const issued = await issueFresh("leaf1");
    expect(issued.serialHex).toMatch(/^[0-9a-f]{32}$/);
    write(t.dir, "chain-from-api.pem", issued.chainPem);
    const verify = await opensslOk(
      ["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-purpose", "any", "leaf1.pem"],
      t.dir,
    );
    expect(verify).toContain("leaf1.pem: OK");
    // The chain returned by the API is the same as the one published.
    expect(issued.chainPem).toBe(
      readFileSync(path.join(t.dir, "issuing.pem"), "utf8") +
        readFileSync(path.join(t.dir, "root.pem"), "utf8"),
    );
    const text = await opensslOk(["x509", "-in", "leaf1.pem", "-noout", "-text", "-nameopt", "utf8"], t.dir);
    expect(text).toContain(`URI:http://ca.test.example/pki/crl/${issuingSlug}.crl`);
    expect(text).toContain("OCSP - URI:http://ca.test.example/pki/ocsp");
    expect(text).toContain(`CA Issuers - URI:http://ca.test.example/pki/ca/${issuingSlug}.crt`);
    expect(text).toContain("三明市测试科技有限公司");
  });

  it("serves a CRL openssl verifies, with caching headers, and lists a serial after revocation", async () => {
    const before = await fetchCrl();
    expect(before.headers["content-type"]).toBe("application/pkix-crl");
    expect(String(before.headers["cache-control"])).toMatch(/max-age=\d+/);
    expect(before.headers.etag).toBeTruthy();
    expect(before.headers["last-modified"]).toBeTruthy();
    expect(before.headers["set-cookie"]).toBeUndefined();
    const notModified = await t.app.inject({
      method: "GET",
      url: `/pki/crl/${issuingSlug}.crl`,
      headers: { "if-none-match": String(before.headers.etag) },
    });
    expect(notModified.statusCode).toBe(304);

    const issued = await issueFresh("leaf2");
    const r = await revoke({ serialHex: issued.serialHex, reason: "keyCompromise" });
    expect(r.status).toBe(200);
    expect(r.body.certificate.status).toBe("revoked");

    await t.ca.flushCrls();
    const after = await fetchCrl();
    expect(after.headers.etag).not.toBe(before.headers.etag);
    write(t.dir, "crl.der", after.der);
    const crlText = await opensslOk(
      ["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "issuing.pem", "-noout", "-text"],
      t.dir,
    );
    expect(crlText).toContain(`Serial Number: ${issued.serialHex.toUpperCase()}`);
    expect(crlText).toContain("Key Compromise");
    expect(crlText).toMatch(/X509v3 CRL Number:\s*\n\s*\d+/);
    const verified = await openssl(
      ["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "issuing.pem", "-noout"],
      t.dir,
    );
    expect(verified.out).toContain("verify OK");

    // And openssl's own chain check with the CRL now refuses the certificate.
    write(t.dir, "crl.pem", derToPem(after.der, "X509 CRL"));
    const check = await openssl(
      [
        "verify",
        "-crl_check",
        "-CRLfile",
        "crl.pem",
        "-CAfile",
        "root.pem",
        "-untrusted",
        "issuing.pem",
        "leaf2.pem",
      ],
      t.dir,
    );
    expect(check.code).not.toBe(0);
    expect(check.out).toContain("certificate revoked");
  });

  it("answers openssl ocsp good before and revoked (with time and reason) after a revocation", async () => {
    const issued = await issueFresh("leaf3");
    // Without a nonce: the pre-signed response; with openssl's default nonce: signed fresh.
    const cached = await ocspStatus("leaf3.pem", ["-no_nonce"]);
    expect(cached.out).toContain("Response verify OK");
    expect(cached.out).toContain("leaf3.pem: good");
    const fresh = await ocspStatus("leaf3.pem");
    expect(fresh.out).toContain("Response verify OK");
    expect(fresh.out).toContain("leaf3.pem: good");
    expect(fresh.out).not.toContain("WARNING: no nonce");

    expect((await revoke({ serialHex: issued.serialHex, reason: "superseded" })).status).toBe(200);
    for (const extra of [["-no_nonce"], []]) {
      const after = await ocspStatus("leaf3.pem", extra);
      expect(after.out).toContain("Response verify OK");
      expect(after.out).toContain("leaf3.pem: revoked");
      expect(after.out).toContain("Reason: superseded");
      expect(after.out).toContain("Revocation Time:");
    }
  });

  it("answers SHA-256 CertIDs too, and replaces that stored answer as well on revocation", async () => {
    const issued = await issueFresh("leaf256");
    // openssl wants the CertID digest before -cert.
    const sha256 = (file: string) =>
      openssl(
        [
          "ocsp",
          "-issuer",
          "issuing.pem",
          "-sha256",
          "-cert",
          file,
          "-url",
          `${t.url}/pki/ocsp`,
          "-CAfile",
          "root.pem",
          "-no_nonce",
        ],
        t.dir,
      );
    const good = await sha256("leaf256.pem");
    expect(good.out).toContain("Response verify OK");
    expect(good.out).toContain("leaf256.pem: good");
    const stored = await t.database.db
      .selectFrom("pki_ocsp_responses")
      .select(["hash_alg", "status"])
      .where("serial_hex", "=", issued.serialHex)
      .orderBy("hash_alg")
      .execute();
    expect(stored).toEqual([
      { hash_alg: "sha1", status: "good" },
      { hash_alg: "sha256", status: "good" },
    ]);
    expect((await revoke({ serialHex: issued.serialHex, reason: "affiliationChanged" })).status).toBe(200);
    const revoked = await sha256("leaf256.pem");
    expect(revoked.out).toContain("leaf256.pem: revoked");
    expect(revoked.out).toContain("Reason: affiliationChanged");
  });

  it("answers unknown for a serial it never issued, and over GET /pki/ocsp/{base64}", async () => {
    const unknown = await openssl(
      [
        "ocsp",
        "-issuer",
        "issuing.pem",
        "-serial",
        "0x5f3a9c0d11223344556677889900aabb",
        "-url",
        `${t.url}/pki/ocsp`,
        "-CAfile",
        "root.pem",
      ],
      t.dir,
    );
    expect(unknown.out).toContain("Response verify OK");
    expect(unknown.out).toMatch(/0x5f3a9c0d11223344556677889900aabb: unknown/i);

    await issueFresh("leaf4");
    await opensslOk(
      ["ocsp", "-issuer", "issuing.pem", "-cert", "leaf4.pem", "-no_nonce", "-reqout", "req4.der"],
      t.dir,
    );
    const b64 = readFileSync(path.join(t.dir, "req4.der")).toString("base64");
    const res = await t.app.inject({ method: "GET", url: `/pki/ocsp/${encodeURIComponent(b64)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/ocsp-response");
    write(t.dir, "resp4.der", res.rawPayload);
    const read = await openssl(
      [
        "ocsp",
        "-respin",
        "resp4.der",
        "-issuer",
        "issuing.pem",
        "-cert",
        "leaf4.pem",
        "-no_nonce",
        "-CAfile",
        "root.pem",
      ],
      t.dir,
    );
    expect(read.out).toContain("Response verify OK");
    expect(read.out).toContain("leaf4.pem: good");
  });

  it("serves OCSP over the network ahead of Fastify with the same answers, GET and POST, no cookies", async () => {
    const req = readFileSync(path.join(t.dir, "req4.der"));
    const post = await fetch(`${t.url}/pki/ocsp`, {
      method: "POST",
      headers: { "content-type": "application/ocsp-request" },
      body: req,
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("content-type")).toBe("application/ocsp-response");
    expect(post.headers.get("set-cookie")).toBeNull();
    const viaInject = await t.app.inject({
      method: "POST",
      url: "/pki/ocsp",
      headers: { "content-type": "application/ocsp-request" },
      payload: req,
    });
    // Same pre-signed response from the cache, byte for byte.
    expect(Buffer.from(await post.arrayBuffer())).toEqual(viaInject.rawPayload);
    const get = await fetch(`${t.url}/pki/ocsp/${encodeURIComponent(req.toString("base64"))}`);
    expect(get.status).toBe(200);
    expect(get.headers.get("cache-control")).toContain("max-age");
    expect(Buffer.from(await get.arrayBuffer())).toEqual(viaInject.rawPayload);
    // Anything else still goes through Fastify (its hooks add x-request-id): here malformedRequest.
    const wrongType = await fetch(`${t.url}/pki/ocsp`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(wrongType.headers.get("x-request-id")).toBeTruthy();
    expect(Buffer.from(await wrongType.arrayBuffer()).toString("hex")).toBe("30030a0101");
    expect(post.headers.get("x-request-id")).toBeNull();
  });

  it("answers garbage with malformedRequest and a foreign issuer with unauthorized", async () => {
    const garbage = await t.app.inject({
      method: "POST",
      url: "/pki/ocsp",
      headers: { "content-type": "application/ocsp-request" },
      payload: Buffer.from("not an OCSP request"),
    });
    expect(garbage.statusCode).toBe(200);
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED malformedRequest(1) }
    expect(garbage.rawPayload.toString("hex")).toBe("30030a0101");

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
        "other.key",
        "-subj",
        "/CN=Other CA",
        "-out",
        "other.pem",
      ],
      t.dir,
    );
    await opensslOk(
      ["ocsp", "-issuer", "other.pem", "-serial", "0x01", "-no_nonce", "-reqout", "foreign.der"],
      t.dir,
    );
    const foreign = await t.app.inject({
      method: "POST",
      url: "/pki/ocsp",
      headers: { "content-type": "application/ocsp-request" },
      payload: readFileSync(path.join(t.dir, "foreign.der")),
    });
    expect(foreign.rawPayload.toString("hex")).toBe("30030a0106");
  });

  it("accepts the token client's enroll contract ({ commonName } subject) over HTTP", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "token1");
    const res = await requestIssue({
      url: t.url,
      serviceToken: TEST_SERVICE_TOKEN,
      request: { csrPem, profile: "person-sign", subject: { commonName: "张三", province: "福建省" } },
    });
    expect(res.serialHex).toMatch(/^[0-9a-f]+$/);
    write(t.dir, "token1.pem", res.certificatePem);
    const subject = await opensslOk(
      ["x509", "-in", "token1.pem", "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus"],
      t.dir,
    );
    expect(subject).toContain("CN=张三");
    expect(subject).toContain("ST=福建省");
  });
});

describe("refusals: clear errors and nothing stored half-way", () => {
  const count = async () =>
    Number(
      (
        await t.database.db
          .selectFrom("pki_certificates")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("refuses a CSR with a broken signature, garbage, a PEM of the wrong type and RSA 1024, naming csrPem", async () => {
    const n0 = await count();
    const good = await makeCsr(t.dir, "p256", "bad1");
    const der = Buffer.from(good.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
    der[der.length - 5]! ^= 0x01; // inside the signature value
    const broken = derToPem(der, "CERTIFICATE REQUEST");
    const rsa1024 = await makeCsr(t.dir, "rsa1024", "weak");
    const certPem = readFileSync(path.join(t.dir, "issuing.pem"), "utf8");
    const cases: [string, RegExp][] = [
      [broken, /签名|signature/i],
      ["garbage that is not a CSR", /PEM|DER/],
      [certPem, /CERTIFICATE/],
      [rsa1024, /1024|2048/],
    ];
    for (const [csrPem, message] of cases) {
      const res = await issue({ csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("VALIDATION_FAILED");
      expect(res.body.field).toBe("csrPem");
      expect(res.body.detail).toMatch(message);
      expect(res.body.detail).toMatch(/证书请求/);
    }
    expect(await count()).toBe(n0);
  });

  it("refuses an unknown profile (field profile) and a bad USCC (field subject) in Chinese", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "bad2");
    const profile = await issue({ csrPem, profile: "no-such-profile", subject: ENTERPRISE });
    expect(profile.status).toBe(400);
    expect(profile.body.field).toBe("profile");
    expect(profile.body.detail).toContain("未知的证书模板");
    const subject = await issue({
      csrPem,
      profile: "enterprise-sign",
      subject: { ...ENTERPRISE, uscc: "123" },
    });
    expect(subject.status).toBe(400);
    expect(subject.body.field).toBe("subject");
    expect(subject.body.detail).toContain("统一社会信用代码");
  });

  it("answers an unknown serial with 404, a second revocation with 409 and a bad reason with 400", async () => {
    const unknown = await revoke({ serialHex: "7f00112233445566778899aabbccddee", reason: "keyCompromise" });
    expect(unknown.status).toBe(404);
    const issued = await issueFresh("twice");
    expect((await revoke({ serialHex: issued.serialHex, reason: "cessationOfOperation" })).status).toBe(200);
    // Only a raise to keyCompromise changes a permanent revocation (revocation.ts).
    const again = await revoke({ serialHex: issued.serialHex.toUpperCase(), reason: "superseded" });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("不能重复吊销");
    const reason = await revoke({ serialHex: issued.serialHex, reason: "bored" });
    expect(reason.status).toBe(400);
    expect(reason.body.field).toBe("reason");
    // The first revocation stands: reason unchanged.
    const row = await t.database.db
      .selectFrom("pki_certificates")
      .selectAll()
      .where("serial_hex", "=", issued.serialHex)
      .executeTakeFirstOrThrow();
    expect(row.revocation_reason).toBe("cessationOfOperation");
  });

  it("answers the service API without or with a wrong token with 401", async () => {
    const csrPem = await makeCsr(t.dir, "p256", "noauth");
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong-token" },
      { authorization: `Basic ${TEST_SERVICE_TOKEN}` },
      { authorization: `Bearer ${TEST_SERVICE_TOKEN}x` },
    ]) {
      expect((await issue({ csrPem, profile: "enterprise-sign", subject: ENTERPRISE }, headers)).status).toBe(
        401,
      );
      expect((await revoke({ serialHex: "01", reason: "keyCompromise" }, headers)).status).toBe(401);
    }
  });

  it("documents the PKI endpoints in the OpenAPI description", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/docs/json" });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining(["/api/v1/pki/issue", "/api/v1/pki/revoke", "/pki/ocsp", "/pki/crl/{file}"]),
    );
  });

  it("records issuance and revocation in the audit chain, which still verifies", async () => {
    const actions = await t.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "like", "pki.%")
      .execute();
    const names = new Set(actions.map((a) => a.action));
    for (const a of [
      "pki.ceremony.root-created",
      "pki.ceremony.issuing-signed",
      "pki.crl.published",
      "pki.certificate.issued",
      "pki.certificate.revoked",
    ]) {
      expect(names).toContain(a);
    }
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });
});
