// Certificate policies (RFC 5280 4.2.1.4): the CA's policy OID, with the CPS URL as a qualifier, in
// the issuing CA's certificate and in every end-entity certificate. The OID comes from the operator
// (PKI_POLICY_OID); the default is RFC 7229's id-TEST-certPolicyOne, a placeholder that says "test".
import { ia5String, oid, seq } from "./der";
import { PkiError } from "./errors";
import { OID } from "./oids";
import { extension } from "./x509";

export interface CertificatePolicy {
  /** Dotted policy OID of the CA's certificate policy / CPS. */
  oid: string;
  /** Where the CPS is published (an http(s) URL), given as the id-qt-cps qualifier. */
  cpsUrl?: string;
}

/** RFC 7229 2: id-TEST-certPolicyOne, for test and demonstration hierarchies only. */
export const PLACEHOLDER_POLICY_OID = "1.3.6.1.5.5.7.13.1";

const cache = new Map<string, Buffer>();

/** The non-critical certificatePolicies extension for `policy` (encoded once per value). */
export function certificatePoliciesExt(policy: CertificatePolicy): Buffer {
  const key = `${policy.oid} ${policy.cpsUrl ?? ""}`;
  let ext = cache.get(key);
  if (!ext) {
    if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(policy.oid)) {
      throw new PkiError("PKI_BAD_INPUT", `证书策略 OID“${policy.oid}”无效`);
    }
    if (policy.cpsUrl !== undefined && !/^https?:\/\/[\x21-\x7e]+$/.test(policy.cpsUrl)) {
      throw new PkiError("PKI_BAD_INPUT", `CPS 地址“${policy.cpsUrl}”须为 http(s) URL`);
    }
    const qualifiers = policy.cpsUrl ? [seq(seq(oid(OID.qtCps), ia5String(policy.cpsUrl)))] : [];
    ext = extension(OID.certificatePolicies, false, seq(seq(oid(policy.oid), ...qualifiers)));
    if (cache.size > 16) cache.clear();
    cache.set(key, ext);
  }
  return ext;
}
