// The root key ceremony (DESIGN §9): `certhall ca ceremony init|sign-issuing|revoke-issuing|sign-arl`.
// The root key lives in a passphrase-sealed file (CA_ROOT_KEY_FILE, outside DATA_DIR) that only these
// commands open; the server gets what they sign — the root and issuing CA certificates and the root's
// CRL (ARL, at most 12 months) — and never the key. The embedded default (`npm start`, tests) runs the
// ceremony itself on first start, with the file beside the data and a warning; a production server
// refuses to start while it can read a root key, in a file or in the database.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  type CaAlgorithm,
  createRootCa,
  fromPemOrDer,
  generateKeyPair,
  keyIdentifier,
  localSigner,
  openKey,
  openRootKeyFile,
  PkiError,
  parseCertificate,
  REVOCATION_REASONS,
  type RevocationReason,
  sealRootKeyFile,
  signIssuingCa,
  toPem,
} from "@certhall/pki";
import type { Trx } from "../../db/database";
import { AppError } from "../../errors";
import { appendAudit } from "../audit/audit.service";
import type { CaService, CaServiceDeps, CrlRecord, LoadedCa } from "./ca.service";
import { type RootKeyAccess, readText } from "./ceremony.access";
import { holderOf, spkiSha256 } from "./key-policy";
import { normalizeSerial } from "./serial";

export interface CaActor {
  type: "applicant" | "staff" | "system";
  id: string | null;
  ip?: string | null;
}

/** Profile name of issuing CA certificates in pki_certificates (issued by a root, revoked by the ceremony). */
export { type RootKeyAccess, rootKeyAccess } from "./ceremony.access";

export const ISSUING_CA_PROFILE = "issuing-ca";

const DAY_MS = 86_400_000;

