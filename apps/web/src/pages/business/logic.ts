// Pure rules of the 业务办理 pages: which businesses have a page, what a form row becomes on the wire,
// live fees with the server's own fee function, client checks that name the field, and the commands
// shown for the USB Key client.

import {
  allowsStep,
  BUSINESS_CODES,
  BUSINESS_TYPES,
  type BusinessCode,
  itemFeeLines,
  sumLines,
} from "@certhall/domain";
import type {
  BusinessItemInput,
  BusinessOrderInput,
  CandidateCertificate,
  CaType,
  HandlerInput,
  OrderDetail,
  OrderItemView,
  SubjectKind,
} from "../../api/orders";
import type { NamePath } from "../orders/form-errors";
import type { RowFee } from "../orders/logic";
import { BUSINESS_FORMS } from "./businesses";
import type { BusinessRow, CertPick, FieldErrors, OwnTargetCode } from "./businesses/define";

/** The seven businesses whose items pick one of the account's own certificates. */
export const OWN_TARGET_BUSINESSES: readonly OwnTargetCode[] = BUSINESS_CODES.filter(
  (c): c is OwnTargetCode => BUSINESS_TYPES[c].target === "own_certificate",
);

export function isOwnTargetBusiness(code: string | undefined): code is OwnTargetCode {
  return !!code && (OWN_TARGET_BUSINESSES as readonly string[]).includes(code);
}

/** Where the 业务办理 list sends a business. */
export function businessLink(code: BusinessCode): string {
  return code === "new" ? "/apply/new" : `/business/${code}`;
}

/** 解锁 and 注销 cost nothing: their payment step is 「支付（不扣款）」. */
export function isZeroBusiness(code: string): boolean {
  return code in BUSINESS_TYPES && BUSINESS_TYPES[code as BusinessCode].payment === "zero";
}

export function pickFromCandidate(c: CandidateCertificate): CertPick {
  return {
    serialHex: c.serialHex,
    subjectKind: c.subject.kind === "person" ? "person" : "company",
    subjectName: c.subject.name,
    subjectIdentity: c.subject.identity,
    legalRep: c.subject.legalRep,
    address: c.subject.address,
    caTypeId: c.caType.id,
    caTypeName: c.caType.name,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    mediaSerial: c.mediaSerial,
  };
}

/** An edited order's item: the subject as the order shows it, no validity dates (the list has them). */
export function pickFromOrderItem(i: OrderItemView): CertPick | null {
  if (!i.targetSerial || i.targetSerial.startsWith("vendor:")) return null;
  return {
    serialHex: i.targetSerial,
    subjectKind: i.subject.kind === "person" ? "person" : "company",
    subjectName: i.subject.name,
    subjectIdentity: i.subject.identity,
    legalRep: i.subject.legalRep,
    address: i.subject.address,
    caTypeId: i.caType.id,
    caTypeName: i.caType.name,
    notBefore: null,
    notAfter: null,
    mediaSerial: i.mediaSerial,
  };
}

/** A new row for a picked certificate: only the choices the applicant has to make are left empty. */
export function newRow(business: OwnTargetCode, cert: Pick<CertPick, "serialHex">): BusinessRow {
  return { certificateSerial: cert.serialHex, ...structuredClone(BUSINESS_FORMS[business].newRow) };
}

/** The rows of an order being edited, from its items' stored details. */
export function rowsFromOrder(order: Pick<OrderDetail, "business" | "items">): BusinessRow[] {
  if (!isOwnTargetBusiness(order.business)) return [];
  const form = BUSINESS_FORMS[order.business];
  return order.items.flatMap((i): BusinessRow[] => {
    if (!i.targetSerial || i.targetSerial.startsWith("vendor:")) return [];
    return [
      { certificateSerial: i.targetSerial, ...form.fromItem({ years: i.years, details: i.details ?? {} }) },
    ];
  });
}

