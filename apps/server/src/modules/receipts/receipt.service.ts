import {
  APPOINTMENT_HORIZON_DAYS,
  type AppointmentRefusal,
  appointmentRefusal,
  BUSINESS_TYPES,
  type BusinessCode,
  type CalendarDay,
  describeItem,
  type FeeLine,
  formatHours,
  isValidIsoDate,
  maskIdCard,
  maskName,
  maskPhone,
  materialsFor,
  ORDER_STATE_INFO,
  type OrderState,
  shanghaiDate,
} from "@certhall/domain";
import QRCode from "qrcode";
import type { Config } from "../../config";
import type { Db } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { orderItemRows } from "../orders/order.queries";
import { parseHours } from "../windows/window.service";
import { checkReceiptToken, isOrderNo, parseReceiptToken, receiptToken } from "./receipt.token";

export interface ReceiptDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "publicUrl" | "secretKey" | "mail" | "sms">;
}

/** States in which the receipt exists: from 待收材料 on (DESIGN §3: after payment and booking). */
export const RECEIPT_STATES: readonly OrderState[] = ["awaiting_materials", "processing", "completed"];

/** The applicant may pick or change mail / window until the window has received the materials. */
export const DELIVERY_STATES: readonly OrderState[] = ["awaiting_materials"];

/** The applicant's words for why a window visit on `date` cannot be booked. */
function appointmentRefusalText(date: string, refusal: AppointmentRefusal): string {
  switch (refusal.reason) {
    case "past":
      return `办理日期不能早于今天（${refusal.today}）`;
    case "beyond":
      return `办理日期最晚可选 ${refusal.last}（${APPOINTMENT_HORIZON_DAYS} 天内）`;
    case "closed":
      return `该网点 ${date} 休息（${refusal.label}）`;
    case "day_over":
      return `该网点今天（${date}）已停止办理，请选择其他日期`;
  }
}

const PAYMENT_METHOD_LABELS: Record<string, string> = {
  online: "在线支付",
  transfer: "银行转账",
  zero: "零元支付（不扣款）",
};
const PAYMENT_STATUS_LABELS: Record<string, string> = {
  paid: "已支付",
  booked: "已记账",
  declared: "待记账",
};

// Legal-form endings kept visible when masking a company name: 「福建****有限公司」.
const COMPANY_SUFFIXES = ["股份有限公司", "有限责任公司", "有限公司", "合伙企业", "集团", "公司"];

/** "福建测试科技有限公司" → "福建****有限公司": the first two characters and the legal form stay. */
export function maskCompanyName(name: string): string {
  const chars = [...name.trim()];
  const suffix = COMPANY_SUFFIXES.find((s) => name.trim().endsWith(s) && chars.length > [...s].length + 2);
  const tail = suffix ? [...suffix].length : 0;
  const keepStart = Math.min(chars.length <= 4 ? 1 : 2, Math.max(0, chars.length - tail - 1));
  const hidden = Math.max(1, chars.length - keepStart - tail);
  return chars.slice(0, keepStart).join("") + "*".repeat(hidden) + chars.slice(chars.length - tail).join("");
}

export interface ReturnAddress {
  name: string;
  phone: string;
  address: string;
}

export type DeliveryInput =
  | { version: number; method: "mail"; returnAddress: ReturnAddress }
  | { version: number; method: "window"; windowId: string; date: string };

