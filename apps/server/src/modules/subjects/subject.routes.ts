import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requestMeta } from "../../lib/http";
import { requireApplicant, type SecurityDeps } from "../../plugins/security";
import { getOwnedHandler, listHandlers, presentHandler, presentHandlerSummary } from "./handler.service";
import { zIdNumber, zName, zUscc } from "./subject.fields";
import { presentSubject, presentSubjectSummary, type SubjectService } from "./subject.service";

const zKind = z.enum(["company", "person"], { error: "类型应为 company（企业）或 person（个人）" });

const zSubject = z.object({
  id: z.string(),
  kind: zKind,
  name: z.string(),
  uscc: z.string().nullable(),
  idNumber: z.string().nullable(),
  legalRep: z.string().nullable(),
  address: z.string().nullable(),
  archived: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const zSubjectSummary = z.object({
  id: z.string(),
  kind: zKind,
  name: z.string(),
  uscc: z.string().nullable(),
  idNumberMasked: z.string().nullable(),
  legalRep: z.string().nullable(),
  archived: z.boolean(),
  updatedAt: z.string(),
});

const zSubjectBody = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("company"),
      name: zName("企业名称"),
      uscc: zUscc,
      legalRep: zName("法定代表人"),
      address: z
        .string({ error: "请填写地址" })
        .trim()
        .min(1, { error: "请填写地址" })
        .max(200, { error: "地址最多 200 个字符" }),
    }),
    z.object({ kind: z.literal("person"), name: zName("姓名"), idNumber: zIdNumber }),
  ],
  { error: "类型应为 company（企业）或 person（个人）" },
);

const zId = z.object({ id: z.string().min(1).max(64) });

const zHandlerSummary = z.object({
  id: z.string(),
  name: z.string(),
  idNumberMasked: z.string(),
  phoneMasked: z.string(),
  lastUsedAt: z.string(),
});

/** 企业/个人 (subjects) and remembered 经办人 (handlers) of the logged-in applicant. */
export function subjectRoutes(deps: SecurityDeps & { subjects: SubjectService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const auth = requireApplicant(deps);
    const { subjects } = deps;
    const tags = ["subjects"];
    const account = (req: { applicant?: { subjectId: string } }) => req.applicant!.subjectId;

    r.get(
      "/subjects",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "The account's companies and persons (身份证号 masked); search by name or code",
          querystring: z.object({
            kind: zKind.optional(),
            q: z.string().trim().max(100).optional(),
            archived: z.enum(["true", "false"]).optional(),
            limit: z.coerce.number().int().min(1).max(500).optional(),
          }),
          response: { 200: z.object({ subjects: z.array(zSubjectSummary) }) },
        },
      },
      async (req) => ({
        subjects: (
          await subjects.list(account(req), {
            kind: req.query.kind,
            q: req.query.q,
            archived: req.query.archived === "true",
            limit: req.query.limit,
          })
        ).map(presentSubjectSummary),
      }),
    );

    r.post(
      "/subjects",
      {
        preHandler: auth,
        schema: {
          tags,
          summary:
            "Add a company (name, 统一社会信用代码, legal representative, address) or a person (name, 身份证号)",
          body: zSubjectBody,
          response: { 201: z.object({ subject: zSubject }) },
        },
      },
      async (req, reply) => {
        const s = await subjects.create(account(req), req.body, requestMeta(req));
        return reply.code(201).send({ subject: presentSubject(s) });
      },
    );

    r.get(
      "/subjects/:id",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "One of the account's subjects, in full",
          params: zId,
          response: { 200: z.object({ subject: zSubject }) },
        },
      },
      async (req) => ({ subject: presentSubject(await subjects.get(account(req), req.params.id)) }),
    );

    r.put(
      "/subjects/:id",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "Edit a subject (name and code are locked once an order using it is under way)",
          params: zId,
          body: zSubjectBody,
          response: { 200: z.object({ subject: zSubject }) },
        },
      },
      async (req) => ({
        subject: presentSubject(
          await subjects.update(account(req), req.params.id, req.body, requestMeta(req)),
        ),
      }),
    );

    r.post(
      "/subjects/:id/archive",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "Archive a subject (hidden from lists and new orders; never deleted)",
          params: zId,
          response: { 200: z.object({ subject: zSubject }) },
        },
      },
      async (req) => ({
        subject: presentSubject(await subjects.archive(account(req), req.params.id, requestMeta(req))),
      }),
    );

    r.post(
      "/subjects/:id/restore",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "Restore an archived subject",
          params: zId,
          response: { 200: z.object({ subject: zSubject }) },
        },
      },
      async (req) => ({
        subject: presentSubject(await subjects.restore(account(req), req.params.id, requestMeta(req))),
      }),
    );

    r.get(
      "/handlers",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "Remembered handlers (经办人), most recently used first; ID number and mobile masked",
          response: { 200: z.object({ handlers: z.array(zHandlerSummary) }) },
        },
      },
      async (req) => ({ handlers: (await listHandlers(deps.db, account(req))).map(presentHandlerSummary) }),
    );

    r.get(
      "/handlers/:id",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "One remembered handler in full, to pre-fill the next order",
          params: zId,
          response: {
            200: z.object({
              handler: z.object({
                id: z.string(),
                name: z.string(),
                idNumber: z.string(),
                phone: z.string(),
                lastUsedAt: z.string(),
              }),
            }),
          },
        },
      },
      async (req) => ({
        handler: presentHandler(await getOwnedHandler(deps.db, account(req), req.params.id)),
      }),
    );
  };
}
