// Issuance (DESIGN §5): a PKCS#10 request checked (proof of possession, key policy, profile), the
// certificate signed by the active issuing CA, and its row, its pre-signed "good" OCSP answer and its
// audit entry written together. Concurrent issuances share one transaction (group commit).
import {
  buildCertId,
  type CertificateProfile,
  encodeName,
  getProfile,
  issueCertificate,
  type ParsedCsr,
  PkiError,
  parseCertificate,
  parseCsrAsync,
  subjectToDn,
} from "@certhall/pki";
import type { Trx } from "../../db/database";
import type { PkiCertificatesTable, PkiOcspResponsesTable } from "../../db/tables";
import { AppError } from "../../errors";
import { type AuditInput, appendAuditEntries } from "../audit/audit.service";
import type { Hierarchy } from "./ca.hierarchy";
import type { OcspService } from "./ca.ocsp";
import {
  b64,
  CA_ERROR_FIELDS,
  type CaServiceDeps,
  dnText,
  fieldError,
  type IssueInput,
  type IssueResult,
  type LoadedCa,
} from "./ca.types";
import type { CaActor } from "./ceremony";
import { createGroupCommit } from "./group-commit";
import { checkKeyUse, holderOf, spkiSha256 } from "./key-policy";
import { personIdSalt, toSubjectInput } from "./subject";

interface IssuedRows {
  cert: PkiCertificatesTable;
  ocsp: PkiOcspResponsesTable;
  audit: AuditInput;
}

/**
 * Writes issued certificates, their pre-signed OCSP responses and audit entries inside `trx`: one
 * multi-row INSERT per table and one step of the audit chain for the whole batch (each entry still
 * hashed on its own, so `certhall audit verify` checks them one by one).
 */
async function persistIssued(trx: Trx, items: IssuedRows[]): Promise<void> {
  await trx
    .insertInto("pki_certificates")
    .values(items.map((i) => i.cert))
    .execute();
  await trx
    .insertInto("pki_ocsp_responses")
    .values(items.map((i) => i.ocsp))
    .execute();
  await appendAuditEntries(
    trx,
    items.map((i) => i.audit),
  );
}

function validYears(input: IssueInput, profile: CertificateProfile, ca: LoadedCa): void {
  if (!input.notAfter && input.years !== undefined) {
    if (!Number.isInteger(input.years) || input.years < 1 || input.years > profile.maxYears) {
      throw new AppError("VALIDATION_FAILED", `有效年数（years）须为 1 到 ${profile.maxYears} 的整数`, {
        field: "years",
      });
    }
  }
  if (input.notAfter && input.notAfter > ca.notAfter) {
    throw new AppError(
      "VALIDATION_FAILED",
      `证书有效期（notAfter）不能晚于签发 CA 的到期时间 ${ca.notAfter.toISOString()}`,
      { field: "notAfter" },
    );
  }
}

/** A library error of the signing step as a 400 naming the field it concerns. */
function signingError(err: unknown): never {
  if (err instanceof PkiError && err.code === "PKI_WEAK_KEY")
    fieldError(err, CA_ERROR_FIELDS.csr, "证书请求");
  if (err instanceof PkiError && err.code === "PKI_BAD_VALIDITY") {
    throw new AppError("VALIDATION_FAILED", err.message, { field: err.details?.[0] ?? "notAfter" });
  }
  if (err instanceof PkiError && err.code === "PKI_LINT_FAILED") {
    const validity = (err.details ?? []).some((d) => d.startsWith("validity"));
    throw new AppError("VALIDATION_FAILED", err.message, { field: validity ? "notAfter" : "subject" });
  }
  fieldError(err, CA_ERROR_FIELDS.subject, "证书主体");
}

