import { randomInt } from "node:crypto";
import {
  ACTOR_LABELS,
  availableEvents,
  BUSINESS_TYPES,
  type BusinessCode,
  checkSubjectChanges,
  expectedPath,
  type ItemDetails,
  itemFeeLines,
  maskIdCard,
  maskPhone,
  ORDER_STATE_INFO,
  ORDER_TRANSITIONS,
  type OrderActor,
  type OrderEvent,
  type OrderState,
  revokeReasonOf,
  SEAL_KINDS,
  type SealKind,
  type SubjectChanges,
  shanghaiDate,
  sumLines,
  type VendorSwapDetails,
  vendorSwapEnd,
} from "@certhall/domain";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { type AuditInput, appendAudit } from "../audit/audit.service";
import { pricesOf } from "../catalog/catalog.service";
import { lineagesOf } from "../certificates/lineage";
import { type CloseTradesAtProvider, markOpenTradesClosed } from "../payments/trade-close";
import { renewalWindowDays } from "../settings/settings.service";
import { rememberHandler } from "../subjects/handler.service";
import { currentSubjectVersions } from "../subjects/subject-versions";
import { type OwnCa, readVendorCertificate } from "../vendor/vendor-cert";
import { vendorIdentity } from "../vendor/vendor-identity";
import { findOwnedOrder, orderItemRows } from "./order.queries";
import {
  claimHolds,
  holdsOf,
  type OwnedCertificate,
  ownedCertificates,
  renewalNeedsReview,
  renewalTooLong,
  targetProblem,
} from "./order.targets";
import { applyTransition, type TransitionActor } from "./order.transition";

export interface OrderDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms">;
  /** Our CA certificates: a vendor certificate issued by one of them is refused (it is ours). */
  ourCas?: () => readonly OwnCa[];
  /** Closes, after the commit, the online trades a cancel or an edit closed (modules/payments). */
  closeTradesAtProvider?: CloseTradesAtProvider;
  /** Runs inside a step's transaction after its transition (modules/materials: per-material verdicts). */
  onStep?: OrderStepHook;
}

export type OrderStepHook = (
  trx: Trx,
  order: Order,
  event: OrderEvent,
  actor: TransitionActor,
  input: unknown,
) => Promise<void>;

export interface HandlerInput {
  name: string;
  idNumber: string;
  phone: string;
}

export interface ItemInput {
  /** 新证, 其他厂商介质证书更换: the subject and product. */
  subjectId?: string;
  caTypeId?: string;
  years?: number;
  eseal?: boolean;
  /** Every other business: the account's certificate the item acts on. */
  certificateSerial?: string;
  /** 其他厂商介质证书更换: the other vendor's certificate, base64 DER as the browser read it. */
  vendorCertificate?: string;
  /** 延期 */
  keepKey?: boolean;
  /** 电子签章开通 */
  seal?: { name: string; kind: string; uploadId: string };
  /** 变更 */
  changes?: SubjectChanges;
  reason?: string;
  /** 补证 */
  cause?: string;
}

export interface OrderInput {
  business: BusinessCode;
  subjectKind: "company" | "person";
  handler: HandlerInput;
  items: ItemInput[];
  /** 【是否换证】/【是否注销】 ticked. */
  confirmed?: boolean;
}

interface Meta {
  ip: string | null;
}

export const MAX_ITEMS = 20;
// 汇款识别码 alphabet: no 0/O, 1/I/L, so it survives being read aloud or typed from a bank slip.
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

