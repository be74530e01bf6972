// Benchmark: the issuing key in a PKCS#11 token (CA_SIGNER=pkcs11, SoftHSM2 here) beside the sealed
// key in memory (CA_SIGNER=sealed, node:crypto on libuv's thread pool, as the server uses it), in one
// run: signatures per second of a certificate's TBS, one at a time and 8 concurrently, and whole
// issuances (pre-parsed CSR). The ratio pkcs11 / sealed is the price of a key that never leaves the token.
//
//   npx tsx bench/pkcs11-signer.ts [--seconds=3] [--algorithm=ecdsa-p256|rsa-2048]
import {
  type CaAlgorithm,
  createCsr,
  createRootCa,
  generateKeyPair as generateFileKey,
  issueCertificate,
  localSigner,
  parseCertificate,
  parseCsr,
  type Signer,
  signIssuingCa,
} from "@certhall/pki";
import { generateKeyPair, type KeyAlgorithm, openPkcs11Signer, openToken } from "@certhall/token";
import { createSoftHsm } from "../packages/token/src/testing/softhsm";
import { arg, compare, type Measurement, printTable } from "./measure";

const seconds = Number(arg("seconds", "3"));
const algorithm = arg("algorithm", "ecdsa-p256") as CaAlgorithm & KeyAlgorithm;
const CONCURRENCY = 8;

const hsm = createSoftHsm();
hsm.initToken("bench", { soPin: "87654321", pin: "123456" });
const setup = openToken({ modulePath: hsm.modulePath, tokenLabel: "bench", pin: "123456" });
await generateKeyPair(setup, { label: "issuing", algorithm });
setup.close();
const pkcs11 = openPkcs11Signer({
  modulePath: hsm.modulePath,
  tokenLabel: "bench",
  pin: "123456",
  keyLabel: "issuing",
});

const fileKey = generateFileKey(algorithm);
const sealed = localSigner(fileKey.pkcs8, { threadPool: true });
const root = await createRootCa({ algorithm, name: [{ type: "CN", value: "基准测试根CA" }] });
const urls = {
  arl: "http://ca.example.cn/pki/crl/root.crl",
  rootCert: "http://ca.example.cn/pki/ca/root.crt",
};
const certFor = async (s: Signer) =>
  (
    await signIssuingCa({
      root,
      issuingSpki: s.publicKeySpki,
      issuingName: [{ type: "CN", value: "基准测试签发CA" }],
      urls,
    })
  ).certDer;
const issuers = {
  sealed: { certDer: await certFor(sealed), signer: sealed },
  pkcs11: { certDer: await certFor(pkcs11), signer: pkcs11 },
};

const csr = parseCsr(
  (await createCsr([{ type: "CN", value: "申请者" }], localSigner(generateFileKey("ecdsa-p256").pkcs8))).pem,
);
const subject = { kind: "enterprise", name: "福建某某科技有限公司", uscc: "91350100MA31ABCD94" } as const;
const leafUrls = {
  crl: "http://ca.example.cn/pki/crl/issuing.crl",
  ocsp: "http://ca.example.cn/pki/ocsp",
  caIssuers: "http://ca.example.cn/pki/ca/issuing.crt",
};
const tbs = parseCertificate(
  (
    await issueCertificate({
      issuer: issuers.sealed,
      csr,
      profile: "enterprise-sign",
      subject,
      urls: leafUrls,
    })
  ).der,
).tbs;

const batch = (s: Signer) => () => Promise.all(Array.from({ length: CONCURRENCY }, () => s.sign(tbs)));
const issue = (which: keyof typeof issuers) => () =>
  issueCertificate({ issuer: issuers[which], csr, profile: "enterprise-sign", subject, urls: leafUrls });

const results = await compare(
  [
    { name: "sealed sign (1 at a time)", fn: () => sealed.sign(tbs) },
    { name: "pkcs11 sign (1 at a time)", fn: () => pkcs11.sign(tbs) },
    { name: `sealed sign (${CONCURRENCY} concurrent, per batch)`, fn: batch(sealed) },
    { name: `pkcs11 sign (${CONCURRENCY} concurrent, per batch)`, fn: batch(pkcs11) },
    { name: "sealed issueCertificate", fn: issue("sealed") },
    { name: "pkcs11 issueCertificate", fn: issue("pkcs11") },
  ],
  seconds,
);
pkcs11.close();
hsm.remove();

printTable(
  `pkcs11-signer: ${algorithm} issuing key, SoftHSM2 vs sealed (node:crypto), ${seconds}s per row`,
  results,
);
const [s1, p1, sN, pN, sI, pI] = results as Measurement[];
console.log(`
pkcs11 / sealed, signatures/s, 1 at a time        = ${(p1!.perSecond / s1!.perSecond).toFixed(3)}
pkcs11 / sealed, signatures/s, ${CONCURRENCY} concurrent         = ${(pN!.perSecond / sN!.perSecond).toFixed(3)}  (${(pN!.perSecond * CONCURRENCY).toFixed(0)} vs ${(sN!.perSecond * CONCURRENCY).toFixed(0)} signatures/s)
pkcs11 / sealed, certificates/s (issueCertificate) = ${(pI!.perSecond / sI!.perSecond).toFixed(3)}`);
