import { PROFILES } from "@certhall/pki";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requestMeta } from "../../lib/http";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import { type CatalogService, presentCaType, profilesFor } from "./catalog.service";

const zKind = z.enum(["company", "person"], { error: "主体类型应为 company（企业）或 person（个人）" });

/** A fee in fen: a non-negative integer, at most 1,000,000.00 yuan. */
const zFen = (label: string) =>
  z
    .number({ error: `${label}应为以分为单位的整数` })
    .int({ error: `${label}应为以分为单位的整数（如 300 元填 30000）` })
    .min(0, { error: `${label}不能为负数` })
    .max(100_000_000, { error: `${label}不能超过 1,000,000.00 元` });

const zPrices = z.object({
  certFee: zFen("证书费"),
  mediaFee: zFen("介质费"),
  annualFee: zFen("年服务费"),
  esealFee: zFen("电子签章费"),
  changeFee: zFen("变更费"),
  reissueFee: zFen("补证费"),
  replaceFee: zFen("换证费"),
});

const zCaType = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  subjectKind: zKind,
  profile: z.string(),
  profileName: z.string(),
  prices: zPrices,
  demoPrices: z.boolean(),
  priceNotice: z.string().nullable(),
  active: z.boolean(),
  sortOrder: z.number(),
  updatedAt: z.string(),
});

const zFields = z.object({
  name: z
    .string({ error: "请填写 CA 类型名称" })
    .trim()
    .min(1, { error: "请填写 CA 类型名称" })
    .max(100, { error: "CA 类型名称最多 100 个字符" }),
  description: z.string().trim().max(500, { error: "说明最多 500 个字符" }).default(""),
  subjectKind: zKind,
  profile: z.string({ error: "请选择证书模板" }).trim().min(1, { error: "请选择证书模板" }).max(64),
  prices: zPrices,
  demoPrices: z.boolean({ error: "请说明是否为演示价格" }),
  active: z.boolean().default(true),
  sortOrder: z.number().int().min(0).max(100_000).default(0),
});

const zCode = z
  .string({ error: "请填写 CA 类型编码" })
  .trim()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, { error: "编码为 2–40 位小写字母、数字或 -，以字母开头" });

export function catalogRoutes(deps: SecurityDeps & { catalog: CatalogService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { catalog } = deps;
    const manage = requireStaff(deps, "catalog.manage");
    const tags = ["catalog"];
    const actor = (id: string) => ({ type: "staff" as const, id });

    r.get(
      "/catalog/ca-types",
      {
        schema: {
          tags,
          summary: "CA 类型 on sale, with fees in fen; demoPrices marks placeholder prices",
          querystring: z.object({ kind: zKind.optional() }),
          response: { 200: z.object({ caTypes: z.array(zCaType) }) },
        },
      },
      async (req) => ({ caTypes: (await catalog.listActive(req.query.kind)).map(presentCaType) }),
    );

    r.get(
      "/admin/catalog/ca-types",
      {
        preHandler: manage,
        schema: {
          tags,
          summary: "Every CA type, active or not (admin)",
          response: { 200: z.object({ caTypes: z.array(zCaType) }) },
        },
      },
      async () => ({ caTypes: (await catalog.listAll()).map(presentCaType) }),
    );

    r.get(
      "/admin/catalog/profiles",
      {
        preHandler: manage,
        schema: {
          tags,
          summary: "CA profiles a CA type of this subject kind may use (admin)",
          querystring: z.object({ kind: zKind }),
          response: { 200: z.object({ profiles: z.array(z.object({ id: z.string(), name: z.string() })) }) },
        },
      },
      async (req) => ({
        profiles: profilesFor(req.query.kind).map((id) => ({ id, name: PROFILES[id].name })),
      }),
    );

    r.post(
      "/admin/catalog/ca-types",
      {
        preHandler: manage,
        schema: {
          tags,
          summary: "Add a CA type on a packages/pki profile (admin)",
          body: zFields.extend({ code: zCode }),
          response: { 201: z.object({ caType: zCaType }) },
        },
      },
      async (req, reply) => {
        const t = await catalog.create(actor(req.staffSession!.staff.id), req.body, requestMeta(req));
        return reply.code(201).send({ caType: presentCaType(t) });
      },
    );

    r.put(
      "/admin/catalog/ca-types/:id",
      {
        preHandler: manage,
        schema: {
          tags,
          summary: "Edit a CA type: names, profile, fees in fen, demo flag, on sale or not (admin)",
          params: z.object({ id: z.string().min(1).max(64) }),
          body: zFields,
          response: { 200: z.object({ caType: zCaType }) },
        },
      },
      async (req) => ({
        caType: presentCaType(
          await catalog.update(actor(req.staffSession!.staff.id), req.params.id, req.body, requestMeta(req)),
        ),
      }),
    );
  };
}