export function createReceiptService(deps: ReceiptDeps) {
  const { db, clock, config } = deps;

  function verifyUrl(order: Order): { token: string; url: string } {
    const token = receiptToken(config.secretKey, order);
    return { token, url: `${config.publicUrl}/verify/${token}` };
  }

  /** The date the receipt was issued: when the order first reached 待收材料. */
  async function issuedAt(order: Order): Promise<string> {
    const ev = await db
      .selectFrom("order_events")
      .select("at")
      .where("order_id", "=", order.id)
      .where("to_state", "=", "awaiting_materials")
      .orderBy("version")
      .limit(1)
      .executeTakeFirst();
    return ev?.at ?? order.updated_at;
  }

  function assertReceiptAvailable(order: Order): void {
    const business = BUSINESS_TYPES[order.business as BusinessCode];
    if (!business?.receipt) {
      throw new AppError("INVALID_STATE", `${business?.name ?? order.business}业务无需打印回执单`);
    }
    const state = order.state as OrderState;
    if (!RECEIPT_STATES.includes(state)) {
      const label = ORDER_STATE_INFO[state]?.labelZh ?? state;
      throw new AppError("INVALID_STATE", `订单当前状态为「${label}」，缴费并经财务记账后才能打印回执单`);
    }
  }

  async function windowsWithHours() {
    const rows = await db.selectFrom("service_windows").selectAll().orderBy("sort_order").execute();
    return rows.map((w) => ({
      id: w.id,
      code: w.code,
      city: w.city,
      name: w.name,
      address: w.address,
      phone: w.phone,
      hoursText: `${formatHours(parseHours(w))}，周末及法定节假日休息`,
    }));
  }

  /**
   * Everything the 回执单 prints, for the JSON route, the PDF and the web's A4 print page. The handler's
   * ID and phone are masked: the paper travels by post and lies on counters.
   */
  async function build(order: Order) {
    assertReceiptAvailable(order);
    const business = order.business as BusinessCode;
    const kind = order.subject_kind;
    const items = await orderItemRows(db)
      .where("order_items.order_id", "=", order.id)
      .orderBy("order_items.position")
      .execute();
    const payments = await db
      .selectFrom("payments")
      .select(["method", "amount_fen", "status", "paid_at", "booked_at", "out_trade_no"])
      .where("order_id", "=", order.id)
      .where("status", "in", ["paid", "booked"])
      .orderBy("created_at")
      .execute();
    const windows = await windowsWithHours();
    const subjects = new Map<string, (typeof items)[number]>();
    for (const i of items) if (!subjects.has(i.subject_id)) subjects.set(i.subject_id, i);
    const { token, url } = verifyUrl(order);
    const qr = await QRCode.toDataURL(url, { errorCorrectionLevel: "M", margin: 1, width: 240 });
    const chosenWindow = order.window_id ? windows.find((w) => w.id === order.window_id) : undefined;
    const state = order.state as OrderState;

    return {
      title: "数字证书业务回执单",
      issuer: config.sms.signName,
      orderId: order.id,
      orderNo: order.order_no,
      version: order.version,
      business,
      businessName: BUSINESS_TYPES[business].name,
      subjectKind: kind,
      subjectKindLabel: kind === "company" ? "企业" : "个人",
      state,
      stateLabel: ORDER_STATE_INFO[state].labelZh,
      issuedAt: await issuedAt(order),
      printedAt: iso(clock()),
      subjects: [...subjects.values()].map((s) => ({
        kind: s.subject_kind,
        name: s.subject_name,
        // 统一社会信用代码 is public record; a person's 身份证号 is masked on paper.
        identity: s.subject_kind === "person" ? maskIdCard(s.subject_identity) : s.subject_identity,
        identityLabel: s.subject_kind === "company" ? "统一社会信用代码" : "身份证号",
        legalRep: s.subject_legal_rep,
        address: s.subject_address,
      })),
      items: items.map((i) => ({
        position: i.position + 1,
        subjectName: i.subject_name,
        caTypeName: i.ca_type_name,
        years: i.years,
        eseal: i.eseal === 1,
        feeLines: JSON.parse(i.fee_lines) as FeeLine[],
        amountFen: i.amount_fen,
        targetSerial: i.target_serial,
        what: describeItem(business, i.target_serial, i.details ? JSON.parse(i.details) : null),
      })),
      totalFen: order.total_fen,
      payments: payments.map((p) => ({
        method: p.method,
        methodLabel: PAYMENT_METHOD_LABELS[p.method] ?? p.method,
        status: p.status,
        statusLabel: PAYMENT_STATUS_LABELS[p.status] ?? p.status,
        amountFen: p.amount_fen,
        tradeNo: p.out_trade_no,
        paidAt: p.paid_at,
        bookedAt: p.booked_at,
      })),
      paidFen: payments.reduce((s, p) => s + p.amount_fen, 0),
      handler: {
        name: order.handler_name,
        idNumberMasked: maskIdCard(order.handler_id_number),
        phoneMasked: maskPhone(order.handler_phone),
      },
      materials: materialsFor(business, kind),
      windows,
      mailing: { ...config.mail },
      delivery: {
        method: order.delivery_method,
        window: chosenWindow
          ? { id: chosenWindow.id, city: chosenWindow.city, name: chosenWindow.name }
          : null,
        appointmentDate: order.appointment_date,
        returnAddress: order.return_address ? (JSON.parse(order.return_address) as ReturnAddress) : null,
        courier: order.courier,
        trackingNo: order.tracking_no,
        changeable: DELIVERY_STATES.includes(state),
      },
      verification: { token, url, qrDataUrl: qr },
      notes: [
        "请携带本回执单及上述材料到任一办证网点办理，或将材料连同回执单邮寄至上述邮寄地址。",
        "扫描二维码可核验本回执单的真伪及订单状态。",
      ],
    };
  }

  /** What anyone holding the QR code may see: no phones, ID numbers or addresses. */
  async function verify(token: string) {
    const parsed = parseReceiptToken(token);
    if (!parsed) throw notFound("回执单");
    const order = await db
      .selectFrom("orders")
      .selectAll()
      .where("order_no", "=", parsed.orderNo)
      .executeTakeFirst();
    if (!order || !checkReceiptToken(config.secretKey, order, token)) throw notFound("回执单");
    const state = order.state as OrderState;
    const subjects = await db
      .selectFrom("order_items")
      .innerJoin("subjects", "subjects.id", "order_items.subject_id")
      // The name of the order's day (its subject version), DESIGN §8.
      .leftJoin("subject_versions as sv", "sv.id", "order_items.subject_version_id")
      .select((eb) => [
        "subjects.id",
        "subjects.kind",
        eb.fn.coalesce("sv.name", "subjects.name").as("name"),
        "order_items.position",
      ])
      .where("order_items.order_id", "=", order.id)
      .orderBy("order_items.position")
      .execute();
    const names = [...new Map(subjects.map((s) => [s.id, s])).values()].map((s) =>
      s.kind === "company" ? maskCompanyName(s.name) : maskName(s.name),
    );
    return {
      valid: true as const,
      orderNo: order.order_no,
      businessName: BUSINESS_TYPES[order.business as BusinessCode]?.name ?? order.business,
      state,
      stateLabel: ORDER_STATE_INFO[state]?.labelZh ?? state,
      issuedDate: shanghaiDate(new Date(await issuedAt(order))),
      subjects: names,
      itemCount: subjects.length,
      issuer: config.sms.signName,
    };
  }

  async function calendarBetween(from: string, to: string): Promise<CalendarDay[]> {
    return db
      .selectFrom("calendar_days")
      .select(["date", "kind", "name"])
      .where("date", ">=", from)
      .where("date", "<=", to)
      .execute();
  }

  /**
   * Mail or window (issue 5 item 9). A field update, not a state change: no order event (events are
   * transitions only), but an audit entry and the same optimistic version rule as a transition.
   */
  async function setDelivery(
    accountId: string,
    orderId: string,
    input: DeliveryInput,
    meta: { ip: string | null },
  ) {
    const order = await db
      .selectFrom("orders")
      .selectAll()
      .where("id", "=", orderId)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (!order) throw notFound("订单");
    const state = order.state as OrderState;
    if (!DELIVERY_STATES.includes(state)) {
      throw new AppError(
        "INVALID_STATE",
        `订单当前状态为「${ORDER_STATE_INFO[state]?.labelZh ?? state}」，只有待收材料时可以选择或更改邮寄/现场办理`,
      );
    }
    if (input.version !== order.version) throw new AppError("CONFLICT", "订单已被更新，请刷新页面后重试");

    let set: Partial<Pick<Order, "delivery_method" | "window_id" | "appointment_date" | "return_address">>;
    let detail: Record<string, unknown>;
    if (input.method === "mail") {
      set = {
        delivery_method: "mail",
        window_id: null,
        appointment_date: null,
        return_address: JSON.stringify(input.returnAddress),
      };
      // The audit log keeps no phone number or street address (PII stays in the order row).
      detail = { orderNo: order.order_no, method: "mail" };
    } else {
      const date = input.date;
      if (!isValidIsoDate(date)) throw invalidField("date", "日期无效，应为 YYYY-MM-DD");
      const w = await db
        .selectFrom("service_windows")
        .selectAll()
        .where("id", "=", input.windowId)
        .executeTakeFirst();
      if (!w) throw invalidField("windowId", "网点不存在");
      const refusal = appointmentRefusal(date, clock(), parseHours(w), await calendarBetween(date, date));
      if (refusal) throw invalidField("date", appointmentRefusalText(date, refusal));
      set = { delivery_method: "window", window_id: w.id, appointment_date: date, return_address: null };
      detail = { orderNo: order.order_no, method: "window", window: w.code, date };
    }

    return db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable("orders")
        .set({ ...set, version: order.version + 1, updated_at: iso(clock()) })
        .where("id", "=", order.id)
        .where("version", "=", order.version)
        .where("state", "in", [...DELIVERY_STATES])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        throw new AppError("CONFLICT", "订单已被他人更新，请刷新页面后重试");
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: accountId,
        action: "order.delivery",
        objectType: "order",
        objectId: order.id,
        detail: {
          ...detail,
          before: { method: order.delivery_method, windowId: order.window_id, date: order.appointment_date },
        },
        ip: meta.ip,
      });
      return trx.selectFrom("orders").selectAll().where("id", "=", order.id).executeTakeFirstOrThrow();
    });
  }

  return { build, verify, setDelivery, verifyUrl };
}

