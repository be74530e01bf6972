import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "../../db/tables.orders";
import { Client, registerApplicant, STRONG_PASSWORD, staffClient } from "../../test/harness";
import { openssl, opensslOk, write } from "../pki/test-support";
import {
  COMPANY,
  createFlowApp,
  type FlowApp,
  opensslCsr,
  orderAwaitingMaterials,
} from "../workbench/test-flow";

let t: FlowApp;
let dir: string;
let applicant: Client;
let other: Client;
let order: Order;
const serials: string[] = [];
const PHONE = "13900000101";

/** Drives a two-item company order through the window: materials, media, issuance, handover. */
async function issueAtWindow(o: Order, operator: Client) {
  const base = `/api/v1/admin/orders/${o.id}`;
  const m = await operator.get(`${base}/materials`);
  const codes = m.body.materials.map((x: { code: string }) => x.code);
  const ticked = await operator.post(`${base}/materials`, { version: o.version, received: codes });
  const d = (await operator.post(`${base}/receive`, { version: ticked.body.version })).body;
  for (const [i, item] of (d.items as { id: string }[]).entries()) {
    await operator.post(`${base}/items/${item.id}/media`, { mediaSerial: `WALLET-${o.order_no}-${i}` });
    const res = await operator.post(`${base}/items/${item.id}/issue`, {
      csrPem: await opensslCsr(dir, `w-${o.order_no}-${i}`),
    });
    expect(res.status).toBe(201);
    serials.push(res.body.certificate.serialHex);
  }
}

