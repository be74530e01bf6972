// The token client (packages/token) against the real app: a USB key (SoftHSM2) holds a key pair and the
// certificate the window issued for it; 证书在线更新 with the one-time code from the order page writes
// the renewed certificate onto the token, keeping the key or making a new one.
import { X509Certificate } from "node:crypto";
import { addShanghaiYears } from "@certhall/domain";
import {
  buildCsr,
  generateKeyPair,
  listKeys,
  openToken,
  readCertificates,
  renewOnToken,
  TokenError,
  type TokenSession,
  writeCertificate,
} from "@certhall/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Test-only: the token package's throw-away SoftHSM2 directory (not part of its public exports).
import { createSoftHsm, type SoftHsm } from "../../../../../packages/token/src/testing/softhsm";
import {
  accountWithCertificate,
  type BusinessApp,
  createBusinessApp,
  fileOrder,
  moveClock,
  newAccount,
  orderState,
  payOnline,
} from "../../test/business-flow";

const PIN = "246810";
const DAY = 24 * 3600 * 1000;

let t: BusinessApp;
let hsm: SoftHsm;
let session: TokenSession;
let url: string;

beforeAll(async () => {
  hsm = createSoftHsm();
  hsm.initToken("renew-it", { soPin: "13572468", pin: PIN });
  session = openToken({ modulePath: hsm.modulePath, tokenLabel: "renew-it", pin: PIN });
  t = await createBusinessApp();
  url = await t.app.listen({ port: 0, host: "127.0.0.1" });
}, 60_000);

afterAll(async () => {
  session?.close();
  await t?.close();
  hsm?.remove();
});

/** A key pair made on the token, certified by the window, the certificate written next to it. */
async function certificateOnToken(label: string, account: Awaited<ReturnType<typeof newAccount>>) {
  const key = await generateKeyPair(session, { label, algorithm: "ecdsa-p256" });
  const issued = await accountWithCertificate(t, {
    account,
    csr: async () => (await buildCsr(session, key, { commonName: label })).pem,
  });
  const pem = (await t.ca.getCertificate(issued.serial)).certificatePem;
  writeCertificate(session, new X509Certificate(pem).raw, { label, id: key.id });
  return { key, issued };
}

const spki = (der: Buffer) => new X509Certificate(der).publicKey.export({ type: "spki", format: "der" });

describe("certhall token renew against the platform", () => {
  it("keeps the key or makes a new one, writes the renewed certificates onto the token, and refuses a spent code", async () => {
    await moveClock(t, new Date());
    const account = await newAccount(t);
    const kept = await certificateOnToken("sign", account);
    const rekeyed = await certificateOnToken("enc", account);
    await moveClock(t, new Date(kept.issued.notAfter.getTime() - 30 * DAY), [account]);

    const created = await fileOrder(account.client, "renew", [
      { certificateSerial: kept.issued.serial, keepKey: true, years: 2 },
      { certificateSerial: rekeyed.issued.serial, keepKey: false, years: 1 },
    ]);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(await payOnline(t, account.client, created.body.id)).toBe("ready");
    const codeFor = async (n: number) => {
      const res = await account.client.post(
        `/api/v1/orders/${created.body.id}/items/${created.body.items[n].id}/update-code`,
      );
      expect(res.status).toBe(200);
      return res.body.code as string;
    };

    // Keep the key: the token signs a new request with the old key; the new certificate replaces the old.
    const keepCode = await codeFor(0);
    const keptResult = await renewOnToken(session, { url, code: keepCode, label: "sign" });
    expect(keptResult.rekeyed).toBe(false);
    expect(keptResult.notAfter.toISOString()).toBe(addShanghaiYears(kept.issued.notAfter, 2).toISOString());
    const signCerts = readCertificates(session).filter((c) => c.id.equals(kept.key.id));
    expect(signCerts).toHaveLength(1);
    expect(signCerts[0]!.serialHex.toLowerCase()).not.toBe(kept.issued.serial);
    expect(
      spki(signCerts[0]!.der).equals(
        spki(new X509Certificate((await t.ca.getCertificate(kept.issued.serial)).certificatePem).raw),
      ),
    ).toBe(true);
    const items = await t.database.db
      .selectFrom("order_items")
      .select(["certificate_serial"])
      .where("order_id", "=", created.body.id)
      .orderBy("position")
      .execute();
    expect(items[0]!.certificate_serial).toBe(signCerts[0]!.serialHex.toLowerCase());
    expect(await orderState(t, created.body.id)).toBe("ready");

    // The spent code: the platform answers 410 and the client shows its Chinese message.
    const spent = renewOnToken(session, { url, code: keepCode, label: "sign" });
    await expect(spent).rejects.toBeInstanceOf(TokenError);
    await expect(spent).rejects.toThrow(/已使用/);

    // New key: a second key pair appears on the token with the renewed certificate; the old one stays.
    const keysBefore = listKeys(session).length;
    const newResult = await renewOnToken(session, {
      url,
      code: await codeFor(1),
      label: "enc",
      rekey: true,
      newLabel: "enc-2",
    });
    expect(newResult.rekeyed).toBe(true);
    expect(listKeys(session).length).toBe(keysBefore + 1);
    const encCert = readCertificates(session).find((c) => c.label === "enc-2");
    expect(encCert).toBeDefined();
    expect(encCert!.notAfter.toISOString()).toBe(addShanghaiYears(rekeyed.issued.notAfter, 1).toISOString());
    expect(
      spki(encCert!.der).equals(spki(readCertificates(session).find((c) => c.label === "enc")!.der)),
    ).toBe(false);
    expect(await orderState(t, created.body.id)).toBe("completed");
  }, 120_000);
});