/** The form as the server's order input: each business sends only its own item fields. */
export function toBusinessInput(
  business: OwnTargetCode,
  kind: SubjectKind,
  handler: HandlerInput,
  rows: readonly BusinessRow[],
  confirmed: boolean,
): BusinessOrderInput {
  const items = rows.map(
    (r): BusinessItemInput => ({
      certificateSerial: r.certificateSerial,
      ...BUSINESS_FORMS[business].toInput(r, kind),
    }),
  );
  const input: BusinessOrderInput = { business, subjectKind: kind, handler, items };
  if (BUSINESS_TYPES[business].confirmation) input.confirmed = confirmed;
  return input;
}

/**
 * Live fees of the rows with the very function the server charges with. The product is the one the
 * certificate was issued under; a product no longer on sale is not in the public catalog, so its row
 * is `unknown` (the server still prices it).
 */
export function businessFees(
  business: BusinessCode,
  rows: readonly (BusinessRow | undefined)[],
  certs: ReadonlyMap<string, Pick<CertPick, "caTypeId">>,
  caTypes: readonly Pick<CaType, "id" | "prices">[],
): { rows: (RowFee & { unknown: boolean })[]; total: number; unknown: boolean } {
  const fees = rows.map((row) => {
    const cert = row ? certs.get(row.certificateSerial) : undefined;
    const caType = cert ? caTypes.find((c) => c.id === cert.caTypeId) : undefined;
    if (!caType) return { lines: [], total: 0, unknown: !!cert };
    const lines = itemFeeLines(business, caType.prices, { years: row?.years ?? 1, eseal: false });
    return { lines, total: sumLines(lines), unknown: false };
  });
  return {
    rows: fees,
    total: fees.reduce((s, r) => s + r.total, 0),
    unknown: fees.some((r) => r.unknown),
  };
}

/**
 * Why a candidate cannot be ticked in 【添加其他证书】: the server's problem, already in the list, or
 * of the other subject kind (one order is for companies or for persons, like 新证).
 */
export function candidateBlock(
  c: Pick<CandidateCertificate, "serialHex" | "eligible" | "problem" | "subject">,
  opts: { kind: SubjectKind | null; chosen: ReadonlySet<string> },
): string | null {
  if (opts.chosen.has(c.serialHex)) return "已在本订单中";
  if (!c.eligible) return c.problem ?? "该证书不能办理此业务";
  if (opts.kind && c.subject.kind !== opts.kind) {
    return opts.kind === "company"
      ? "本订单办理的是企业证书，个人证书请另建订单"
      : "本订单办理的是个人证书，企业证书请另建订单";
  }
  return null;
}

/** The subject kind an order of picks is for; mixed picks are refused by candidateBlock. */
export function kindOfPicks(picks: readonly Pick<CertPick, "subjectKind">[]): SubjectKind | null {
  return picks[0]?.subjectKind ?? null;
}

/** The inputs a business's form shows for `count` rows: where server errors can be placed. */
export function knownFields(business: OwnTargetCode, count: number): NamePath[] {
  const fields: NamePath[] = [
    ["handler", "name"],
    ["handler", "idNumber"],
    ["handler", "phone"],
  ];
  if (BUSINESS_TYPES[business].confirmation) fields.push(["confirmed"]);
  for (let i = 0; i < count; i++) {
    fields.push(["items", i, "certificateSerial"]);
    for (const f of BUSINESS_FORMS[business].fields) fields.push(["items", i, ...f]);
  }
  return fields;
}

/**
 * What the browser can tell before sending (the server checks again), by the business's own check:
 * 变更 rows must change something and give a reason (the shared checkSubjectChanges), seal rows need
 * their three fields.
 */
export function checkRows(
  business: OwnTargetCode,
  rows: readonly BusinessRow[],
  certs: ReadonlyMap<string, CertPick>,
): FieldErrors {
  const check = BUSINESS_FORMS[business].check;
  return check ? rows.flatMap((row, i) => check(row, certs.get(row.certificateSerial), i)) : [];
}

/** 证书在线更新 with the USB Key client, exactly as the applicant types it. */
export function tokenRenewCommand(origin: string, code: string, keepKey: boolean): string {
  return `certhall token renew --url ${origin} --code ${code} --label <介质中原证书密钥的标签>${keepKey ? "" : " --rekey"}`;
}

