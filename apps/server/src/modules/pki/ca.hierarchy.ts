// The CA hierarchy as this process holds it: the rows of pki_cas loaded with their certificates and,
// for the issuing CAs whose key this process may use, their signers (signers.ts). The root's key is
// never here (DESIGN §9). Importing and the embedded first start are in ca.service.ts (the front).
import { issuerHashes, parseCertificate, sealKey, toPem } from "@certhall/pki";
import type { Trx } from "../../db/database";
import type { PkiCasTable } from "../../db/tables";
import { AppError } from "../../errors";
import { newId } from "../../lib/clock";
import { b64, type CaServiceDeps, dnText, type LoadedCa } from "./ca.types";
import { createCaSigners } from "./signers";

export interface NewCaRow {
  role: "root" | "issuing";
  algorithm: string;
  certDer: Buffer;
  keyPkcs8: Buffer | null;
  parentId: string | null;
  imported: boolean;
}

export function createHierarchy(deps: CaServiceDeps) {
  const { db, clock, config } = deps;
  const cas = new Map<string, LoadedCa>();
  const bySlug = new Map<string, LoadedCa>();
  const signers = createCaSigners(config);

  // http under PKI_BASE_URL, never PUBLIC_URL's https (DESIGN §9): fetching revocation data over TLS
  // would need the very status it fetches (RFC 5280 4.2.1.13, RFC 6960 A.1).
  const urlsFor = (ca: LoadedCa) => ({
    crl: `${config.ca.pkiBaseUrl}/pki/crl/${ca.slug}.crl`,
    ocsp: `${config.ca.pkiBaseUrl}/pki/ocsp`,
    caIssuers: `${config.ca.pkiBaseUrl}/pki/ca/${ca.slug}.crt`,
  });

  function load(row: PkiCasTable): LoadedCa {
    const certDer = Buffer.from(row.cert_pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
    // Never the root's key (DESIGN §9), nor the key of a revoked (inactive) issuing CA.
    const signer = signers.forCa(row, certDer);
    const ca: LoadedCa = {
      id: row.id,
      slug: row.slug,
      role: row.role,
      algorithm: row.algorithm,
      subject: row.subject,
      certDer,
      certPem: row.cert_pem,
      notBefore: new Date(row.not_before),
      notAfter: new Date(row.not_after),
      parentId: row.parent_id,
      signer,
      hashes: { sha1: issuerHashes(certDer, "sha1"), sha256: issuerHashes(certDer, "sha256") },
    };
    cas.set(ca.id, ca);
    bySlug.set(ca.slug, ca);
    return ca;
  }

  /**
   * Loads CAs added since (e.g. by the ceremony in another process) and drops the key of any CA made
   * inactive since (an issuing CA the ceremony revoked): it signs nothing more in this process.
   */
  async function loadAll(): Promise<void> {
    const rows = await db.selectFrom("pki_cas").selectAll().orderBy("created_at").execute();
    for (const row of rows) {
      const loaded = cas.get(row.id);
      if (!loaded) load(row);
      else if (!row.active) loaded.signer = null;
    }
  }

  /** The active issuing CA of the configured algorithm, or undefined before the first ceremony. */
  function findIssuing(): LoadedCa | undefined {
    for (const ca of cas.values()) {
      if (ca.role === "issuing" && ca.algorithm === config.ca.algorithm && ca.signer) return ca;
    }
    return undefined;
  }

  /** The active issuing CA of the configured algorithm (the one that signs end-entity certificates). */
  function issuing(): LoadedCa {
    const ca = findIssuing();
    if (!ca) throw new AppError("UNAVAILABLE", "CA 尚未初始化：请先运行 certhall ca init 或启动服务器");
    return ca;
  }

  function chainOf(ca: LoadedCa): LoadedCa[] {
    const chain: LoadedCa[] = [ca];
    let cur = ca;
    while (cur.parentId && chain.length < 8) {
      const parent = cas.get(cur.parentId);
      if (!parent) break;
      chain.push(parent);
      cur = parent;
    }
    return chain;
  }

  async function uniqueSlug(trx: Trx, base: string): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const taken = await trx.selectFrom("pki_cas").select("id").where("slug", "=", slug).executeTakeFirst();
      if (!taken) return slug;
    }
  }

  async function insertCa(trx: Trx, p: NewCaRow): Promise<PkiCasTable> {
    const cert = parseCertificate(p.certDer);
    const row: PkiCasTable = {
      id: newId(),
      slug: await uniqueSlug(trx, `${p.role}-${p.algorithm}`),
      role: p.role,
      algorithm: p.algorithm,
      subject: dnText(cert.subjectRaw),
      serial_hex: cert.serialHex,
      cert_pem: toPem(p.certDer, "CERTIFICATE"),
      key_sealed: p.keyPkcs8 ? b64(sealKey(p.keyPkcs8, config.ca.masterKey)) : null,
      parent_id: p.parentId,
      not_before: cert.notBefore.toISOString(),
      not_after: cert.notAfter.toISOString(),
      active: 1,
      imported: p.imported ? 1 : 0,
      crl_number: 0,
      created_at: clock().toISOString(),
    };
    await trx.insertInto("pki_cas").values(row).execute();
    return row;
  }

  function caBySlug(slug: string): LoadedCa {
    const ca = bySlug.get(slug);
    if (!ca) throw new AppError("NOT_FOUND", `CA“${slug}”不存在`);
    return ca;
  }

  return {
    load,
    loadAll,
    findIssuing,
    issuing,
    chainOf,
    insertCa,
    caBySlug,
    /** The CA of a pki_cas id, if loaded. */
    byId: (id: string) => cas.get(id),
    list: (): LoadedCa[] => [...cas.values()],
    urlsFor,
    signers,
  };
}

export type Hierarchy = ReturnType<typeof createHierarchy>;