function randomCode(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

export function createOrderService(deps: OrderDeps) {
  const { db, clock } = deps;
  const tdeps = { clock, signName: deps.config.sms.signName };

  /** Prices every item from the catalog as it stands now, checking ownership, kinds and targets. */
  async function priceItems(trx: Trx | Db, accountId: string, input: OrderInput, selfOrderId?: string) {
    if (input.items.length === 0) throw invalidField("items", "请至少添加一项证书");
    if (input.items.length > MAX_ITEMS) throw invalidField("items", `一个订单最多 ${MAX_ITEMS} 项证书`);
    const confirmation = BUSINESS_TYPES[input.business].confirmation;
    if (confirmation && !input.confirmed) {
      throw invalidField("confirmed", `请勾选【${confirmation}】确认办理`);
    }
    const rows =
      BUSINESS_TYPES[input.business].target === "own_certificate"
        ? await resolveOwnTargets(trx, accountId, input, selfOrderId)
        : await resolveSubjectItems(trx, accountId, input);
    return rows.map((row, index) => {
      const { caType } = row;
      const years = input.business === "renew" ? checkYears(input.items[index]!.years, index) : row.years;
      const lines = itemFeeLines(input.business, pricesOf(caType), {
        years,
        eseal: input.business === "new" ? !!input.items[index]!.eseal : false,
      });
      return { ...row, years, lines, amount: sumLines(lines) };
    });
  }

  function checkYears(years: number | undefined, index: number): number {
    const y = years ?? 1;
    if (!Number.isInteger(y) || y < 1 || y > 5) {
      throw invalidField(`items.${index}.years`, `第 ${index + 1} 项：年限应为 1–5 年`);
    }
    return y;
  }

  /** 新证 and 其他厂商介质证书更换: items name one of the account's subjects and a product. */
  async function resolveSubjectItems(trx: Trx | Db, accountId: string, input: OrderInput) {
    const subjectIds = [...new Set(input.items.map((i) => i.subjectId ?? ""))];
    const caTypeIds = [...new Set(input.items.map((i) => i.caTypeId ?? ""))];
    const subjects = new Map(
      (
        await trx
          .selectFrom("subjects")
          .selectAll()
          .where("account_id", "=", accountId)
          .where("archived", "=", 0)
          .where("id", "in", subjectIds)
          .execute()
      ).map((s) => [s.id, s]),
    );
    const caTypes = new Map(
      (
        await trx
          .selectFrom("ca_types")
          .selectAll()
          .where("active", "=", 1)
          .where("id", "in", caTypeIds)
          .execute()
      ).map((c) => [c.id, c]),
    );
    const now = clock();
    const vendorsSeen = new Set<string>();
    return input.items.map((item, index) => {
      const subject = subjects.get(item.subjectId ?? "");
      // Another account's subject is simply not found: ids do not reveal what exists elsewhere.
      if (!subject) throw invalidField(`items.${index}.subjectId`, `第 ${index + 1} 项：主体不存在`);
      if (subject.kind !== input.subjectKind) {
        throw invalidField(`items.${index}.subjectId`, `第 ${index + 1} 项：主体类型与订单不符`);
      }
      const caType = caTypes.get(item.caTypeId ?? "");
      if (!caType) throw invalidField(`items.${index}.caTypeId`, `第 ${index + 1} 项：CA 类型不存在或已停售`);
      if (caType.subject_kind !== subject.kind) {
        throw invalidField(
          `items.${index}.caTypeId`,
          `第 ${index + 1} 项：「${caType.name}」不适用于${subject.kind === "company" ? "企业" : "个人"}`,
        );
      }
      const years = checkYears(item.years, index);
      if (input.business !== "vendor_swap") {
        return {
          subject,
          caType,
          years,
          target: null,
          media: null,
          details: null as ItemDetails | null,
          needsReview: false,
        };
      }
      const vendor = readVendor(item.vendorCertificate, index, now);
      if (vendorsSeen.has(vendor.fingerprintSha256)) {
        throw invalidField(`items.${index}.vendorCertificate`, `第 ${index + 1} 项：同一证书不能重复添加`);
      }
      vendorsSeen.add(vendor.fingerprintSha256);
      const identity = vendorIdentity(subject, vendor.subjectFields);
      if (!identity.ok) {
        throw invalidField(`items.${index}.vendorCertificate`, `第 ${index + 1} 项：${identity.message}`);
      }
      const rule = vendorSwapEnd(new Date(vendor.notAfter), now);
      if (!rule.ok)
        throw invalidField(`items.${index}.vendorCertificate`, `第 ${index + 1} 项：${rule.reason}`);
      const details: VendorSwapDetails & { derBase64: string } = {
        vendor: {
          subject: vendor.subject,
          issuer: vendor.issuer,
          serialHex: vendor.serialHex,
          notBefore: vendor.notBefore,
          notAfter: vendor.notAfter,
          fingerprintSha256: vendor.fingerprintSha256,
        },
        estimatedEnd: rule.end.toISOString(),
        rule: rule.rule,
        derBase64: vendor.derBase64,
      };
      return {
        subject,
        caType,
        years: 1,
        target: `vendor:${vendor.fingerprintSha256}`,
        media: null,
        details: details as ItemDetails,
        // A certificate that names its holder only loosely (no USCC / no ID number) goes to a reviewer.
        needsReview: identity.review,
      };
    });
  }

  function readVendor(text: string | undefined, index: number, now: Date) {
    const field = `items.${index}.vendorCertificate`;
    if (!text) throw invalidField(field, `第 ${index + 1} 项：请上传其他厂商的证书文件`);
    if (!deps.ourCas) throw invalidField(field, "本 CA 未就绪，暂不能办理其他厂商介质证书更换");
    try {
      return readVendorCertificate(Buffer.from(text, "base64"), deps.ourCas(), now);
    } catch (err) {
      if (err instanceof AppError) throw invalidField(field, `第 ${index + 1} 项：${err.message}`);
      throw err;
    }
  }

  /** Every other business: items pick one of the account's own certificates (【添加其他证书】). */
  async function resolveOwnTargets(
    trx: Trx | Db,
    accountId: string,
    input: OrderInput,
    selfOrderId?: string,
  ) {
    const serials = input.items.map((i, index) => {
      const s = (i.certificateSerial ?? "").trim().toLowerCase();
      if (!/^[0-9a-f]{2,64}$/.test(s)) {
        throw invalidField(`items.${index}.certificateSerial`, `第 ${index + 1} 项：请选择证书`);
      }
      return s;
    });
    const dup = serials.findIndex((s, i) => serials.indexOf(s) !== i);
    if (dup >= 0)
      throw invalidField(`items.${dup}.certificateSerial`, `第 ${dup + 1} 项：同一证书不能重复添加`);
    const certs = new Map(
      (
        await ownedCertificates(trx, accountId).where("pki_certificates.serial_hex", "in", serials).execute()
      ).map((c) => [c.serial_hex, c]),
    );
    const holds = await holdsOf(trx, serials);
    const lineages = await lineagesOf(trx, serials);
    const esealed = new Set(
      (
        await trx
          .selectFrom("eseals")
          .select("certificate_serial")
          .where("certificate_serial", "in", serials)
          .execute()
      ).map((e) => e.certificate_serial),
    );
    const now = clock();
    const windowDays = await renewalWindowDays(trx);
    const caTypes = new Map(
      (
        await trx
          .selectFrom("ca_types")
          .selectAll()
          .where("id", "in", [...certs.values()].map((c) => c.ca_type_id).concat(""))
          .execute()
      ).map((c) => [c.id, c]),
    );
    const out = [];
    for (const [index, serial] of serials.entries()) {
      const field = `items.${index}.certificateSerial`;
      const cert = certs.get(serial);
      // Someone else's certificate is "not found", exactly like one that does not exist.
      if (!cert) throw invalidField(field, `第 ${index + 1} 项：证书不存在`);
      if (cert.subject_kind !== input.subjectKind) {
        throw invalidField(field, `第 ${index + 1} 项：证书的主体类型与订单不符`);
      }
      const problem = targetProblem(input.business, cert, now, {
        hold: holds.get(serial),
        selfOrderId,
        esealEnabled: esealed.has(serial),
        renewalWindowDays: windowDays,
        head: lineages.get(serial)?.head,
      });
      if (problem) throw new AppError("CONFLICT", `第 ${index + 1} 项：${problem}`, { field });
      if (input.business === "renew") {
        const tooLong = renewalTooLong(cert, now, checkYears(input.items[index]!.years, index));
        if (tooLong) throw invalidField(`items.${index}.years`, `第 ${index + 1} 项：${tooLong}`);
      }
      const caType = caTypes.get(cert.ca_type_id);
      if (!caType) throw invalidField(field, `第 ${index + 1} 项：证书的 CA 类型已不存在`);
      const subject = {
        id: cert.subject_id,
        kind: cert.subject_kind,
        name: cert.subject_name,
        identity_key: cert.subject_identity,
        legal_rep: cert.subject_legal_rep,
        address: cert.subject_address,
      };
      const details = await itemDetails(trx, accountId, input, index, cert);
      out.push({
        subject,
        caType,
        years: cert.years,
        target: serial,
        // The medium the certificate sits on: an unlock acts on that very key.
        media: input.business === "unlock" ? cert.media_serial : null,
        details,
        needsReview:
          input.business === "renew" && renewalNeedsReview(cert, now, input.items[index]!.years ?? 1),
      });
    }
    return out;
  }

  async function itemDetails(
    trx: Trx | Db,
    accountId: string,
    input: OrderInput,
    index: number,
    cert: OwnedCertificate,
  ): Promise<ItemDetails | null> {
    const item = input.items[index]!;
    const at = (f: string) => `items.${index}.${f}`;
    switch (input.business) {
      case "renew":
        if (typeof item.keepKey !== "boolean") {
          throw invalidField(at("keepKey"), `第 ${index + 1} 项：请选择保留原密钥或更换新密钥`);
        }
        return { keepKey: item.keepKey };
      case "change": {
        const r = checkSubjectChanges(
          cert.subject_kind,
          { name: cert.subject_name, legalRep: cert.subject_legal_rep, address: cert.subject_address },
          item.changes ?? {},
          item.reason ?? "",
        );
        if (!r.ok) throw invalidField(at(r.field), `第 ${index + 1} 项：${r.message}`);
        return { changes: r.changes, reason: r.reason };
      }
      case "reissue":
        if (item.cause !== "lost" && item.cause !== "broken") {
          throw invalidField(at("cause"), `第 ${index + 1} 项：请选择补证原因（介质遗失或损坏）`);
        }
        return { cause: item.cause };
      case "revoke":
        // The schema checked the reason; none sent is 不再使用.
        return { reason: revokeReasonOf({ reason: item.reason }) };
      case "eseal": {
        const seal = item.seal;
        if (!seal) throw invalidField(at("seal"), `第 ${index + 1} 项：请上传印章图片并填写印章信息`);
        const name = seal.name.trim();
        if (!name || name.length > 60) {
          throw invalidField(at("seal.name"), `第 ${index + 1} 项：印章名称须为 1–60 个字`);
        }
        if (!(SEAL_KINDS as readonly string[]).includes(seal.kind)) {
          throw invalidField(at("seal.kind"), `第 ${index + 1} 项：请选择印章类型`);
        }
        const upload = await trx
          .selectFrom("uploads")
          .select(["id", "sha256"])
          .where("id", "=", seal.uploadId)
          .where("account_id", "=", accountId)
          .where("purpose", "=", "seal_image")
          .executeTakeFirst();
        if (!upload)
          throw invalidField(at("seal.uploadId"), `第 ${index + 1} 项：印章图片不存在，请重新上传`);
        return {
          sealName: name,
          sealKind: seal.kind as SealKind,
          sealUploadId: upload.id,
          sealSha256: upload.sha256,
        };
      }
      default:
        return null;
    }
  }

  async function writeItems(trx: Trx, orderId: string, priced: Awaited<ReturnType<typeof priceItems>>) {
    await trx.deleteFrom("order_items").where("order_id", "=", orderId).execute();
    // Each item points at its subject's version of today (DESIGN §8).
    const versions = await currentSubjectVersions(
      trx,
      priced.map((p) => p.subject.id),
      clock(),
    );
    await trx
      .insertInto("order_items")
      .values(
        priced.map((p, position) => ({
          id: newId(),
          order_id: orderId,
          position,
          subject_id: p.subject.id,
          subject_version_id: versions.get(p.subject.id) ?? null,
          ca_type_id: p.caType.id,
          years: p.years,
          eseal: p.lines.some((l) => l.code === "eseal") ? 1 : 0,
          fee_lines: JSON.stringify(p.lines),
          amount_fen: p.amount,
          target_serial: p.target,
          certificate_serial: null,
          media_serial: p.media,
          details: p.details ? JSON.stringify(p.details) : null,
        })),
      )
      .execute();
    await claimHolds(
      trx,
      orderId,
      priced.flatMap((p) => (p.target ? [p.target] : [])),
      clock(),
    );
  }

  async function create(
    accountId: string,
    input: OrderInput & { clientToken?: string; submit?: boolean },
    meta: Meta,
  ) {
    const handler = input.handler;
    if (input.clientToken) {
      const prior = await db
        .selectFrom("orders")
        .selectAll()
        .where("account_id", "=", accountId)
        .where("client_token", "=", input.clientToken)
        .executeTakeFirst();
      if (prior) return prior; // the same form submitted twice: one order
    }
    const priced = await priceItems(db, accountId, input);
    const applicant: TransitionActor = { role: "applicant", type: "applicant", id: accountId };
    for (let attempt = 0; ; attempt++) {
      const now = clock();
      const order: Order = {
        id: newId(),
        order_no: `CH${shanghaiDate(now).replaceAll("-", "")}${String(randomInt(1_000_000)).padStart(6, "0")}`,
        account_id: accountId,
        business: input.business,
        subject_kind: input.subjectKind,
        state: "draft",
        version: 1,
        handler_name: handler.name,
        handler_id_number: handler.idNumber,
        handler_phone: handler.phone,
        total_fen: priced.reduce((s, p) => s + p.amount, 0),
        remittance_code: randomCode(8),
        delivery_method: null,
        window_id: null,
        appointment_date: null,
        return_address: null,
        courier: null,
        tracking_no: null,
        last_note: null,
        reviewer_id: null,
        client_token: input.clientToken ?? null,
        needs_review: priced.some((p) => p.needsReview) ? 1 : 0,
        confirmed: input.confirmed ? 1 : 0,
        submitted_at: null,
        completed_at: null,
        created_at: iso(now),
        updated_at: iso(now),
      };
      try {
        return await db.transaction().execute(async (trx) => {
          await trx.insertInto("orders").values(order).execute();
          await writeItems(trx, order.id, priced);
          await rememberHandler(trx, accountId, handler, clock());
          const created: AuditInput = {
            at: now,
            actorType: "applicant",
            actorId: accountId,
            action: "order.create",
            objectType: "order",
            objectId: order.id,
            detail: {
              orderNo: order.order_no,
              business: order.business,
              items: priced.length,
              totalFen: order.total_fen,
            },
            ip: meta.ip,
          };
          if (!input.submit) {
            await appendAudit(trx, created);
            return order;
          }
          return applyTransition(trx, tdeps, {
            order,
            event: "submit",
            actor: applicant,
            ip: meta.ip,
            auditBefore: [created],
          });
        });
      } catch (err) {
        if (input.clientToken) {
          const prior = await db
            .selectFrom("orders")
            .selectAll()
            .where("account_id", "=", accountId)
            .where("client_token", "=", input.clientToken)
            .executeTakeFirst();
          if (prior) return prior; // lost a race against our own double click
        }
        // A collision on order number or remittance code: try new ones a few times.
        const collided = await db
          .selectFrom("orders")
          .select("id")
          .where((eb) =>
            eb.or([eb("order_no", "=", order.order_no), eb("remittance_code", "=", order.remittance_code)]),
          )
          .executeTakeFirst();
        if (!collided || attempt >= 3) throw err;
      }
    }
  }

  const getOwned = (accountId: string, orderId: string) => findOwnedOrder(db, accountId, orderId);

  async function getAny(orderId: string): Promise<Order> {
    const o = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
    if (!o) throw notFound("订单");
    return o;
  }

  async function update(
    accountId: string,
    orderId: string,
    input: OrderInput & { version: number },
    meta: Meta,
  ) {
    const order = await getOwned(accountId, orderId);
    if (input.business !== order.business) throw invalidField("business", "不能更改订单的业务类型");
    if (input.subjectKind !== order.subject_kind) throw invalidField("subjectKind", "不能更改订单的主体类型");
    const handler = input.handler;
    const priced = await priceItems(db, accountId, input, order.id);
    const { updated, closed } = await db.transaction().execute(async (trx) => {
      const updated = await applyTransition(trx, tdeps, {
        order,
        event: "edit",
        actor: { role: "applicant", type: "applicant", id: accountId },
        expectedVersion: input.version,
        set: {
          handler_name: handler.name,
          handler_id_number: handler.idNumber,
          handler_phone: handler.phone,
          total_fen: priced.reduce((s, p) => s + p.amount, 0),
          needs_review: priced.some((p) => p.needsReview) ? 1 : 0,
          confirmed: input.confirmed ? 1 : 0,
        },
        ip: meta.ip,
      });
      await writeItems(trx, order.id, priced);
      await rememberHandler(trx, accountId, handler, clock());
      // The order the payer may be paying for changed: its open online trades are void.
      return { updated, closed: await markOpenTradesClosed(trx, order.id, clock) };
    });
    await deps.closeTradesAtProvider?.(closed, meta.ip);
    return updated;
  }

  /** A plain state step (submit, cancel, review decisions) on an order already loaded and authorised. */
  async function step(
    order: Order,
    event: OrderEvent,
    actor: TransitionActor,
    opts: {
      version?: number;
      note?: string | null;
      ip: string | null;
      set?: Parameters<typeof applyTransition>[2]["set"];
      /** What the `onStep` hook is given (the reviewer's per-material rejections). */
      hookInput?: unknown;
    },
  ) {
    const { updated, closed } = await db.transaction().execute(async (trx) => {
      const updated = await applyTransition(trx, tdeps, {
        order,
        event,
        actor,
        expectedVersion: opts.version,
        note: opts.note,
        set: opts.set,
        ip: opts.ip,
      });
      await deps.onStep?.(trx, order, event, actor, opts.hookInput);
      // A cancelled order accepts no payment: its open online trades are closed.
      return { updated, closed: event === "cancel" ? await markOpenTradesClosed(trx, order.id, clock) : [] };
    });
    await deps.closeTradesAtProvider?.(closed, opts.ip);
    return updated;
  }

  /** The order's items; with when the window last sent the item an unlock code (解锁), if ever. */
  async function items(orderId: string) {
    return orderItemRows(db)
      .select((eb) =>
        eb
          .selectFrom("item_authorisations")
          .select((a) => a.fn.max("item_authorisations.created_at").as("sent_at"))
          .whereRef("item_authorisations.item_id", "=", "order_items.id")
          .where("item_authorisations.purpose", "=", "unlock")
          .as("unlock_code_sent_at"),
      )
      .where("order_items.order_id", "=", orderId)
      .orderBy("order_items.position")
      .execute();
  }

  async function events(orderId: string) {
    return db
      .selectFrom("order_events")
      .selectAll()
      .where("order_id", "=", orderId)
      .orderBy("version")
      .execute();
  }

  async function list(
    filter: { accountId?: string; states?: OrderState[]; business?: BusinessCode; q?: string },
    page: { limit: number; offset: number },
  ) {
    let q = db.selectFrom("orders").selectAll();
    if (filter.accountId) q = q.where("account_id", "=", filter.accountId);
    if (filter.states?.length) q = q.where("state", "in", filter.states);
    if (filter.business) q = q.where("business", "=", filter.business);
    if (filter.q) {
      const term = filter.q.trim();
      // Search by order number, remittance code, or a subject's name / identity on the order.
      q = q.where((eb) =>
        eb.or([
          eb("order_no", "=", term.toUpperCase()),
          eb("remittance_code", "=", term.toUpperCase()),
          eb(
            "id",
            "in",
            eb
              .selectFrom("order_items")
              .innerJoin("subjects", "subjects.id", "order_items.subject_id")
              .select("order_items.order_id")
              .where((e) =>
                e.or([
                  e("subjects.name", "like", `%${term.replace(/[%_]/g, "")}%`),
                  e("subjects.identity_key", "=", term.toUpperCase()),
                ]),
              ),
          ),
        ]),
      );
    }
    const rows = await q
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(page.limit + 1)
      .offset(page.offset)
      .execute();
    return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  /** The vendor certificate as the order would read it, and the service end the rule gives today. */
  function previewVendor(base64: string) {
    const now = clock();
    const vendor = readVendor(base64, 0, now);
    const rule = vendorSwapEnd(new Date(vendor.notAfter), now);
    if (!rule.ok) throw invalidField("vendorCertificate", rule.reason);
    const { derBase64: _der, ...summary } = vendor;
    return { ...summary, estimatedEnd: rule.end.toISOString(), rule: rule.rule };
  }

  return { create, update, getOwned, getAny, step, items, events, list, previewVendor };
}

export type OrderService = ReturnType<typeof createOrderService>;

/** The progress timeline: what happened (events) and what comes next, and who acts. */
export function timeline(
  order: Order,
  evts: { at: string; event: string; actor_type: string; note: string | null; to_state: string }[],
) {
  const state = order.state as OrderState;
  const business = order.business as BusinessCode;
  const path = expectedPath(business, "online", order.needs_review === 1);
  const idx = path.indexOf(state);
  const upcoming = idx >= 0 ? path.slice(idx + 1) : [];
  return {
    done: evts.map((e) => ({
      at: e.at,
      event: e.event,
      label: ORDER_TRANSITIONS[e.event as OrderEvent]?.labelZh ?? e.event,
      actor: ACTOR_LABELS[e.actor_type as OrderActor] ?? e.actor_type,
      note: e.note,
      state: e.to_state,
    })),
    current: {
      state,
      label: ORDER_STATE_INFO[state].labelZh,
      // A free business (解锁, 注销) is not asked to pay: its "payment" only confirms the order.
      next:
        state === "awaiting_payment" && BUSINESS_TYPES[business].payment === "zero"
          ? "本业务不收费：请点击支付确认办理（不扣款）"
          : ORDER_STATE_INFO[state].nextZh,
      nextActor: ORDER_STATE_INFO[state].nextActor ? ACTOR_LABELS[ORDER_STATE_INFO[state].nextActor!] : null,
    },
    upcoming: upcoming.map((s) => ({
      state: s,
      label: ORDER_STATE_INFO[s].labelZh,
      actor: ORDER_STATE_INFO[s].nextActor ? ACTOR_LABELS[ORDER_STATE_INFO[s].nextActor!] : null,
    })),
  };
}

export function presentOrderSummary(o: Order) {
  const state = o.state as OrderState;
  return {
    id: o.id,
    orderNo: o.order_no,
    business: o.business,
    businessName: BUSINESS_TYPES[o.business as BusinessCode]?.name ?? o.business,
    subjectKind: o.subject_kind,
    state,
    stateLabel: ORDER_STATE_INFO[state]?.labelZh ?? state,
    version: o.version,
    totalFen: o.total_fen,
    handlerName: o.handler_name,
    handlerPhoneMasked: maskPhone(o.handler_phone),
    submittedAt: o.submitted_at,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
  };
}

export function presentOrderDetail(
  o: Order,
  itemRows: Awaited<ReturnType<OrderService["items"]>>,
  evts: Awaited<ReturnType<OrderService["events"]>>,
  viewer: OrderActor,
) {
  const staff = viewer !== "applicant";
  return {
    ...presentOrderSummary(o),
    handler: {
      name: o.handler_name,
      // Staff check identity against the materials; the applicant's own screens show it masked.
      idNumber: staff ? o.handler_id_number : maskIdCard(o.handler_id_number),
      phone: staff ? o.handler_phone : maskPhone(o.handler_phone),
    },
    remittanceCode: o.remittance_code,
    lastNote: o.last_note,
    delivery: {
      method: o.delivery_method,
      windowId: o.window_id,
      appointmentDate: o.appointment_date,
      returnAddress: o.return_address ? (JSON.parse(o.return_address) as Record<string, string>) : null,
      courier: o.courier,
      trackingNo: o.tracking_no,
    },
    items: itemRows.map((i) => ({
      id: i.id,
      subject: {
        id: i.subject_id,
        kind: i.subject_kind,
        name: i.subject_name,
        identity: i.subject_kind === "person" && !staff ? maskIdCard(i.subject_identity) : i.subject_identity,
        legalRep: i.subject_legal_rep,
        address: i.subject_address,
      },
      caType: { id: i.ca_type_id, name: i.ca_type_name },
      years: i.years,
      eseal: i.eseal === 1,
      feeLines: JSON.parse(i.fee_lines) as { code: string; labelZh: string; amount: number }[],
      amountFen: i.amount_fen,
      certificateSerial: i.certificate_serial,
      mediaSerial: i.media_serial,
      targetSerial: i.target_serial,
      details: presentDetails(i.details),
      // 解锁: the operator has sent an unlock code by SMS (the newest one's time); null until then.
      unlockCodeSentAt: i.unlock_code_sent_at ?? null,
    })),
    needsReview: o.needs_review === 1,
    confirmed: o.confirmed === 1,
    timeline: timeline(o, evts),
    actions: availableEvents(o.state as OrderState, viewer, o.business as BusinessCode, o.needs_review === 1),
  };
}

/** Item details as the order pages show them (a vendor certificate's DER stays on the server). */
function presentDetails(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  const { derBase64: _der, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return rest;
}
