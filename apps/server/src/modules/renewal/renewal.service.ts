// 证书在线更新 (DESIGN §4, §5): a paid 延期 order is "ready"; the applicant then sends a PKCS#10 request
// for each item, from the browser (own session) or from the token client with a one-time code, and the
// CA issues the renewed certificate at once. Both doors lead to renewItem below.
import { createPublicKey } from "node:crypto";
import {
  addShanghaiYears,
  allowsStep,
  type RenewDetails,
  renewalEnd,
  shanghaiDate,
  stepAllowed,
} from "@certhall/domain";
import { parseCertificate, parseCsrAsync } from "@certhall/pki";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { countingRefusals, REFUSED_USES_MAX, voidedByRefusals } from "../../lib/one-time-codes";
import { newBase32Code, sha256Hex } from "../../lib/tokens";
import type { AuditInput } from "../audit/audit.service";
import { appendAudit } from "../audit/audit.service";
import { afterIssue } from "../orders/businesses/effects";
import { findOwnedOrder, orderItemRows } from "../orders/order.queries";
import { applyTransition } from "../orders/order.transition";
import type { CaService, IssueResult } from "../pki/ca.service";

export interface RenewalDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms">;
  ca: CaService;
}

interface Meta {
  ip: string | null;
}

/** A one-time code for the token client lives this long; asking for a new one voids the old. */
export const UPDATE_CODE_DAYS = 7;

export const newUpdateCode = newBase32Code;

/** What is stored: the SHA-256 of the code as typed, trimmed and upper-cased (base32 has one case). */
export const hashUpdateCode = (code: string): string => sha256Hex(code.trim().toUpperCase());

export const MESSAGES = {
  alreadyRenewed: "该证书已完成在线更新",
  keepKeyMismatch: "本订单选择保留原密钥，证书请求的密钥与原证书不一致",
  rekeySameKey: "本订单选择更换新密钥，证书请求不能使用原证书的密钥",
  codeUnknown: "在线更新码不存在，请核对后重新输入，或在订单页面重新获取",
  codeUsed: "在线更新码已使用，请在订单页面重新获取",
  codeExpired: "在线更新码已过期或已被新的更新码取代，请在订单页面重新获取",
  codeRefused: "在线更新码的上次使用未成功，该码已失效（一次性码只能使用一次），请在订单页面重新获取",
} as const;

/** DER SubjectPublicKeyInfo in one canonical form (Node re-encodes what it can read; else as given). */
function canonicalSpki(spki: Buffer): Buffer {
  try {
    return createPublicKey({ key: spki, format: "der", type: "spki" }).export({
      type: "spki",
      format: "der",
    });
  } catch {
    return spki;
  }
}

const sameKey = (a: Buffer, b: Buffer) => a.equals(b) || canonicalSpki(a).equals(canonicalSpki(b));

/** After the commit: the revocations the renewal made reach this process's OCSP and CRL caches. */
function published<T extends { publish: () => void }>(r: T): Omit<T, "publish"> {
  const { publish, ...out } = r;
  publish();
  return out;
}

