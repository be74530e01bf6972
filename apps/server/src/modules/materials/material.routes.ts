import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../errors";
import { multipartReadError, requestMeta, strictRateLimit } from "../../lib/http";
import { requireApplicant, requireStaff, type SecurityDeps } from "../../plugins/security";
import { appendAudit } from "../audit/audit.service";
import type { MaterialService } from "./material.service";
import { MATERIAL_FILE_FIELD, MATERIAL_MAX_BYTES, materialTooLarge } from "./material-file";

const zIdParam = z.object({ id: z.string().min(1).max(64) });
const zFileParam = zIdParam.extend({ uploadId: z.string().min(1).max(64) });

const zUpload = z.object({
  id: z.string(),
  filename: z.string(),
  mime: z.string(),
  size: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  pages: z.number().nullable(),
  uploadedAt: z.string(),
  reviewStatus: z.enum(["pending", "accepted", "rejected"]),
  reviewReason: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  originalResult: z.enum(["match", "mismatch"]).nullable(),
  originalNote: z.string().nullable(),
  originalBy: z.string().nullable(),
  originalAt: z.string().nullable(),
});

export const zOrderMaterials = z.object({
  orderId: z.string(),
  state: z.string(),
  uploadable: z.boolean(),
  subjects: z.array(
    z.object({
      subjectId: z.string(),
      subjectName: z.string(),
      materials: z.array(
        z.object({ code: z.string(), part: z.string(), label: z.string(), upload: zUpload.nullable() }),
      ),
    }),
  ),
});

/** A reviewer's rejection of one material, sent with the order's reject (modules/orders routes). */
export const zMaterialRejection = z.object({
  subjectId: z.string().min(1).max(64),
  code: z.string().min(1).max(64),
  part: z.enum(["", "front", "back"]).default(""),
  reason: z.string({ error: "请填写退回原因" }).trim().min(1, { error: "请填写退回原因" }).max(200),
});
export const zMaterialRejections = z.array(zMaterialRejection).max(60).optional();

const zTextField = (max: number) => z.string().trim().max(max);
const zUploadFields = z.object({
  subjectId: zTextField(64).min(1, { error: "请指定企业/个人（subjectId）" }),
  code: zTextField(64).min(1, { error: "请指定材料（code）" }),
  part: z.enum(["", "front", "back"], { error: "part 只能是 front 或 back" }).default(""),
});

const oneFile = () =>
  new AppError("VALIDATION_FAILED", `请选择一个要上传的文件（字段 ${MATERIAL_FILE_FIELD}）`, {
    field: MATERIAL_FILE_FIELD,
  });

/** Reads the fields (which come first) and the one file of a material upload. */
async function readUpload(req: FastifyRequest) {
  if (!req.isMultipart()) throw oneFile();
  const fields: Record<string, string> = {};
  let file: { data: Buffer; filename: string } | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type === "field") {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== MATERIAL_FILE_FIELD || file) {
        await part.toBuffer();
        throw oneFile();
      }
      file = { data: await part.toBuffer(), filename: part.filename };
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE") throw materialTooLarge("材料");
    if (code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT") throw oneFile();
    throw multipartReadError(err, MATERIAL_FILE_FIELD);
  }
  if (!file) throw oneFile();
  const parsed = zUploadFields.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("VALIDATION_FAILED", issue.message, { field: String(issue.path[0] ?? "body") });
  }
  return { ...parsed.data, ...file };
}

/** RFC 5987 filename* (Chinese names survive); always a download: never rendered in our origin. */
function sendFile(reply: FastifyReply, f: { mime: string; filename: string; data: Buffer }) {
  return reply
    .type(f.mime)
    .header(
      "content-disposition",
      `attachment; filename="material"; filename*=UTF-8''${encodeURIComponent(f.filename)}`,
    )
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", "default-src 'none'; sandbox")
    .header("cache-control", "private, no-store")
    .send(f.data);
}

/** Materials online (issue 16): the applicant's uploads and the staff's view, per order. */
export function materialRoutes(deps: SecurityDeps & { materials: MaterialService }) {
  return async (app: FastifyInstance) => {
    await app.register(multipart, {
      limits: { fileSize: MATERIAL_MAX_BYTES, files: 1, fields: 5, fieldSize: 256, parts: 6 },
    });
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { materials } = deps;
    const applicant = requireApplicant(deps);
    const readMaterials = requireStaff(deps, "materials.read");
    const process = requireStaff(deps, "orders.process");
    const me = (req: FastifyRequest) => req.applicant!.subjectId;
    const tags = ["materials"];

    r.get(
      "/orders/:id/material-files",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "The materials of my order: what to upload per subject, and what I uploaded",
          params: zIdParam,
          response: { 200: zOrderMaterials },
        },
      },
      async (req) => materials.forApplicant(me(req), req.params.id),
    );

    r.post(
      "/orders/:id/material-files",
      {
        preHandler: applicant,
        config: strictRateLimit(30),
        schema: {
          tags,
          summary: `Upload (or replace) one material: multipart fields subjectId, code, part ("", front, back), then file (JPEG/PNG/PDF, ≤ ${MATERIAL_MAX_BYTES / 1024 / 1024} MB)`,
          params: zIdParam,
          response: { 200: zOrderMaterials },
        },
      },
      async (req) => {
        const input = await readUpload(req);
        return materials.upload(me(req), req.params.id, input, requestMeta(req));
      },
    );

    r.get(
      "/orders/:id/material-files/:uploadId/file",
      { preHandler: applicant, schema: { tags, summary: "One of my uploaded files", params: zFileParam } },
      async (req, reply) =>
        sendFile(reply, await materials.applicantFile(me(req), req.params.id, req.params.uploadId)),
    );

    r.get(
      "/admin/orders/:id/material-files",
      {
        preHandler: readMaterials,
        schema: {
          tags,
          summary: "An order's uploaded materials (reviewer, window)",
          params: zIdParam,
          response: { 200: zOrderMaterials },
        },
      },
      async (req) => materials.forStaff(req.params.id),
    );

    r.get(
      "/admin/orders/:id/material-files/:uploadId/file",
      {
        preHandler: readMaterials,
        schema: { tags, summary: "An uploaded file (each view is audited)", params: zFileParam },
      },
      async (req, reply) => {
        const f = await materials.staffFile(req.params.id, req.params.uploadId);
        await deps.db.transaction().execute((trx) =>
          appendAudit(trx, {
            at: deps.clock(),
            actorType: "staff",
            actorId: req.staffSession!.staff.id,
            action: "material.viewed",
            objectType: "order",
            objectId: req.params.id,
            detail: { uploadId: req.params.uploadId },
            ip: req.ip,
          }),
        );
        return sendFile(reply, f);
      },
    );

    r.post(
      "/admin/orders/:id/material-files/:uploadId/original",
      {
        preHandler: process,
        schema: {
          tags,
          summary: "原件备查: the paper original matches the uploaded file, or not (with a note)",
          params: zFileParam,
          body: z.object({
            result: z.enum(["match", "mismatch"], { error: "请选择核对结果" }),
            note: z.string().trim().max(200).optional(),
          }),
          response: { 200: zOrderMaterials },
        },
      },
      async (req) =>
        materials.checkOriginal(req.params.id, req.params.uploadId, req.body, {
          staffId: req.staffSession!.staff.id,
          ip: req.ip,
        }),
    );
  };
}
