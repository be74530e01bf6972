import { BUSINESS_TYPES, type BusinessCode, describeItem, shanghaiDate } from "@certhall/domain";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError } from "../../errors";
import { strictRateLimit } from "../../lib/http";
import { requireApplicant, type SecurityDeps } from "../../plugins/security";
import { findOwnedOrder, orderItemRows } from "../orders/order.queries";
import {
  FORM_BUSINESSES,
  FORM_KINDS,
  type FormData,
  type FormKind,
  formTitle,
  renderFormPdf,
} from "./forms.pdf";

const zKind = z.enum(FORM_KINDS, { error: "表格只能是 application、authorization 或 eseal" });

function refuseKind(kind: FormKind, subjectKind: "company" | "person"): void {
  if (kind !== "application" && subjectKind === "person") {
    throw new AppError("VALIDATION_FAILED", "个人业务无需授权委托书或电子印章信息填报表", { field: "kind" });
  }
}

/** Everything a filled form prints, from the order and its items (the owner's own data, unmasked). */
async function orderForm(db: Db, order: Order, kind: FormKind, issuer: string, now: Date): Promise<FormData> {
  const business = order.business as BusinessCode;
  refuseKind(kind, order.subject_kind);
  const items = await orderItemRows(db)
    .where("order_items.order_id", "=", order.id)
    .orderBy("order_items.position")
    .execute();
  if (kind === "eseal" && !items.some((i) => i.eseal === 1) && business !== "eseal") {
    throw new AppError("VALIDATION_FAILED", "该订单没有申请电子签章，无需电子印章信息填报表", {
      field: "kind",
    });
  }
  const subjects = new Map<string, FormData["subjects"][number]>();
  for (const i of items) {
    subjects.set(i.subject_id, {
      kind: i.subject_kind,
      name: i.subject_name,
      identity: i.subject_identity,
      legalRep: i.subject_legal_rep,
      address: i.subject_address,
    });
  }
  return {
    kind,
    business,
    businessName: BUSINESS_TYPES[business].name,
    issuer,
    orderNo: order.order_no,
    subjectKind: order.subject_kind,
    subjects: [...subjects.values()],
    handler: { name: order.handler_name, idNumber: order.handler_id_number, phone: order.handler_phone },
    items: items.map((i) => ({
      subjectName: i.subject_name,
      caTypeName: i.ca_type_name,
      years: i.years,
      eseal: i.eseal === 1,
      what: describeItem(business, i.target_serial, i.details ? JSON.parse(i.details) : null) ?? "",
    })),
    date: shanghaiDate(now),
  };
}

function sendPdf(reply: FastifyReply, pdf: Buffer, name: string, cache: string) {
  return reply
    .type("application/pdf")
    .header(
      "content-disposition",
      `attachment; filename="form.pdf"; filename*=UTF-8''${encodeURIComponent(name)}.pdf`,
    )
    .header("cache-control", cache)
    .send(pdf);
}

/** The 申请表, 授权委托书 and 电子印章信息填报表: filled from my order, or blank for anyone. */
export function formRoutes(deps: SecurityDeps) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const applicant = requireApplicant(deps);
    const tags = ["materials"];
    const issuer = deps.config.sms.signName;
    const blanks = new Map<string, Buffer>();

    r.get(
      "/orders/:id/forms/:kind",
      {
        preHandler: applicant,
        // Rendering with the embedded CJK font costs CPU, like the receipt PDF.
        config: strictRateLimit(30),
        schema: {
          tags,
          summary: "A form pre-filled from my order (application, authorization, eseal) as an A4 PDF",
          params: z.object({ id: z.string().min(1).max(64), kind: zKind }),
        },
      },
      async (req, reply) => {
        const order = await findOwnedOrder(deps.db, req.applicant!.subjectId, req.params.id);
        const data = await orderForm(deps.db, order, req.params.kind, issuer, deps.clock());
        return sendPdf(
          reply,
          await renderFormPdf(data),
          `${formTitle(data)}-${order.order_no}`,
          "private, no-store",
        );
      },
    );

    r.get(
      "/forms/:kind",
      {
        config: strictRateLimit(60),
        schema: {
          tags,
          summary: "A blank form for a business, to print and fill in by hand",
          params: z.object({ kind: zKind }),
          querystring: z.object({
            business: z.enum(FORM_BUSINESSES, { error: "不支持的业务类型" }).default("new"),
            subjectKind: z
              .enum(["company", "person"], { error: "主体类型只能是 company 或 person" })
              .default("company"),
          }),
        },
      },
      async (req, reply) => {
        const { kind } = req.params;
        const { business, subjectKind } = req.query;
        refuseKind(kind, subjectKind);
        const key = `${kind}:${business}:${subjectKind}`;
        const data: FormData = {
          kind,
          business,
          businessName: BUSINESS_TYPES[business].name,
          issuer,
          orderNo: null,
          subjectKind,
          subjects: [],
          handler: null,
          items: [],
          date: null,
        };
        let pdf = blanks.get(key);
        if (!pdf) {
          pdf = await renderFormPdf(data);
          blanks.set(key, pdf);
        }
        return sendPdf(reply, pdf, formTitle(data), "public, max-age=3600");
      },
    );
  };
}
