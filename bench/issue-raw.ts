// Benchmark: @certhall/pki issueCertificate from a PKCS#10 request, against the limit it cannot beat in
// the same process and run: bare node:crypto signing (and verify+sign, the crypto the pipeline must do).
// Peer figure for context: cfssl's HTTP sign endpoint does ~3,600/s on this machine (see cfssl-http.ts).
//
//   npm run bench:issue-raw -w bench -- [--seconds=5] [--algorithm=ecdsa-p256|rsa-2048|rsa-3072|sm2]
import crypto from "node:crypto";
import {
  type CaAlgorithm,
  createCaHierarchy,
  createCsr,
  generateKeyPair,
  issueCertificate,
  localSigner,
  parseCertificate,
  parseCsr,
} from "@certhall/pki";
import { arg, compare, type Measurement, printTable } from "./measure";

const seconds = Number(arg("seconds", "5"));
const algorithm = arg("algorithm", "ecdsa-p256") as CaAlgorithm;
const POOL = 64;

const ca = await createCaHierarchy({ algorithm, rootName: "基准测试根CA", issuingName: "基准测试签发CA" });
const issuer = { certDer: ca.issuing.certDer, signer: ca.issuing.signer };
const urls = {
  crl: "http://ca.example.cn/pki/crl/issuing.crl",
  ocsp: "http://ca.example.cn/pki/ocsp",
  caIssuers: "http://ca.example.cn/pki/ca/issuing.crt",
};
const subject = {
  kind: "enterprise",
  name: "福建某某科技有限公司",
  uscc: "91350100MA31ABCD94",
  province: "福建省",
  city: "福州市",
} as const;

// Applicant keys are of the CA's algorithm family (an RSA CA issues for RSA-2048 keys).
const applicantAlgorithm: CaAlgorithm = algorithm.startsWith("rsa") ? "rsa-2048" : algorithm;
const csrPems: string[] = [];
for (let i = 0; i < POOL; i++) {
  const signer = localSigner(generateKeyPair(applicantAlgorithm).pkcs8);
  csrPems.push((await createCsr([{ type: "CN", value: `申请者 ${i}` }], signer)).pem);
}
const parsed = csrPems.map((pem) => parseCsr(pem));

// A representative TBSCertificate for the bare-crypto baselines, and the key the Signer also uses.
const sample = parseCertificate(
  (await issueCertificate({ issuer, csr: parsed[0]!, profile: "enterprise-sign", subject, urls })).der,
);
const caKey = crypto.createPrivateKey({ key: ca.issuing.keyPkcs8, format: "der", type: "pkcs8" });
const hash = algorithm === "ecdsa-p384" ? "sha384" : algorithm === "sm2" ? "sm3" : "sha256";

let i = 0;
const results = await compare(
  [
    // For SM2 node:crypto signs with the empty ID (see packages/pki/src/sm2.ts); the cost is comparable.
    { name: "bare crypto.sign (TBS)", fn: () => crypto.sign(hash, sample.tbs, caKey) },
    { name: "issuing signer.sign (TBS)", fn: () => ca.issuing.signer.sign(sample.tbs) },
    { name: "parseCsr (PEM + proof of possession)", fn: () => parseCsr(csrPems[i++ % POOL]!) },
    {
      name: "issueCertificate (pre-parsed CSR)",
      fn: () =>
        issueCertificate({ issuer, csr: parsed[i++ % POOL]!, profile: "enterprise-sign", subject, urls }),
    },
    {
      name: "issueCertificate (CSR PEM, full path)",
      fn: () =>
        issueCertificate({ issuer, csr: csrPems[i++ % POOL]!, profile: "enterprise-sign", subject, urls }),
    },
  ],
  seconds,
);

printTable(
  `issue-raw: ${algorithm} CA, ${applicantAlgorithm} applicant keys, ${seconds}s per row, 1 thread`,
  results,
);
const [bare, , pop, preParsed, full] = results as [
  Measurement,
  Measurement,
  Measurement,
  Measurement,
  Measurement,
];
// The crypto a full issuance cannot avoid: one proof-of-possession verify and one signature.
const cryptoBound = 1 / (1 / bare.perSecond + 1 / pop.perSecond);
console.log(`
issue (full path) / bare crypto.sign      = ${(full.perSecond / bare.perSecond).toFixed(3)}`);
console.log(
  `issue (pre-parsed) / bare crypto.sign     = ${(preParsed.perSecond / bare.perSecond).toFixed(3)}`,
);
console.log(`issue (full path) / (parseCsr + sign)     = ${(full.perSecond / cryptoBound).toFixed(3)}`);
console.log(
  `issue (full path) / cfssl HTTP (~3600/s)  = ${(full.perSecond / 3600).toFixed(2)} (no HTTP on our side here)`,
);
