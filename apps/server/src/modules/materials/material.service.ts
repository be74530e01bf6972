import {
  type BusinessCode,
  type Material,
  type MaterialCode,
  materialByCode,
  materialsFor,
  ORDER_STATE_INFO,
  type OrderEvent,
  type OrderState,
} from "@certhall/domain";
import type { Db, Trx } from "../../db/database";
import type { MaterialOriginalResult, MaterialUpload } from "../../db/tables.materials";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { findOwnedOrder } from "../orders/order.queries";
import type { TransitionActor } from "../orders/order.transition";
import { assertNotOwnOrder } from "../staff/staff.duties";
import type { MaterialStore } from "./material.store";
import { type CheckedMaterialFile, checkMaterialFile } from "./material-file";

export interface MaterialDeps {
  db: Db;
  clock: Clock;
  store: MaterialStore;
}

/** The applicant may upload or replace files until the window takes the paper originals in. */
export const UPLOAD_STATES: readonly OrderState[] = [
  "draft",
  "submitted",
  "returned",
  "awaiting_payment",
  "awaiting_booking",
  "awaiting_materials",
];

/** Things handed over in person (USB keys) have no file. */
const NOT_UPLOADABLE: readonly string[] = ["certificate_media", "vendor_media"];
/** ID cards are uploaded as two files, one per side. */
const TWO_SIDED: readonly string[] = ["handler_id_copy", "person_id_copy", "changed_person_id_copy"];
const PART_LABELS: Record<string, string> = { "": "", front: "人像面", back: "国徽面" };

export interface MaterialRejection {
  subjectId: string;
  code: string;
  part: string;
  reason: string;
}

interface Slot {
  subjectId: string;
  code: MaterialCode;
  part: string;
  label: string;
}

const slotKey = (s: { subjectId: string; code: string; part: string }) =>
  `${s.subjectId}|${s.code}|${s.part}`;

function partsOf(code: string): string[] {
  return TWO_SIDED.includes(code) ? ["front", "back"] : [""];
}

export function slotLabel(m: Pick<Material, "zh">, part: string): string {
  return part ? `${m.zh}（${PART_LABELS[part] ?? part}）` : m.zh;
}

function stateLabel(order: Order): string {
  return ORDER_STATE_INFO[order.state as OrderState]?.labelZh ?? order.state;
}

/** The audit entry of a material step (no file names: they may carry a person's name). */
function audited(
  trx: Trx,
  at: Date,
  actor: { type: "applicant" | "staff"; id: string },
  action: string,
  order: Order,
  detail: Record<string, unknown>,
  ip: string | null,
) {
  return appendAudit(trx, {
    at,
    actorType: actor.type,
    actorId: actor.id,
    action,
    objectType: "order",
    objectId: order.id,
    detail: { orderNo: order.order_no, ...detail },
    ip,
  });
}

/** The reason of an order's rejection: the reviewer's note, then each returned material with its reason. */
export function rejectionNote(
  order: Pick<Order, "subject_kind">,
  rejections: MaterialRejection[],
  note?: string,
): string {
  const parts = rejections.map(
    (rj) =>
      `${slotLabel(materialByCode(rj.code, order.subject_kind) ?? { zh: rj.code }, rj.part)}：${rj.reason}`,
  );
  return [note?.trim(), ...parts].filter(Boolean).join("；").slice(0, 500);
}