export function createRenewalService(deps: RenewalDeps) {
  const { db, clock, ca } = deps;
  const tdeps = { clock, signName: deps.config.sms.signName };

  async function itemOf(q: Db | Trx, order: Order, itemId: string) {
    const item = await orderItemRows(q)
      .where("order_items.order_id", "=", order.id)
      .where("order_items.id", "=", itemId)
      .executeTakeFirst();
    if (!item) throw notFound("订单项");
    return item;
  }

  /** The order must be a 延期 in "ready" and the item not yet renewed. */
  function assertRenewable(order: Order, item: { certificate_serial: string | null }): void {
    if (!allowsStep(order.business, "update_online"))
      throw new AppError("INVALID_STATE", "只有延期订单可以在线更新证书");
    if (item.certificate_serial) {
      throw new AppError("CONFLICT", MESSAGES.alreadyRenewed, { field: "itemId" });
    }
    if (!stepAllowed(order, "update_online")) {
      throw new AppError(
        "INVALID_STATE",
        order.state === "completed"
          ? "订单已办结，不能再在线更新"
          : "订单尚未完成缴费（或财务记账），暂不能在线更新证书",
      );
    }
  }

  /**
   * Renews one item in the caller's transaction: checks the key rule against the old certificate,
   * issues the new certificate (subject and profile from the order, never from the request), records
   * it on the item, and completes the order once every item is renewed. The business's effects run in
   * the same transaction (orders/businesses/renew.ts): the new certificate heads the lineage, the old
   * one is revoked superseded unless the admin keeps predecessors until they expire, and an e-seal
   * moves to the new head. The caller publishes the revocation (OCSP, CRL caches) after its commit.
   */
  async function renewItem(
    trx: Trx,
    order: Order,
    itemId: string,
    csrPem: string,
    meta: Meta & { via: "session" | "code"; audit?: AuditInput[] },
  ) {
    const item = await itemOf(trx, order, itemId);
    assertRenewable(order, item);
    // Claim the row first: on PostgreSQL a concurrent second update waits here, then finds it renewed.
    const claim = await trx
      .updateTable("order_items")
      .set({ certificate_serial: null })
      .where("id", "=", item.id)
      .where("certificate_serial", "is", null)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) {
      throw new AppError("CONFLICT", MESSAGES.alreadyRenewed, { field: "itemId" });
    }
    const old = item.target_serial
      ? await trx
          .selectFrom("pki_certificates")
          .select(["serial_hex", "cert_der", "not_after", "status", "account_id"])
          .where("serial_hex", "=", item.target_serial)
          .executeTakeFirst()
      : undefined;
    if (!old || old.account_id !== order.account_id) throw notFound("原证书");
    if (old.status === "revoked") {
      throw new AppError("INVALID_STATE", `原证书 ${old.serial_hex} 已吊销，不能延期`);
    }

    const details = JSON.parse(item.details ?? "{}") as Partial<RenewDetails>;
    const keepKey = details.keepKey === true;
    // Compare keys before anything is signed. A request that cannot be read is left to ca.issue, which
    // answers it with the CA's own message on csrPem.
    const parsed = await parseCsrAsync(csrPem).catch(() => null);
    if (parsed) {
      const oldSpki = parseCertificate(Buffer.from(old.cert_der, "base64")).spki;
      const same = sameKey(parsed.subjectPublicKeyInfo, oldSpki);
      if (keepKey && !same) throw invalidField("csrPem", MESSAGES.keepKeyMismatch);
      if (!keepKey && same) throw invalidField("csrPem", MESSAGES.rekeySameKey);
    }

    const now = clock();
    const rule = renewalEnd(new Date(old.not_after), now, item.years);
    let notAfter: Date;
    if (rule.ok) notAfter = rule.end;
    else if (order.needs_review === 1) {
      // Expired more than a year: a reviewer approved the order, the new period counts from today.
      notAfter = addShanghaiYears(now, item.years);
    } else {
      throw new AppError(
        "INVALID_STATE",
        `${rule.reason}本订单提交时未经审核，请取消后重新提交延期订单（将转人工审核）。`,
      );
    }

    const subject =
      item.subject_kind === "company"
        ? { kind: "enterprise", name: item.subject_name, uscc: item.subject_identity }
        : { kind: "person", name: item.subject_name, idNumber: item.subject_identity };
    let cert: IssueResult;
    try {
      cert = await ca.issue(
        { type: "applicant", id: order.account_id, ip: meta.ip },
        {
          csrPem,
          profile: item.ca_type_profile,
          subject,
          notAfter,
          accountId: order.account_id,
          orderId: order.id,
        },
        trx,
      );
    } catch (err) {
      if (err instanceof AppError && err.message.includes("validity-too-long")) {
        throw new AppError(
          "VALIDATION_FAILED",
          `延期后的到期日 ${shanghaiDate(notAfter)} 超出「${item.ca_type_name}」证书允许的最长有效期，请减少延期年限后重新下单`,
          { field: "notAfter" },
        );
      }
      throw err;
    }
    await trx
      .updateTable("order_items")
      .set({ certificate_serial: cert.serialHex })
      .where("id", "=", item.id)
      .execute();
    const effects = await afterIssue(
      trx,
      ca,
      { type: "applicant", id: order.account_id, ip: meta.ip },
      {
        order,
        item,
        details: details as Record<string, unknown>,
        serialHex: cert.serialHex,
        at: now,
      },
    );

    const renewed: AuditInput = {
      at: now,
      actorType: "applicant",
      actorId: order.account_id,
      action: "order.online_update",
      objectType: "order",
      objectId: order.id,
      detail: {
        orderNo: order.order_no,
        itemId: item.id,
        via: meta.via,
        keepKey,
        oldSerial: old.serial_hex,
        serialHex: cert.serialHex,
        notAfter: cert.notAfter,
        basis: rule.ok ? rule.basis : "update_date_after_review",
        ...(effects.revoked.length ? { revoked: effects.revoked } : {}),
      },
      ip: meta.ip,
    };
    const open = await trx
      .selectFrom("order_items")
      .select("id")
      .where("order_id", "=", order.id)
      .where("certificate_serial", "is", null)
      .execute();
    const audit = [...(meta.audit ?? []), renewed];
    if (open.length === 0) {
      await applyTransition(trx, tdeps, {
        order,
        event: "use",
        actor: { role: "applicant", type: "applicant", id: order.account_id },
        ip: meta.ip,
        auditBefore: audit,
      });
    } else {
      for (const a of audit) await appendAudit(trx, a);
    }
    return {
      publish: effects.publish,
      certificatePem: cert.certificatePem,
      chainPem: cert.chainPem,
      serialHex: cert.serialHex,
      notAfter: cert.notAfter,
    };
  }

  /** From the applicant's own session (the browser makes the key and the request). */
  async function updateOwn(accountId: string, orderId: string, itemId: string, csrPem: string, meta: Meta) {
    return published(
      await db.transaction().execute(async (trx) => {
        const order = await findOwnedOrder(trx, accountId, orderId);
        return renewItem(trx, order, itemId, csrPem, { ...meta, via: "session" });
      }),
    );
  }

  /**
   * From the token client with a one-time code. The code is spent in the same transaction as the
   * issuance, so a certificate issued always spends it; a request refused (a bad CSR, the wrong key, an
   * end date too far) voids it in a commit of its own (lib/one-time-codes.ts): the code's first use is
   * its only one, whatever its outcome.
   */
  async function updateByCode(code: string, csrPem: string, meta: Meta) {
    const auth = await findCode(code);
    return countingRefusals({ db, clock }, auth, meta.ip, () => spendAndRenew(auth, csrPem, meta));
  }

  async function spendAndRenew(
    auth: { id: string; order_id: string; item_id: string },
    csrPem: string,
    meta: Meta,
  ) {
    const done = await db.transaction().execute(async (trx) => {
      const now = clock();
      const spent = await trx
        .updateTable("item_authorisations")
        .set({ used_at: iso(now), done_at: iso(now) })
        .where("id", "=", auth.id)
        .where("used_at", "is", null)
        .where("refused_uses", "<", REFUSED_USES_MAX.online_update)
        .where("expires_at", ">", iso(now))
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1)
        throw new AppError("GONE", MESSAGES.codeUsed, { field: "code" });
      const order = await trx
        .selectFrom("orders")
        .selectAll()
        .where("id", "=", auth.order_id)
        .executeTakeFirst();
      if (!order) throw new AppError("NOT_FOUND", MESSAGES.codeUnknown, { field: "code" });
      return renewItem(trx, order, auth.item_id, csrPem, { ...meta, via: "code" });
    });
    return published(done);
  }

  /** Unknown → 404; used, refused once, expired or replaced by a newer code → 410. */
  async function findCode(code: string) {
    const trimmed = code.trim();
    if (!/^[A-Za-z2-7]{32}$/.test(trimmed)) {
      throw new AppError("NOT_FOUND", MESSAGES.codeUnknown, { field: "code" });
    }
    const auth = await db
      .selectFrom("item_authorisations")
      .selectAll()
      .where("code_hash", "=", hashUpdateCode(trimmed))
      .where("purpose", "=", "online_update")
      .executeTakeFirst();
    if (!auth) throw new AppError("NOT_FOUND", MESSAGES.codeUnknown, { field: "code" });
    if (auth.used_at) throw new AppError("GONE", MESSAGES.codeUsed, { field: "code" });
    if (voidedByRefusals(auth)) throw new AppError("GONE", MESSAGES.codeRefused, { field: "code" });
    if (auth.expires_at <= iso(clock())) throw new AppError("GONE", MESSAGES.codeExpired, { field: "code" });
    return auth;
  }

  /**
   * A one-time code for the token client (`certhall token renew --code …`). Only its hash is kept; a
   * new code voids the item's earlier unused ones (they answer 410 from then on).
   */
  async function issueCode(accountId: string, orderId: string, itemId: string, meta: Meta) {
    const order = await findOwnedOrder(db, accountId, orderId);
    const item = await itemOf(db, order, itemId);
    assertRenewable(order, item);
    const code = newUpdateCode();
    const now = clock();
    const expiresAt = new Date(now.getTime() + UPDATE_CODE_DAYS * 24 * 3600 * 1000);
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("item_authorisations")
        .set({ expires_at: iso(now) })
        .where("item_id", "=", item.id)
        .where("purpose", "=", "online_update")
        .where("used_at", "is", null)
        .where("expires_at", ">", iso(now))
        .execute();
      await trx
        .insertInto("item_authorisations")
        .values({
          id: newId(),
          order_id: order.id,
          item_id: item.id,
          purpose: "online_update",
          code_hash: hashUpdateCode(code),
          created_by: accountId,
          created_at: iso(now),
          expires_at: iso(expiresAt),
          used_at: null,
          done_at: null,
        })
        .execute();
      await appendAudit(trx, {
        at: now,
        actorType: "applicant",
        actorId: accountId,
        action: "order.online_update_code",
        objectType: "order",
        objectId: order.id,
        detail: { orderNo: order.order_no, itemId: item.id, expiresAt: iso(expiresAt) },
        ip: meta.ip,
      });
    });
    return { code, expiresAt: iso(expiresAt) };
  }

  return { updateOwn, updateByCode, issueCode };
}

export type RenewalService = ReturnType<typeof createRenewalService>;