beforeAll(async () => {
  t = await createFlowApp();
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-wallet-"));
  applicant = await registerApplicant(t, PHONE);
  other = await registerApplicant(t, "13900000102");
  const reviewer = await staffClient(t, "reviewer");
  const operator = await staffClient(t, "operator");
  order = await orderAwaitingMaterials(t, applicant, reviewer, {
    caTypes: [
      { code: "trading-platform-company", years: 1 },
      { code: "enterprise-sign", years: 3 },
    ],
  });
  await issueAtWindow(order, operator);
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/v1/certificates (the wallet)", () => {
  it("lists every certificate of the account with subject, CA type, serial, validity and days left", async () => {
    const res = await applicant.get("/api/v1/certificates");
    expect(res.status).toBe(200);
    const list = res.body.certificates as {
      serialHex: string;
      subject: { name: string; identity: string };
      caType: string;
      orderNo: string;
      notBefore: string;
      notAfter: string;
      state: string;
      expiresInDays: number;
    }[];
    expect(list.map((c) => c.serialHex).sort()).toEqual([...serials].sort());
    // Newest expiry first: the 3-year certificate, then the 1-year one.
    expect(list[0]!.caType).toBe("企业数字证书");
    expect(list[1]!.caType).toBe("公共资源交易平台数字证书（企业）");
    for (const c of list) {
      expect(c.subject).toMatchObject({ name: COMPANY.name, identity: COMPANY.uscc });
      expect(c.orderNo).toBe(order.order_no);
      expect(c.state).toBe("good");
      expect(c.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(c.notAfter).toMatch(/Z$/);
    }
    expect(list[1]!.expiresInDays).toBeGreaterThanOrEqual(364);
    expect(list[1]!.expiresInDays).toBeLessThanOrEqual(366);
    expect(list[0]!.expiresInDays).toBeGreaterThanOrEqual(3 * 365 - 1);
    expect(list[0]!.expiresInDays).toBeLessThanOrEqual(3 * 366);
  });

  it("shows another account nothing, and a stranger 401", async () => {
    expect((await other.get("/api/v1/certificates")).body.certificates).toEqual([]);
    expect((await new Client(t.app).get("/api/v1/certificates")).status).toBe(401);
  });
});

describe("GET /api/v1/certificates/:serial (download)", () => {
  it("gives PEM with the chain that openssl verify accepts, as a named file", async () => {
    const res = await applicant.get(`/api/v1/certificates/${serials[0]}?format=pem&chain=true`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/x-pem-file/);
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="certificate-${serials[0]}-chain.pem"`,
    );
    const pems = (res.body as string).match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g,
    )!;
    expect(pems).toHaveLength(3); // the certificate, the issuing CA, the root
    write(dir, "leaf.pem", pems[0]!);
    write(dir, "issuing.pem", pems[1]!);
    write(dir, "root.pem", pems[2]!);
    const ok = await opensslOk(
      ["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem"],
      dir,
    );
    expect(ok).toContain("leaf.pem: OK");
    const subject = await opensslOk(
      ["x509", "-noout", "-subject", "-nameopt", "utf8", "-in", "leaf.pem"],
      dir,
    );
    expect(subject).toContain(`CN=${COMPANY.name}`);
    // Without the root, the leaf does not verify: the chain really is what makes it pass.
    const alone = await openssl(["verify", "-CAfile", "issuing.pem", "leaf.pem"], dir);
    expect(alone.code).not.toBe(0);
  });

  it("gives the bare certificate as PEM by default and as DER (application/pkix-cert)", async () => {
    const pem = await applicant.get(`/api/v1/certificates/${serials[1]}`);
    expect(pem.status).toBe(200);
    expect((pem.body as string).match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    const der = await t.app.inject({
      method: "GET",
      url: `/api/v1/certificates/${serials[1]}?format=der`,
      headers: { cookie: [...applicant.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(der.statusCode).toBe(200);
    expect(der.headers["content-type"]).toBe("application/pkix-cert");
    expect(der.headers["content-disposition"]).toBe(`attachment; filename="certificate-${serials[1]}.cer"`);
    write(dir, "one.cer", der.rawPayload);
    const serial = await opensslOk(["x509", "-inform", "DER", "-noout", "-serial", "-in", "one.cer"], dir);
    expect(serial.trim().toLowerCase()).toBe(`serial=${serials[1]}`.toLowerCase());
  });

  it("gives DER with the chain as a PKCS#7 bundle openssl reads as three certificates", async () => {
    const p7 = await t.app.inject({
      method: "GET",
      url: `/api/v1/certificates/${serials[0]}?format=der&chain=true`,
      headers: { cookie: [...applicant.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(p7.statusCode).toBe(200);
    expect(p7.headers["content-type"]).toBe("application/x-pkcs7-certificates");
    expect(p7.headers["content-disposition"]).toContain(".p7b");
    write(dir, "bundle.p7b", p7.rawPayload);
    const out = await opensslOk(["pkcs7", "-inform", "DER", "-print_certs", "-in", "bundle.p7b"], dir);
    expect(out.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
  });

  it("answers 404 for another account's certificate, an unknown serial and a malformed one", async () => {
    expect((await other.get(`/api/v1/certificates/${serials[0]}`)).status).toBe(404);
    expect((await applicant.get("/api/v1/certificates/0badc0ffee")).status).toBe(404);
    expect((await applicant.get("/api/v1/certificates/not-a-serial")).status).toBe(404);
    expect((await new Client(t.app).get(`/api/v1/certificates/${serials[0]}`)).status).toBe(401);
    const bad = await applicant.get(`/api/v1/certificates/${serials[0]}?format=txt`);
    expect(bad.status).toBe(400);
  });
});

describe("certificate states in the wallet", () => {
  it("shows a revoked certificate as revoked", async () => {
    await t.ca.revoke({ type: "system", id: null }, { serialHex: serials[1]!, reason: "keyCompromise" });
    const list = (await applicant.get("/api/v1/certificates")).body.certificates;
    const revoked = list.find((c: { serialHex: string }) => c.serialHex === serials[1]);
    expect(revoked.state).toBe("revoked");
    expect(revoked.revokedAt).not.toBeNull();
  });

  it("shows an expired certificate as expired with negative days left", async () => {
    t.time.advance(2 * 366 * 86_400);
    // Two years on, the session has long ended: log in again.
    const fresh = new Client(t.app);
    const login = await fresh.post("/api/v1/auth/login", { phone: PHONE, password: STRONG_PASSWORD });
    expect(login.status).toBe(200);
    const list = (await fresh.get("/api/v1/certificates")).body.certificates;
    const oneYear = list.find((c: { caType: string }) => c.caType === "公共资源交易平台数字证书（企业）");
    const threeYears = list.find((c: { caType: string }) => c.caType === "企业数字证书");
    expect(oneYear.state).toBe("expired");
    expect(oneYear.expiresInDays).toBeLessThan(0);
    // The 3-year one has not expired yet, and it was revoked above: revoked it stays.
    expect(threeYears.state).toBe("revoked");
  });
});
