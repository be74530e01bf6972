// The CA inside the server (DESIGN §5, issue 4): a thin front over its parts — the hierarchy
// (ca.hierarchy.ts), issuance (ca.issuance.ts), revocation (ca.revoke.ts), CRLs (ca.crl.ts, re-signed
// in the background by crl.resigner.ts) and OCSP (ca.ocsp.ts). Pure certificate work is done by
// @certhall/pki. The pki_* tables are reached only through this module.
import { importCa } from "@certhall/pki";
import type { PkiCasTable } from "../../db/tables";
import { AppError } from "../../errors";
import { appendAudit } from "../audit/audit.service";
import { inProcessCoordination } from "./ca.coordination";
import { createCrlService } from "./ca.crl";
import { createHierarchy } from "./ca.hierarchy";
import { createIssuance } from "./ca.issuance";
import { createOcspService } from "./ca.ocsp";
import { createRevocation } from "./ca.revoke";
import { type CaServiceDeps, defaultCaLog, fieldError, type LoadedCa } from "./ca.types";
import type { CaActor } from "./ceremony";
import { ensureEmbeddedHierarchy, keepRootKeyOffline } from "./ceremony.startup";

export type { PkiCoordination, PkiEvent } from "./ca.coordination";
export type {
  CaLog,
  CaServiceDeps,
  CertificateRecord,
  CrlRecord,
  IssueInput,
  IssueResult,
  LoadedCa,
  OcspAnswer,
  RevokeInput,
} from "./ca.types";
export { CA_ERROR_FIELDS } from "./ca.types";
export type { CaActor } from "./ceremony";
export { normalizeSerial } from "./serial";

function splitPem(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
  }
  return out;
}

interface ImportOptions {
  importCertPem?: string;
  importKeyPem?: string;
  importChainPem?: string;
}

export function createCaService(deps: CaServiceDeps) {
  const { db, clock, config } = deps;
  const coordination = deps.coordination ?? inProcessCoordination();
  const log = deps.log ?? defaultCaLog(config);
  const hierarchy = createHierarchy(deps);
  const ocsp = createOcspService(deps, { hierarchy, coordination });
  const crls = createCrlService(deps, { hierarchy, coordination, log });
  const issuance = createIssuance(deps, { hierarchy, ocsp });
  const revocation = createRevocation(deps, { hierarchy, ocsp, coordination });

  /** Imports an existing issuing CA (certificate + key) and the certificates above it (without keys). */
  async function importHierarchy(actor: CaActor, opts: ImportOptions): Promise<LoadedCa> {
    if (!opts.importCertPem || !opts.importKeyPem) {
      throw new AppError("VALIDATION_FAILED", "导入 CA 需要同时提供证书和私钥", { field: "importKey" });
    }
    let material: ReturnType<typeof importCa>;
    try {
      material = importCa(opts.importCertPem, opts.importKeyPem);
    } catch (err) {
      fieldError(err, "importCert", "导入的 CA");
    }
    if (material.algorithm !== config.ca.algorithm) {
      throw new AppError(
        "VALIDATION_FAILED",
        `导入的 CA 算法为 ${material.algorithm}，与 CA_ALGORITHM=${config.ca.algorithm} 不一致`,
        { field: "importCert" },
      );
    }
    const chain = splitPem(opts.importChainPem ?? "");
    const rows = await db.transaction().execute(async (trx) => {
      // The certificates above the imported CA are kept without keys (published, never used to sign).
      let parentId: string | null = null;
      const inserted: PkiCasTable[] = [];
      for (const der of chain.reverse()) {
        const r = await hierarchy.insertCa(trx, {
          role: "root",
          algorithm: material.algorithm,
          certDer: der,
          keyPkcs8: null,
          parentId,
          imported: true,
        });
        parentId = r.id;
        inserted.push(r);
      }
      const issuingRow = await hierarchy.insertCa(trx, {
        role: "issuing",
        algorithm: material.algorithm,
        certDer: material.certDer,
        keyPkcs8: material.keyPkcs8,
        parentId,
        imported: true,
      });
      inserted.push(issuingRow);
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "pki.ca.imported",
        objectType: "ca",
        objectId: issuingRow.slug,
        detail: { subject: issuingRow.subject, serialHex: issuingRow.serial_hex, chain: chain.length },
      });
      return inserted;
    });
    const loaded = rows.map(hierarchy.load);
    for (const ca of loaded) if (ca.signer) await crls.generateCrl(ca, actor);
    return loaded[loaded.length - 1]!;
  }

  /**
   * Creates the root and issuing CA of the configured algorithm unless an issuing CA already exists,
   * or imports an existing CA (certificate + key, optionally the certificates above it).
   */
  async function init(
    actor: CaActor,
    opts: ImportOptions = {},
  ): Promise<{ created: boolean; issuing: LoadedCa }> {
    await hierarchy.loadAll();
    const existing = hierarchy.findIssuing();
    if (existing) {
      if (opts.importCertPem) {
        throw new AppError("CONFLICT", `已有 ${config.ca.algorithm} 签发 CA（${existing.slug}），不能再导入`);
      }
      return { created: false, issuing: existing };
    }
    // Without an import: the embedded default runs the ceremony itself (development only).
    if (!opts.importCertPem && !opts.importKeyPem) {
      return { created: true, issuing: await ensureEmbeddedHierarchy(service, deps, actor) };
    }
    return { created: true, issuing: await importHierarchy(actor, opts) };
  }

  /**
   * Server start: the root key must be offline (a production server refuses to start when it can
   * read one; development moves a key still in the database to the ceremony's file), then the
   * hierarchy is loaded or made by the embedded ceremony, and missing or stale CRLs are published.
   */
  async function bootstrap(): Promise<LoadedCa> {
    await keepRootKeyOffline(service, deps);
    const { issuing: ca } = await init({ type: "system", id: null });
    await crls.refreshCrls();
    return ca;
  }

  const service = {
    init,
    bootstrap,
    loadAll: hierarchy.loadAll,
    issuing: hierarchy.issuing,
    chainOf: hierarchy.chainOf,
    caBySlug: hierarchy.caBySlug,
    list: hierarchy.list,
    stats: revocation.stats,
    issue: issuance.issue,
    revoke: revocation.revoke,
    revokeInTransaction: revocation.revokeInTransaction,
    getCertificate: revocation.getCertificate,
    currentCrl: crls.currentCrl,
    generateCrl: (slug: string, actor?: CaActor) => crls.generateCrl(hierarchy.caBySlug(slug), actor),
    refreshCrls: crls.refreshCrls,
    /**
     * Signs now every CRL still waiting for its background re-signing after a revocation, and waits
     * for it (the CLI before it exits, a shutdown, tests that read the CRL right after revoking).
     */
    flushCrls: crls.flushCrls,
    ocsp: ocsp.ocsp,
    /** For the ceremony (modules/pki/ceremony.ts): rows, CRLs signed with a key passed in, URLs. */
    insertCa: hierarchy.insertCa,
    signCrlIn: crls.signCrlIn,
    /** Serves `crl` from this process's cache at once (after the transaction that stored it). */
    publishCrl: crls.publishCrl,
    urlsFor: hierarchy.urlsFor,
    signers: hierarchy.signers,
    /** Stops the background CRL re-signing and ends the PKCS#11 sessions (CA_SIGNER=pkcs11). */
    close: () => {
      crls.close();
      ocsp.close();
      hierarchy.signers.close();
    },
  };
  return service;
}

export type CaService = ReturnType<typeof createCaService>;
