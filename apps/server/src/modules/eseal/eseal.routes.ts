import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../errors";
import { multipartReadError, requestMeta, strictRateLimit } from "../../lib/http";
import { requireApplicant, type SecurityDeps } from "../../plugins/security";
import type { EsealService } from "./eseal.service";
import { SEAL_IMAGE_FIELD, SEAL_IMAGE_MAX_BYTES, SEAL_IMAGE_MESSAGES } from "./seal-image";

const tooLarge = () =>
  new AppError("PAYLOAD_TOO_LARGE", SEAL_IMAGE_MESSAGES.tooLarge, { field: SEAL_IMAGE_FIELD });
const oneFile = () =>
  new AppError("VALIDATION_FAILED", `请上传一个印章图片文件（字段 ${SEAL_IMAGE_FIELD}）`, {
    field: SEAL_IMAGE_FIELD,
  });

/** Reads the one `sealImage` file of a multipart upload; the size limit answers 413. */
async function readSealImage(req: FastifyRequest): Promise<{ data: Buffer; filename: string }> {
  if (!req.isMultipart()) throw oneFile();
  let found: { data: Buffer; filename: string } | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type !== "file") continue;
      if (part.fieldname !== SEAL_IMAGE_FIELD || found) {
        await part.toBuffer();
        throw oneFile();
      }
      found = { data: await part.toBuffer(), filename: part.filename };
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge();
    if (code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT") throw oneFile();
    throw multipartReadError(err, SEAL_IMAGE_FIELD);
  }
  if (!found || found.data.length === 0) throw oneFile();
  return found;
}

const zSerialParam = z.object({ serial: z.string().min(1).max(80) });

/** 电子签章开通: the seal picture upload, and the seal package the signing client downloads. */
export function esealRoutes(deps: SecurityDeps & { eseals: EsealService }) {
  return async (app: FastifyInstance) => {
    await app.register(multipart, {
      limits: { fileSize: SEAL_IMAGE_MAX_BYTES, files: 1, fields: 4, fieldSize: 1024, parts: 5 },
    });
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { eseals } = deps;
    const applicant = requireApplicant(deps);
    const tags = ["eseal"];

    r.post(
      "/uploads/seal",
      {
        preHandler: applicant,
        config: strictRateLimit(30),
        schema: {
          tags,
          summary:
            "Upload a seal picture (multipart field sealImage): PNG, transparent background, 150–1000 px, ≤ 1 MB",
          response: {
            201: z.object({
              uploadId: z.string(),
              width: z.number(),
              height: z.number(),
              sha256: z.string(),
            }),
          },
        },
      },
      async (req, reply) => {
        const file = await readSealImage(req);
        const saved = await eseals.upload(
          req.applicant!.subjectId,
          file.data,
          file.filename,
          requestMeta(req),
        );
        return reply.code(201).send(saved);
      },
    );

    r.get(
      "/certificates/:serial/eseal",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "The seal package of my certificate for the signing client (certificate, chain, seal, PNG); the first download completes the order",
          params: zSerialParam,
          response: {
            200: z.object({
              serialHex: z.string(),
              certificatePem: z.string(),
              chainPem: z.string(),
              sealName: z.string(),
              sealKind: z.string(),
              imagePngBase64: z.string(),
              enabledAt: z.string(),
            }),
          },
        },
      },
      async (req) => {
        const { image, ...rest } = await eseals.download(
          req.applicant!.subjectId,
          req.params.serial,
          requestMeta(req),
        );
        return { ...rest, imagePngBase64: image.toString("base64") };
      },
    );

    r.get(
      "/certificates/:serial/eseal.png",
      {
        preHandler: applicant,
        schema: { tags, summary: "The seal picture of my certificate (PNG)", params: zSerialParam },
      },
      async (req, reply) => {
        const e = await eseals.download(req.applicant!.subjectId, req.params.serial, requestMeta(req));
        return reply
          .type("image/png")
          .header("content-disposition", `attachment; filename="eseal-${e.serialHex}.png"`)
          .header("cache-control", "private, no-store")
          .send(e.image);
      },
    );
  };
}