export function createIssuance(deps: CaServiceDeps, ctx: { hierarchy: Hierarchy; ocsp: OcspService }) {
  const { db, clock, config } = deps;
  const { hierarchy, ocsp } = ctx;
  const idSalt = personIdSalt(config.secretKey);
  const groupCommit = createGroupCommit<IssuedRows>((trx, batch) => persistIssued(trx, batch), db);

  /** The request, the profile and the subject checked: a 400 naming the field, else what to sign. */
  async function prepare(input: IssueInput) {
    let csr: ParsedCsr;
    try {
      // Proof of possession checked on the thread pool (other cores) rather than the event loop.
      csr = await parseCsrAsync(input.csrPem);
    } catch (err) {
      fieldError(err, CA_ERROR_FIELDS.csr, "证书请求");
    }
    let profile: CertificateProfile;
    try {
      profile = getProfile(input.profile);
    } catch (err) {
      fieldError(err, CA_ERROR_FIELDS.profile, "证书模板");
    }
    if (!profile.allowedKeys.includes(csr.keyName)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `证书请求（csrPem）的密钥类型 ${csr.keyName} 不被证书模板“${profile.name}”接受（可用：${profile.allowedKeys.join("、")}）`,
        { field: CA_ERROR_FIELDS.csr },
      );
    }
    const subject = toSubjectInput(input.subject, profile, idSalt);
    let subjectDer: Buffer;
    try {
      subjectDer = encodeName(subjectToDn(subject));
    } catch (err) {
      fieldError(err, CA_ERROR_FIELDS.subject, "证书主体");
    }
    const keyUse = {
      spkiSha256: spkiSha256(csr.subjectPublicKeyInfo),
      holder: holderOf(subjectDer),
      accountId: input.accountId ?? null,
      profile: profile.id,
    };
    return { csr, profile, subject, keyUse };
  }

  /**
   * Issues one certificate. `outer` (optional) runs the writes inside the caller's transaction, so an
   * RA step (e.g. recording the serial on an order item) commits or rolls back together with it.
   */
  async function issue(actor: CaActor, input: IssueInput, outer?: Trx): Promise<IssueResult> {
    const ca = hierarchy.issuing();
    const { csr, profile, subject, keyUse } = await prepare(input);
    await checkKeyUse(outer ?? db, keyUse);
    validYears(input, profile, ca);
    const now = clock();
    let issued: Awaited<ReturnType<typeof issueCertificate>>;
    try {
      issued = await issueCertificate({
        issuer: { certDer: ca.certDer, signer: ca.signer! },
        csr,
        profile,
        subject,
        notAfter: input.notAfter,
        years: input.notAfter ? undefined : input.years,
        urls: hierarchy.urlsFor(ca),
        policy: config.ca.policy,
        now,
      });
    } catch (err) {
      signingError(err);
    }
    const subjectText = dnText(parseCertificate(issued.der).subjectRaw);
    // Pre-sign the "good" answer now (RFC 5019 2.1.1): OCSP then never signs on the request path.
    const good = await ocsp.signOcsp(ca, buildCertId(ca.certDer, issued.serialHex, "sha1"), {
      status: "good",
    });
    const rows: IssuedRows = {
      cert: {
        serial_hex: issued.serialHex,
        ca_id: ca.id,
        subject: subjectText,
        profile: issued.profile,
        key_name: csr.keyName,
        subject_key_id: issued.subjectKeyIdHex,
        not_before: issued.notBefore.toISOString(),
        not_after: issued.notAfter.toISOString(),
        cert_der: b64(issued.der),
        status: "good",
        revoked_at: null,
        revocation_reason: null,
        invalidity_date: null,
        account_id: input.accountId ?? null,
        order_id: input.orderId ?? null,
        created_at: now.toISOString(),
        spki_sha256: keyUse.spkiSha256,
        holder: keyUse.holder,
        status_changed_at: null,
      },
      ocsp: ocsp.ocspRow(ca, issued.serialHex, "sha1", "good", good.der, good.thisUpdate),
      audit: {
        at: now,
        actorType: actor.type,
        actorId: actor.id,
        action: "pki.certificate.issued",
        objectType: "certificate",
        objectId: issued.serialHex,
        detail: {
          ca: ca.slug,
          profile: issued.profile,
          subject: subjectText,
          keyName: csr.keyName,
          notAfter: issued.notAfter.toISOString(),
          ...(input.orderId ? { orderId: input.orderId } : {}),
        },
        ip: actor.ip ?? null,
      },
    };
    if (outer) {
      // The caller commits (or rolls back): the stored response serves OCSP once committed.
      await persistIssued(outer, [rows]);
    } else {
      await groupCommit(rows);
      ocsp.remember(ca, issued.serialHex, good.der, good.thisUpdate);
    }
    return {
      certificatePem: issued.pem,
      chainPem: hierarchy
        .chainOf(ca)
        .map((c) => c.certPem)
        .join(""),
      serialHex: issued.serialHex,
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      profile: issued.profile,
      subject: subjectText,
      ca: ca.slug,
    };
  }

  return { issue };
}