export function createCeremony(ca: CaService, deps: CaServiceDeps) {
  const { db, clock, config } = deps;
  const arl = { validityMs: config.ca.arlDays * DAY_MS };

  /** Opens the root key file: its signer, and its root CA when published in this database. */
  // One scrypt per file and passphrase for the steps of one ceremony (the first start runs several).
  let opened: { text: string; passphrase: string; material: ReturnType<typeof openRootKeyFile> } | null =
    null;

  async function openRootFile(access: RootKeyAccess) {
    let material: ReturnType<typeof openRootKeyFile>;
    try {
      const text = readText(access.rootKeyFile, "根密钥文件");
      if (opened?.text === text && opened.passphrase === access.passphrase) material = opened.material;
      else {
        material = openRootKeyFile(text, access.passphrase);
        opened = { text, passphrase: access.passphrase, material };
      }
    } catch (err) {
      if (err instanceof PkiError) throw new AppError("VALIDATION_FAILED", err.message, { field: "rootKey" });
      throw err;
    }
    const certDer = fromPemOrDer(material.certificatePem, ["CERTIFICATE"], "根 CA 证书");
    await ca.loadAll();
    const root = ca.list().find((c) => c.role === "root" && c.certDer.equals(certDer));
    return { root, certDer, algorithm: material.algorithm, signer: localSigner(material.keyPkcs8) };
  }

  async function openRoot(access: RootKeyAccess) {
    const { root, signer } = await openRootFile(access);
    if (!root) {
      throw new AppError("NOT_FOUND", "数据库中没有该根密钥文件的根 CA：请先运行 certhall ca ceremony init");
    }
    return { root, signer };
  }

  const audit = (
    trx: Trx,
    actor: CaActor,
    action: string,
    objectId: string,
    detail: Record<string, unknown>,
  ) =>
    appendAudit(trx, {
      at: clock(),
      actorType: actor.type,
      actorId: actor.id,
      action,
      objectType: "ca",
      objectId,
      detail,
      ip: actor.ip ?? null,
    });

  /** Signs the ARL (the root's CRL of issuing CA certificates) and stores it for the server to publish. */
  async function signArlIn(trx: Trx, root: LoadedCa, signer: ReturnType<typeof localSigner>, actor: CaActor) {
    const crl = await ca.signCrlIn(trx, root, { signer, validityMs: arl.validityMs });
    await audit(trx, actor, "pki.crl.published", root.slug, {
      crlNumber: crl.number,
      entries: crl.entries,
      nextUpdate: crl.nextUpdate.toISOString(),
      arl: true,
    });
    return crl;
  }

  /** A new root key in a sealed file, its certificate published (without key) and its first ARL. */
  async function init(access: RootKeyAccess, actor: CaActor): Promise<LoadedCa> {
    // An existing file is never overwritten: its root is published here (e.g. a new database).
    if (existsSync(access.rootKeyFile)) return publishRoot(access, actor);
    const inData = !path.relative(config.dataDir, access.rootKeyFile).startsWith("..");
    if (config.env === "production" && inData) {
      throw new AppError("VALIDATION_FAILED", `根密钥文件不能放在 DATA_DIR（${config.dataDir}）内`, {
        field: "rootKey",
      });
    }
    const algorithm = config.ca.algorithm as CaAlgorithm;
    const root = await createRootCa({
      algorithm,
      name: [
        { type: "C", value: "CN" },
        { type: "O", value: config.ca.name },
        { type: "CN", value: `${config.ca.name} Root CA ${algorithm.toUpperCase()}` },
      ],
      now: clock(),
    });
    const text = sealRootKeyFile(
      { algorithm, keyPkcs8: root.keyPkcs8, certificatePem: toPem(root.certDer, "CERTIFICATE") },
      access.passphrase,
    );
    const row = await db.transaction().execute(async (trx) => {
      const r = await ca.insertCa(trx, {
        role: "root",
        algorithm,
        certDer: root.certDer,
        keyPkcs8: null,
        parentId: null,
        imported: false,
      });
      await audit(trx, actor, "pki.ceremony.root-created", r.slug, {
        subject: r.subject,
        serialHex: r.serial_hex,
      });
      // Written before the commit: a root whose key file could not be written is never published.
      mkdirSync(path.dirname(access.rootKeyFile), { recursive: true });
      writeFileSync(access.rootKeyFile, text, { mode: 0o600, flag: "wx" });
      return r;
    });
    await signArl(access, actor);
    return ca.caBySlug(row.slug);
  }

  /** Publishes the root of an existing key file (opened with its passphrase) in this database. */
  async function publishRoot(access: RootKeyAccess, actor: CaActor): Promise<LoadedCa> {
    const { root, certDer, algorithm } = await openRootFile(access);
    if (root) throw new AppError("CONFLICT", `根密钥文件 ${access.rootKeyFile} 的根 CA 已存在：${root.slug}`);
    const row = await db.transaction().execute(async (trx) => {
      const r = await ca.insertCa(trx, {
        role: "root",
        algorithm,
        certDer,
        keyPkcs8: null,
        parentId: null,
        imported: false,
      });
      await audit(trx, actor, "pki.ceremony.root-published", r.slug, {
        subject: r.subject,
        serialHex: r.serial_hex,
      });
      return r;
    });
    await signArl(access, actor);
    return ca.caBySlug(row.slug);
  }

  /** The certificate of an issuing CA as a certificate of its root (so the ARL and `ca revoke` see it). */
  async function recordIssuingCert(
    trx: Trx,
    rootId: string,
    issuing: { certDer: Buffer; subject: string },
    createdAt: string,
  ) {
    const { certDer } = issuing;
    const cert = parseCertificate(certDer);
    const exists = await trx
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("serial_hex", "=", cert.serialHex)
      .executeTakeFirst();
    if (exists) return;
    await trx
      .insertInto("pki_certificates")
      .values({
        serial_hex: cert.serialHex,
        ca_id: rootId,
        subject: issuing.subject,
        profile: ISSUING_CA_PROFILE,
        key_name: "ca",
        subject_key_id: keyIdentifier(cert.spki).toString("hex"),
        not_before: cert.notBefore.toISOString(),
        not_after: cert.notAfter.toISOString(),
        cert_der: certDer.toString("base64"),
        status: "good",
        revoked_at: null,
        revocation_reason: null,
        invalidity_date: null,
        account_id: null,
        order_id: null,
        created_at: createdAt,
        spki_sha256: spkiSha256(cert.spki),
        holder: holderOf(cert.subjectRaw),
        status_changed_at: null,
      })
      .execute();
  }

  /**
   * The root certifies a new issuing key: generated here and sealed under CA_MASTER_KEY
   * (CA_SIGNER=sealed), or the token's key (CA_SIGNER=pkcs11), whose private half stays in the token.
   */
  async function signIssuing(access: RootKeyAccess, actor: CaActor): Promise<LoadedCa> {
    const { root, signer: rootSigner } = await openRoot(access);
    const active = ca
      .list()
      .find(
        (c) =>
          c.role === "issuing" && c.parentId === root.id && c.algorithm === config.ca.algorithm && c.signer,
      );
    if (active) {
      throw new AppError(
        "CONFLICT",
        `根 CA 下已有有效的 ${config.ca.algorithm} 签发 CA（${active.slug}）：先用 revoke-issuing 吊销它`,
      );
    }
    let keyPkcs8: Buffer | null = null;
    let spki: Buffer;
    let algorithm: string;
    if (config.ca.signer.kind === "pkcs11") {
      const token = ca.signers.token();
      spki = token.publicKeySpki;
      algorithm = token.algorithm;
    } else {
      const key = generateKeyPair(config.ca.algorithm as CaAlgorithm);
      keyPkcs8 = key.pkcs8;
      spki = key.spki;
      algorithm = key.algorithm;
    }
    if (algorithm !== config.ca.algorithm) {
      throw new AppError(
        "VALIDATION_FAILED",
        `签发密钥的算法 ${algorithm} 与 CA_ALGORITHM=${config.ca.algorithm} 不一致`,
        { field: "CA_ALGORITHM" },
      );
    }
    const urls = ca.urlsFor(root);
    const signed = await signIssuingCa({
      root: { certDer: root.certDer, signer: rootSigner },
      issuingSpki: spki,
      issuingName: [
        { type: "C", value: "CN" },
        { type: "O", value: config.ca.name },
        { type: "CN", value: `${config.ca.name} Issuing CA ${algorithm.toUpperCase()}` },
      ],
      // No OCSP URL: the server cannot sign as the root, whose status for its issuing CAs is the ARL.
      urls: { arl: urls.crl, rootCert: urls.caIssuers },
      policy: config.ca.policy,
      now: clock(),
    });
    const row = await db.transaction().execute(async (trx) => {
      const r = await ca.insertCa(trx, {
        role: "issuing",
        algorithm,
        certDer: signed.certDer,
        keyPkcs8,
        parentId: root.id,
        imported: false,
      });
      await recordIssuingCert(trx, root.id, { certDer: signed.certDer, subject: r.subject }, r.created_at);
      await audit(trx, actor, "pki.ceremony.issuing-signed", r.slug, {
        root: root.slug,
        subject: r.subject,
        serialHex: r.serial_hex,
        signer: config.ca.signer.kind,
      });
      return r;
    });
    await ca.loadAll();
    const issuing = ca.caBySlug(row.slug);
    await ca.generateCrl(issuing.slug, actor);
    return issuing;
  }

  /** Revokes an issuing CA certificate: it stops signing, and the new ARL lists it. */
  async function revokeIssuing(
    access: RootKeyAccess,
    input: { serialHex: string; reason: string },
    actor: CaActor,
  ): Promise<CrlRecord> {
    const { root, signer } = await openRoot(access);
    const serial = normalizeSerial(input.serialHex);
    const reasons = Object.keys(REVOCATION_REASONS).filter((r) => r !== "removeFromCRL");
    if (!reasons.includes(input.reason)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `吊销原因（reason）“${input.reason}”无效，可用：${reasons.join("、")}`,
        {
          field: "reason",
        },
      );
    }
    const target = ca
      .list()
      .find(
        (c) =>
          c.role === "issuing" && c.parentId === root.id && parseCertificate(c.certDer).serialHex === serial,
      );
    if (!target) {
      throw new AppError("NOT_FOUND", `该根 CA 没有序列号为 ${serial} 的签发 CA`, { field: "serialHex" });
    }
    const revokedAt = new Date(Math.floor(clock().getTime() / 1000) * 1000).toISOString();
    const crl = await db.transaction().execute(async (trx) => {
      await recordIssuingCert(trx, root.id, target, revokedAt);
      const updated = await trx
        .updateTable("pki_certificates")
        .set({
          status: "revoked",
          revoked_at: revokedAt,
          revocation_reason: input.reason,
          status_changed_at: revokedAt,
        })
        .where("serial_hex", "=", serial)
        .where("status", "=", "good")
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        throw new AppError("CONFLICT", `签发 CA ${serial} 已吊销，不能重复吊销`, { field: "serialHex" });
      }
      await trx.updateTable("pki_cas").set({ active: 0 }).where("id", "=", target.id).execute();
      await audit(trx, actor, "pki.ceremony.issuing-revoked", target.slug, {
        root: root.slug,
        serialHex: serial,
        reason: input.reason as RevocationReason,
      });
      return signArlIn(trx, root, signer, actor);
    });
    ca.publishCrl(crl);
    return crl;
  }

  async function signArl(access: RootKeyAccess, actor: CaActor): Promise<CrlRecord> {
    const { root, signer } = await openRoot(access);
    const crl = await db.transaction().execute((trx) => signArlIn(trx, root, signer, actor));
    ca.publishCrl(crl);
    return crl;
  }

  /**
   * Moves a root key still sealed in the database (made before the ceremony existed) into a root key
   * file, and deletes it from the database in the same transaction.
   */
  async function exportRootFromDb(access: RootKeyAccess, actor: CaActor): Promise<string[]> {
    const rows = await db
      .selectFrom("pki_cas")
      .selectAll()
      .where("role", "=", "root")
      .where("key_sealed", "is not", null)
      .execute();
    if (rows.length > 1) {
      throw new AppError(
        "CONFLICT",
        `数据库中有 ${rows.length} 个根 CA 私钥：请逐个导出（一个根密钥文件一个）`,
      );
    }
    if (existsSync(access.rootKeyFile) && rows.length > 0) {
      throw new AppError("CONFLICT", `根密钥文件已存在：${access.rootKeyFile}（不会覆盖）`, {
        field: "rootKey",
      });
    }
    for (const row of rows) {
      const keyPkcs8 = openKey(Buffer.from(row.key_sealed!, "base64"), config.ca.masterKey);
      const text = sealRootKeyFile(
        { algorithm: row.algorithm, keyPkcs8, certificatePem: row.cert_pem },
        access.passphrase,
      );
      await db.transaction().execute(async (trx) => {
        await trx.updateTable("pki_cas").set({ key_sealed: null }).where("id", "=", row.id).execute();
        await audit(trx, actor, "pki.ceremony.root-exported", row.slug, { file: access.rootKeyFile });
        mkdirSync(path.dirname(access.rootKeyFile), { recursive: true });
        writeFileSync(access.rootKeyFile, text, { mode: 0o600, flag: "wx" });
      });
    }
    return rows.map((r) => r.slug);
  }

  /** Whether the key file exists and its root is published in this database. */
  async function hasRoot(access: RootKeyAccess): Promise<boolean> {
    return existsSync(access.rootKeyFile) && (await openRootFile(access)).root !== undefined;
  }

  return { init, signIssuing, revokeIssuing, signArl, exportRootFromDb, hasRoot };
}
