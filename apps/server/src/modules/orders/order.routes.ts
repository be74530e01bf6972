import { maskIdCard } from "@certhall/domain";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requestMeta } from "../../lib/http";
import { requireApplicant, requireStaff, type SecurityDeps } from "../../plugins/security";
import { zMaterialRejections } from "../materials/material.routes";
import { rejectionNote } from "../materials/material.service";
import { listApplicantOrders } from "../queues/applicant-orders";
import { zAfter } from "../queues/queue.schemas";
import {
  zBusiness,
  zCandidates,
  zCreateOrderInput,
  zIdParam,
  zListQuery,
  zOrderDetail,
  zOrderList,
  zUpdateOrderInput,
  zVendorPreview,
  zVersion,
} from "./order.schemas";
import { type OrderService, presentOrderDetail, presentOrderSummary } from "./order.service";
import { findCandidates } from "./order.targets";

export function orderRoutes(deps: SecurityDeps & { orders: OrderService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { orders } = deps;
    const applicant = requireApplicant(deps);
    const tags = ["orders"];
    const me = (req: { applicant?: { subjectId: string } }) => req.applicant!.subjectId;
    const actor = (id: string) => ({ role: "applicant" as const, type: "applicant" as const, id });

    async function detail(orderId: string, viewer: "applicant" | "reviewer" | "finance" | "operator") {
      const o = await orders.getAny(orderId);
      return presentOrderDetail(o, await orders.items(o.id), await orders.events(o.id), viewer);
    }

    r.post(
      "/orders",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "Create an order (draft, or submitted at once with submit: true)",
          body: zCreateOrderInput,
          response: { 201: zOrderDetail },
        },
      },
      async (req, reply) => {
        const o = await orders.create(me(req), req.body, requestMeta(req));
        return reply.code(201).send(await detail(o.id, "applicant"));
      },
    );

    r.get(
      "/orders/candidates",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "【添加其他证书】: my certificates a business may act on, searched by subject name or serial",
          querystring: z.object({ business: zBusiness, q: z.string().trim().max(60).optional() }),
          response: { 200: zCandidates },
        },
      },
      async (req) => {
        const found = await findCandidates(deps.db, me(req), req.query.business, req.query.q, deps.clock());
        return {
          certificates: found.map(({ cert, problem, hold }) => ({
            serialHex: cert.serial_hex,
            subjectDn: cert.subject,
            notBefore: cert.not_before,
            notAfter: cert.not_after,
            status: cert.status,
            subject: {
              id: cert.subject_id,
              kind: cert.subject_kind,
              name: cert.subject_name,
              identity:
                cert.subject_kind === "person" ? maskIdCard(cert.subject_identity) : cert.subject_identity,
              legalRep: cert.subject_legal_rep,
              address: cert.subject_address,
            },
            caType: { id: cert.ca_type_id, name: cert.ca_type_name },
            mediaSerial: cert.media_serial,
            eligible: problem === null,
            problem,
            heldBy: hold ? hold.orderNo : null,
          })),
        };
      },
    );

    r.post(
      "/orders/vendor-certificate",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "其他厂商介质证书更换: read another vendor's certificate (base64 of the PEM/DER/.cer file) for confirmation",
          body: z.object({
            certificate: z
              .string({ error: "请上传证书文件" })
              .min(1, { error: "请上传证书文件" })
              .max(90_000, { error: "证书文件过大（不能超过 64 KB）" }),
          }),
          response: { 200: zVendorPreview },
        },
      },
      async (req) => orders.previewVendor(req.body.certificate),
    );

    r.get(
      "/orders",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "My orders, newest change first; pages by the keyset cursor `after` (the answer's `next`)",
          querystring: zListQuery.omit({ offset: true }).extend({ after: zAfter }),
          response: { 200: zOrderList.extend({ next: z.string().nullable() }) },
        },
      },
      async (req) => {
        const { state, business, q, limit, after } = req.query;
        const res = await listApplicantOrders(
          deps.db,
          me(req),
          { states: state, business, q },
          { limit, after },
        );
        return { orders: res.rows.map(presentOrderSummary), hasMore: res.hasMore, next: res.next };
      },
    );

    r.get(
      "/orders/:id",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "One of my orders, with its timeline",
          params: zIdParam,
          response: { 200: zOrderDetail },
        },
      },
      async (req) => {
        await orders.getOwned(me(req), req.params.id);
        return detail(req.params.id, "applicant");
      },
    );

    r.put(
      "/orders/:id",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "Edit an order (查看订单信息) while the machine allows it",
          params: zIdParam,
          body: zUpdateOrderInput,
          response: { 200: zOrderDetail },
        },
      },
      async (req) => {
        await orders.update(me(req), req.params.id, req.body, requestMeta(req));
        return detail(req.params.id, "applicant");
      },
    );

    for (const event of ["submit", "cancel"] as const) {
      r.post(
        `/orders/:id/${event}`,
        {
          preHandler: applicant,
          schema: {
            tags,
            summary: event === "submit" ? "Submit (or resubmit) an order" : "Cancel an order",
            params: zIdParam,
            body: zVersion.extend({ note: z.string().trim().max(200).optional() }),
            response: { 200: zOrderDetail },
          },
        },
        async (req) => {
          const o = await orders.getOwned(me(req), req.params.id);
          await orders.step(o, event, actor(me(req)), {
            version: req.body.version,
            note: req.body.note,
            ip: req.ip,
          });
          return detail(o.id, "applicant");
        },
      );
    }

    // ---- staff: the review queue and decisions ----
    const readOrders = requireStaff(deps, "orders.read");
    const review = requireStaff(deps, "orders.review");

    r.get(
      "/admin/orders",
      {
        preHandler: readOrders,
        schema: {
          tags: ["review"],
          summary: "Orders for staff: filter by state, business, or search by number / company / person",
          querystring: zListQuery,
          response: { 200: zOrderList },
        },
      },
      async (req) => {
        const { state, business, q, limit, offset } = req.query;
        const res = await orders.list({ states: state, business, q }, { limit, offset });
        return { orders: res.rows.map(presentOrderSummary), hasMore: res.hasMore };
      },
    );

    r.get(
      "/admin/orders/:id",
      {
        preHandler: readOrders,
        schema: {
          tags: ["review"],
          summary: "An order with everything needed to decide",
          params: zIdParam,
          response: { 200: zOrderDetail },
        },
      },
      async (req) => {
        const role = req.staffSession!.staff.role;
        const viewer = role === "finance" || role === "operator" || role === "reviewer" ? role : "reviewer";
        return detail(req.params.id, viewer);
      },
    );

    for (const event of ["start_review", "approve", "reject"] as const) {
      r.post(
        `/admin/orders/:id/${event.replace("_", "-")}`,
        {
          preHandler: review,
          schema: {
            tags: ["review"],
            summary: {
              start_review: "Take an order into review",
              approve: "Approve: the applicant may pay (SMS)",
              reject: "Reject with a reason (SMS)",
            }[event],
            params: zIdParam,
            // materials: the reject's per-material reasons (modules/materials), added to the note.
            body: zVersion.extend({
              note: z.string().trim().max(500).optional(),
              materials: zMaterialRejections,
            }),
            response: { 200: zOrderDetail },
          },
        },
        async (req) => {
          const staff = req.staffSession!.staff;
          const o = await orders.getAny(req.params.id);
          const rejections = event === "reject" ? req.body.materials : undefined;
          await orders.step(
            o,
            event,
            { role: "reviewer", type: "staff", id: staff.id },
            {
              version: req.body.version,
              note: rejections?.length ? rejectionNote(o, rejections, req.body.note) : req.body.note,
              ip: req.ip,
              set: event === "start_review" ? { reviewer_id: staff.id } : undefined,
              hookInput: rejections,
            },
          );
          return detail(o.id, "reviewer");
        },
      );
    }
  };
}
