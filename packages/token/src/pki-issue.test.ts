import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type CaHierarchy, createCaHierarchy, issueCertificate } from "@certhall/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCertificates } from "./certificates";
import type { SubjectHint } from "./csr";
import { enroll, type IssueRequest } from "./enroll";
import { listKeys } from "./keys";
import { createSoftHsm, type SoftHsm } from "./testing/softhsm";
import { openToken, type TokenSession } from "./token";

// End to end with our own CA: the token's request goes through @certhall/pki's issueCertificate,
// which checks the proof of possession, and the result must chain in openssl.
let hsm: SoftHsm;
let hierarchy: CaHierarchy;
let server: Server;
let url: string;
let session: TokenSession;

beforeAll(async () => {
  hsm = createSoftHsm();
  hsm.initToken("pki", { soPin: "87654321", pin: "123456" });
  hierarchy = await createCaHierarchy({
    algorithm: "ecdsa-p256",
    rootName: "Certhall Test Root",
    issuingName: "Certhall Test Issuing CA",
  });
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", async () => {
      const body = JSON.parse(raw) as IssueRequest;
      const subject: SubjectHint = body.subject;
      try {
        const issued = await issueCertificate({
          issuer: { certDer: hierarchy.issuing.certDer, signer: hierarchy.issuing.signer },
          csr: body.csrPem,
          profile: body.profile as "enterprise-sign",
          subject: {
            kind: "enterprise",
            name: subject.organization ?? subject.commonName,
            uscc: subject.serialNumber ?? "",
          },
          urls: {
            crl: "http://ca.example/pki/crl/issuing.crl",
            ocsp: "http://ca.example/pki/ocsp",
            caIssuers: "http://ca.example/pki/ca/issuing.crt",
          },
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            certificatePem: issued.pem,
            chainPem: hierarchy.issuing.certPem + hierarchy.root.certPem,
            serialHex: issued.serialHex,
          }),
        );
      } catch (error) {
        res.writeHead(422, { "content-type": "application/problem+json" });
        res.end(JSON.stringify({ title: "无法签发", detail: (error as Error).message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  session = openToken({ modulePath: hsm.modulePath, tokenLabel: "pki", pin: "123456" });
});

afterAll(async () => {
  session?.close();
  hsm?.remove();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("enroll against @certhall/pki", () => {
  it.each(["ecdsa-p256", "rsa-2048"] as const)(
    "gets an enterprise certificate for a %s token key that openssl verifies against the chain",
    async (algorithm) => {
      const result = await enroll(session, {
        url,
        serviceToken: "unused-by-this-server",
        profile: "enterprise-sign",
        subject: { commonName: "福建某某科技有限公司", serialNumber: "91350100M000100Y43" },
        label: `pki-${algorithm}`,
        algorithm,
      });
      expect(result.serialHex).toMatch(/^[0-9a-f]{32}$/);
      const onToken = readCertificates(session).find((c) => c.label === `pki-${algorithm}`);
      expect(onToken?.der.equals(result.certificate.der)).toBe(true);
      expect(onToken?.subject).toContain("CN=福建某某科技有限公司");
      expect(
        listKeys(session)
          .find((k) => k.label === `pki-${algorithm}`)
          ?.id.equals(onToken!.id),
      ).toBe(true);

      const leaf = join(hsm.dir, `leaf-${algorithm}.pem`);
      const root = join(hsm.dir, "root.pem");
      const issuing = join(hsm.dir, "issuing.pem");
      writeFileSync(leaf, result.certificate.pem);
      writeFileSync(root, hierarchy.root.certPem);
      writeFileSync(issuing, hierarchy.issuing.certPem);
      const out = execFileSync("openssl", [
        "verify",
        "-CAfile",
        root,
        "-untrusted",
        issuing,
        leaf,
      ]).toString();
      expect(out.trim()).toBe(`${leaf}: OK`);
    },
  );

  it("passes the CA's refusal on and removes the key it made", async () => {
    await expect(
      enroll(session, {
        url,
        serviceToken: "unused-by-this-server",
        profile: "enterprise-sign",
        subject: { commonName: "福建某某科技有限公司", serialNumber: "91350100M000100Y44" },
        label: "pki-bad-uscc",
      }),
    ).rejects.toThrow(/^签发失败（HTTP 422）：统一社会信用代码“91350100M000100Y44”无效/);
    expect(listKeys(session).map((k) => k.label)).not.toContain("pki-bad-uscc");
  });
});