/** 解锁 with the USB Key client: the code comes by SMS, the new PIN is the applicant's choice. */
export function tokenUnlockCommand(origin: string): string {
  return `certhall token unlock --url ${origin} --code <短信中的授权码> --new-pin <新PIN>`;
}

/** Which vendor_swap rule gave the new service end, as the seed words it. */
export const VENDOR_RULE_TEXT: Record<"plus_one_year" | "two_years_from_processing", string> = {
  plus_one_year: "原证书有效期剩余不足一年：服务时间在原结束时间上加一年",
  two_years_from_processing: "原证书有效期剩余超过一年：服务时间为办理日起两年",
};

/** Bytes as base64 (the vendor certificate file as the server wants it). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** A file name for a downloaded certificate: the serial, safe on every file system. */
export function certificateFileName(serialHex: string, ext = "pem"): string {
  return `certificate-${serialHex.replace(/[^0-9a-fA-F]/g, "").toLowerCase() || "unknown"}.${ext}`;
}

/** The CN of a browser-made request: the server puts the item's subject in the certificate anyway. */
export function csrCommonName(subjectName: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we drop
  const clean = subjectName.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  const chars = [...clean];
  return chars.length === 0 ? "certhall online update" : chars.slice(0, 64).join("");
}

/**
 * A new key is saved in the browser before its request is sent (under this id), so that a renewal the
 * server granted can never leave the applicant without its key; after success it is saved again under
 * the new certificate's serial and this record is removed.
 */
export function pendingKeyId(orderId: string, itemId: string): string {
  return `pending:${orderId}:${itemId}`;
}

/** The renewed certificate followed by its chain, as one PEM file. */
export function renewedPemFile(res: { certificatePem: string; chainPem?: string | null }): string {
  const parts = [res.certificatePem, res.chainPem ?? ""].map((p) => p.trim()).filter(Boolean);
  return `${parts.join("\n")}\n`;
}

/**
 * What 证书在线更新 in this browser can do for an item: it needs WebCrypto and IndexedDB, and keeping the
 * key needs the old certificate's private key in this browser's key store.
 */
export function browserUpdatePlan(opts: {
  supported: boolean | undefined;
  keepKey: boolean;
  oldKeyFound: boolean | undefined;
}): "checking" | "unsupported" | "no_old_key" | "ready" {
  if (opts.supported === undefined) return "checking";
  if (!opts.supported) return "unsupported";
  if (!opts.keepKey) return "ready";
  if (opts.oldKeyFound === undefined) return "checking";
  return opts.oldKeyFound ? "ready" : "no_old_key";
}

/** Which business panels an order shows in its current state. */
export function businessPanels(order: Pick<OrderDetail, "business" | "state">) {
  const business = order.business as BusinessCode;
  const known = business in BUSINESS_TYPES;
  const beforePaying = ["draft", "submitted", "in_review", "returned", "awaiting_payment"].includes(
    order.state,
  );
  return {
    zeroPay: known && BUSINESS_TYPES[business].payment === "zero",
    renewNotice: allowsStep(business, "update_online") && beforePaying,
    onlineUpdate:
      allowsStep(business, "update_online") && (order.state === "ready" || order.state === "completed"),
    eseal: business === "eseal" && (order.state === "ready" || order.state === "completed"),
    unlock:
      allowsStep(business, "unlock") &&
      ["awaiting_materials", "processing", "completed"].includes(order.state),
  };
}

/**
 * The toast after 提交订单, by where the order went: to review (新证, a long-expired renewal), to
 * 「支付（不扣款）」 (解锁, 注销), or straight to payment.
 */
export function submittedMessage(
  t: (
    key: "apply.submitted" | "biz.submittedPay" | "biz.submittedZero",
    vars?: Record<string, string>,
  ) => string,
  order: Pick<OrderDetail, "orderNo" | "state" | "business">,
): string {
  if (order.state === "awaiting_payment") {
    return t(isZeroBusiness(order.business) ? "biz.submittedZero" : "biz.submittedPay", {
      no: order.orderNo,
    });
  }
  return t("apply.submitted", { no: order.orderNo });
}