export type ReceiptService = ReturnType<typeof createReceiptService>;
export type Receipt = Awaited<ReturnType<ReceiptService["build"]>>;

/**
 * The window workbench's lookup (issue 5 item 10): the text a scanner reads from the receipt's QR code
 * (`${PUBLIC_URL}/verify/<token>`), the bare token, or an order number typed by hand. A token whose MAC
 * does not check is not found (a forged QR code), even though its order number exists.
 */
export async function findOrderByReceiptText(db: Db, text: string, secretKey: Buffer): Promise<Order | null> {
  let t = text.trim();
  const m = /\/verify\/([^/?#\s]+)\/?(?:[?#].*)?$/.exec(t);
  if (m) {
    try {
      t = decodeURIComponent(m[1]!);
    } catch {
      return null;
    }
  }
  const parsed = parseReceiptToken(t);
  if (parsed) {
    const order = await db
      .selectFrom("orders")
      .selectAll()
      .where("order_no", "=", parsed.orderNo)
      .executeTakeFirst();
    return order && checkReceiptToken(secretKey, order, t) ? order : null;
  }
  const orderNo = t.toUpperCase();
  if (!isOrderNo(orderNo)) return null;
  return (
    (await db.selectFrom("orders").selectAll().where("order_no", "=", orderNo).executeTakeFirst()) ?? null
  );
}