export function createMaterialService(deps: MaterialDeps) {
  const { db, clock, store } = deps;

  /** The order's subjects in item order, each with the materials its files are uploaded for. */
  async function slotsOf(q: Db | Trx, order: Order) {
    const items = await q
      .selectFrom("order_items")
      .innerJoin("subjects", "subjects.id", "order_items.subject_id")
      .select(["order_items.subject_id", "order_items.eseal", "subjects.name"])
      .where("order_items.order_id", "=", order.id)
      .orderBy("order_items.position")
      .execute();
    const kind = order.subject_kind;
    const base = materialsFor(order.business as BusinessCode, kind).filter(
      (m) => !NOT_UPLOADABLE.includes(m.code),
    );
    const subjects = new Map<string, { subjectId: string; subjectName: string; slots: Slot[] }>();
    for (const it of items) {
      const s = subjects.get(it.subject_id) ?? { subjectId: it.subject_id, subjectName: it.name, slots: [] };
      subjects.set(it.subject_id, s);
      const wanted = [...base];
      if (it.eseal === 1 && base.length && kind === "company")
        wanted.push(materialByCode("eseal_form", kind)!);
      for (const m of wanted) {
        for (const part of partsOf(m.code)) {
          const slot = { subjectId: it.subject_id, code: m.code, part, label: slotLabel(m, part) };
          if (!s.slots.some((x) => slotKey(x) === slotKey(slot))) s.slots.push(slot);
        }
      }
    }
    return [...subjects.values()];
  }

  async function currentRows(q: Db | Trx, orderId: string): Promise<MaterialUpload[]> {
    return q
      .selectFrom("material_uploads")
      .selectAll()
      .where("order_id", "=", orderId)
      .where("superseded_at", "is", null)
      .execute();
  }

  async function present(q: Db | Trx, order: Order) {
    const rows = new Map(
      (await currentRows(q, order.id)).map((r) => [
        slotKey({ subjectId: r.subject_id, code: r.code, part: r.part }),
        r,
      ]),
    );
    const staffIds = [...rows.values()]
      .flatMap((r) => [r.reviewed_by, r.original_by])
      .filter((x): x is string => !!x);
    const names = new Map(
      staffIds.length
        ? (await q.selectFrom("staff").select(["id", "name"]).where("id", "in", staffIds).execute()).map(
            (s) => [s.id, s.name],
          )
        : [],
    );
    const subjects = (await slotsOf(q, order)).map((s) => ({
      subjectId: s.subjectId,
      subjectName: s.subjectName,
      materials: s.slots.map((slot) => {
        const r = rows.get(slotKey(slot));
        return {
          code: slot.code,
          part: slot.part,
          label: slot.label,
          upload: r
            ? {
                id: r.id,
                filename: r.filename,
                mime: r.mime,
                size: r.size,
                width: r.width,
                height: r.height,
                pages: r.pages,
                uploadedAt: r.uploaded_at,
                reviewStatus: r.review_status,
                reviewReason: r.review_reason,
                reviewedBy: r.reviewed_by ? (names.get(r.reviewed_by) ?? null) : null,
                reviewedAt: r.reviewed_at,
                originalResult: r.original_result,
                originalNote: r.original_note,
                originalBy: r.original_by ? (names.get(r.original_by) ?? null) : null,
                originalAt: r.original_at,
              }
            : null,
        };
      }),
    }));
    return {
      orderId: order.id,
      state: order.state,
      uploadable: UPLOAD_STATES.includes(order.state as OrderState),
      subjects,
    };
  }

  const ownedOrder = (accountId: string, orderId: string) => findOwnedOrder(db, accountId, orderId);

  async function anyOrder(orderId: string): Promise<Order> {
    const o = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
    if (!o) throw notFound("订单");
    return o;
  }

  /** The slot an upload names, or a 400 naming the field. */
  async function findSlot(order: Order, subjectId: string, code: string, part: string): Promise<Slot> {
    const subjects = await slotsOf(db, order);
    const subject = subjects.find((s) => s.subjectId === subjectId);
    if (!subject) throw invalidField("subjectId", "该订单中没有这个企业/个人");
    const slot = subject.slots.find((s) => s.code === code && s.part === part);
    if (!slot) {
      const sameCode = subject.slots.some((s) => s.code === code);
      throw sameCode
        ? invalidField("part", "身份证请分别上传人像面（front）和国徽面（back）")
        : invalidField("code", "该订单不需要上传这项材料");
    }
    return slot;
  }

  /**
   * Stores one checked file for one material and supersedes the file it replaces, in one transaction
   * that first re-reads the order's state. The bytes are written before the row (a crash leaves an
   * unreferenced file, never a row without its file) and removed again if the row is not written.
   */
  async function upload(
    accountId: string,
    orderId: string,
    input: { subjectId: string; code: string; part: string; filename?: string; data: Buffer },
    meta: { ip: string | null },
  ) {
    const order = await ownedOrder(accountId, orderId);
    const slot = await findSlot(order, input.subjectId, input.code, input.part);
    const file: CheckedMaterialFile = await checkMaterialFile(slot.label, input.filename, input.data);
    store.put(file.sha256, file.data);
    try {
      return await db.transaction().execute(async (trx) => {
        // The order's row lock (a no-op update, as payments take it): two uploads for one material queue,
        // and a transition (review, receipt at the window) cannot slip between the check and the write.
        await trx
          .updateTable("orders")
          .set((eb) => ({ version: eb.ref("version") }))
          .where("id", "=", order.id)
          .execute();
        const fresh = await trx
          .selectFrom("orders")
          .selectAll()
          .where("id", "=", order.id)
          .executeTakeFirstOrThrow();
        if (!UPLOAD_STATES.includes(fresh.state as OrderState)) {
          throw new AppError("INVALID_STATE", `订单当前状态为「${stateLabel(fresh)}」，不能上传或更换材料`);
        }
        const now = iso(clock());
        const prior = await trx
          .updateTable("material_uploads")
          .set({ superseded_at: now })
          .where("order_id", "=", order.id)
          .where("subject_id", "=", slot.subjectId)
          .where("code", "=", slot.code)
          .where("part", "=", slot.part)
          .where("superseded_at", "is", null)
          .executeTakeFirst();
        const id = newId();
        await trx
          .insertInto("material_uploads")
          .values({
            id,
            order_id: order.id,
            subject_id: slot.subjectId,
            code: slot.code,
            part: slot.part,
            sha256: file.sha256,
            mime: file.mime,
            size: file.data.length,
            width: file.width,
            height: file.height,
            pages: file.pages,
            filename: file.filename,
            uploaded_by: accountId,
            uploaded_at: now,
            superseded_at: null,
            review_status: "pending",
            review_reason: null,
            reviewed_by: null,
            reviewed_at: null,
            original_result: null,
            original_note: null,
            original_by: null,
            original_at: null,
          })
          .execute();
        await audited(
          trx,
          clock(),
          { type: "applicant", id: accountId },
          "material.upload",
          fresh,
          {
            uploadId: id,
            code: slot.code,
            part: slot.part,
            sha256: file.sha256,
            size: file.data.length,
            replaced: Number(prior.numUpdatedRows) > 0,
          },
          meta.ip,
        );
        return present(trx, fresh);
      });
    } catch (err) {
      const used = await db
        .selectFrom("material_uploads")
        .select("id")
        .where("sha256", "=", file.sha256)
        .limit(1)
        .executeTakeFirst();
      if (!used) store.remove(file.sha256);
      throw err;
    }
  }

  async function uploadRow(orderId: string, uploadId: string): Promise<MaterialUpload> {
    const r = await db
      .selectFrom("material_uploads")
      .selectAll()
      .where("id", "=", uploadId)
      .where("order_id", "=", orderId)
      .executeTakeFirst();
    if (!r) throw notFound("材料文件");
    return r;
  }

  function fileOf(r: MaterialUpload) {
    return { mime: r.mime, filename: r.filename, data: store.read(r.sha256) };
  }

  /**
   * The review hook (orders' `onStep`, inside the transition's transaction): a resubmission is refused
   * while a rejected file has not been replaced; a rejection marks the named files rejected with their
   * reasons and the rest accepted; an approval accepts every file still pending.
   */
  async function onOrderStep(
    trx: Trx,
    order: Order,
    event: OrderEvent,
    actor: TransitionActor,
    input: unknown,
  ) {
    if (event === "submit") {
      const rejected = (await currentRows(trx, order.id)).filter((r) => r.review_status === "rejected");
      if (rejected.length) {
        const labels = rejected.map((r) =>
          slotLabel(materialByCode(r.code, order.subject_kind) ?? { zh: r.code }, r.part),
        );
        throw invalidField("materials", `请先重新上传被退回的材料：${labels.join("、")}`);
      }
      return;
    }
    if (event !== "approve" && event !== "reject") return;
    const rejections = (event === "reject" ? (input as MaterialRejection[] | undefined) : undefined) ?? [];
    const rows = await currentRows(trx, order.id);
    const byKey = new Map(
      rows.map((r) => [slotKey({ subjectId: r.subject_id, code: r.code, part: r.part }), r]),
    );
    const now = iso(clock());
    const rejectedIds = new Set<string>();
    for (const [i, rj] of rejections.entries()) {
      const r = byKey.get(slotKey(rj));
      if (!r) throw invalidField(`materials.${i}`, "退回的材料尚未上传，请在退回原因中说明");
      rejectedIds.add(r.id);
      await trx
        .updateTable("material_uploads")
        .set({ review_status: "rejected", review_reason: rj.reason, reviewed_by: actor.id, reviewed_at: now })
        .where("id", "=", r.id)
        .execute();
    }
    const accept = rows
      .filter((r) => r.review_status === "pending" && !rejectedIds.has(r.id))
      .map((r) => r.id);
    if (accept.length) {
      await trx
        .updateTable("material_uploads")
        .set({ review_status: "accepted", review_reason: null, reviewed_by: actor.id, reviewed_at: now })
        .where("id", "in", accept)
        .execute();
    }
  }

  /** 原件备查: the window compares the paper original with the uploaded file and records the result. */
  async function checkOriginal(
    orderId: string,
    uploadId: string,
    input: { result: MaterialOriginalResult; note?: string },
    meta: { staffId: string; ip: string | null },
  ) {
    return db.transaction().execute(async (trx) => {
      const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
      if (!order) throw notFound("订单");
      await assertNotOwnOrder(trx, meta.staffId, order);
      if (!["awaiting_materials", "processing"].includes(order.state)) {
        throw new AppError("INVALID_STATE", `订单当前状态为「${stateLabel(order)}」，不能核对原件`);
      }
      const r = await trx
        .selectFrom("material_uploads")
        .selectAll()
        .where("id", "=", uploadId)
        .where("order_id", "=", order.id)
        .where("superseded_at", "is", null)
        .executeTakeFirst();
      if (!r) throw notFound("材料文件");
      if (input.result === "mismatch" && !input.note)
        throw invalidField("note", "原件与上传文件不符时请填写说明");
      await trx
        .updateTable("material_uploads")
        .set({
          original_result: input.result,
          original_note: input.note ?? null,
          original_by: meta.staffId,
          original_at: iso(clock()),
        })
        .where("id", "=", r.id)
        .execute();
      await audited(
        trx,
        clock(),
        { type: "staff", id: meta.staffId },
        "material.original_checked",
        order,
        {
          uploadId: r.id,
          code: r.code,
          part: r.part,
          result: input.result,
        },
        meta.ip,
      );
      return present(trx, order);
    });
  }

  return {
    forApplicant: async (accountId: string, orderId: string) =>
      present(db, await ownedOrder(accountId, orderId)),
    forStaff: async (orderId: string) => present(db, await anyOrder(orderId)),
    applicantFile: async (accountId: string, orderId: string, uploadId: string) => {
      await ownedOrder(accountId, orderId);
      return fileOf(await uploadRow(orderId, uploadId));
    },
    staffFile: async (orderId: string, uploadId: string) => fileOf(await uploadRow(orderId, uploadId)),
    upload,
    onOrderStep,
    checkOriginal,
  };
}

export type MaterialService = ReturnType<typeof createMaterialService>;
