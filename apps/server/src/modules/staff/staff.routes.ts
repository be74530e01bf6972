import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { StaffRole } from "../../db/tables";
import { zNewPassword, zPassword, zPhone } from "../../lib/fields";
import { requestMeta, strictRateLimit, zNoContent } from "../../lib/http";
import { deviceOf, ensureDeviceCookie } from "../../plugins/device";
import {
  clearSessionCookie,
  requireStaff,
  type SecurityDeps,
  setSessionCookie,
} from "../../plugins/security";
import { STAFF_ROLES } from "../auth/policy";
import { zIdNumber } from "../subjects/subject.fields";
import { presentStaff, type StaffService } from "./staff.service";

const zRole = z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]], {
  error: "角色应为 reviewer、finance、operator、admin、auditor 之一",
});
const zStaff = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: zRole,
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
const zUsername = z
  .string({ error: "请填写用户名" })
  .trim()
  .regex(/^[a-z][a-z0-9_.-]{2,31}$/, { error: "用户名为 3–32 位小写字母、数字或 _ . -，以字母开头" });

export function staffRoutes(deps: SecurityDeps & { staff: StaffService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { staff } = deps;
    const tags = ["staff"];
    const anyStaff = requireStaff(deps);
    const admin = requireStaff(deps, "staff.manage");

    r.post(
      "/admin/auth/login",
      {
        config: strictRateLimit(10),
        schema: {
          tags,
          summary: "Staff login",
          body: z.object({
            username: z.string({ error: "请填写用户名" }).trim().min(1).max(64),
            password: zPassword,
          }),
          response: { 200: z.object({ staff: zStaff }) },
        },
      },
      async (req, reply) => {
        const result = await staff.login(req.body, requestMeta(req));
        setSessionCookie(reply, deps.config, "staff", result.token);
        ensureDeviceCookie(req, reply, deps.config);
        return { staff: presentStaff(result.staff) };
      },
    );

    r.post(
      "/admin/auth/logout",
      { preHandler: anyStaff, schema: { tags, summary: "Staff logout", response: { 204: zNoContent } } },
      async (req, reply) => {
        await staff.logout(req.staffSession!.sessionId);
        clearSessionCookie(reply, deps.config, "staff");
        return reply.code(204).send(null);
      },
    );

    r.get(
      "/admin/me",
      {
        preHandler: anyStaff,
        schema: {
          tags,
          summary: "The logged-in staff member",
          response: { 200: z.object({ staff: zStaff }) },
        },
      },
      async (req) => ({ staff: presentStaff(req.staffSession!.staff) }),
    );

    r.post(
      "/admin/me/password",
      {
        preHandler: anyStaff,
        config: strictRateLimit(10),
        schema: {
          tags,
          summary: "Change own password",
          body: z.object({ currentPassword: zPassword, newPassword: zNewPassword }),
          response: { 204: zNoContent },
        },
      },
      async (req, reply) => {
        const s = req.staffSession!;
        await staff.changePassword(s.staff.id, s.sessionId, req.body, requestMeta(req));
        return reply.code(204).send(null);
      },
    );

    r.get(
      "/admin/staff",
      {
        preHandler: admin,
        schema: {
          tags,
          summary: "List staff (admin)",
          response: { 200: z.object({ staff: z.array(zStaff) }) },
        },
      },
      async () => ({ staff: (await staff.list()).map(presentStaff) }),
    );

    r.post(
      "/admin/staff",
      {
        preHandler: admin,
        schema: {
          tags,
          summary: "Create a staff account (admin); the initial password must be changed at first login",
          body: z.object({
            username: zUsername,
            name: z.string({ error: "请填写姓名" }).trim().min(1).max(50),
            role: zRole,
            password: zNewPassword,
            phone: zPhone.optional().describe("The member's own mobile: he may not act on orders it is on"),
            idNumber: zIdNumber
              .optional()
              .describe("The member's own ID number: he may not act on orders whose handler has it"),
          }),
          response: { 201: z.object({ staff: zStaff }) },
        },
      },
      async (req, reply) => {
        const created = await staff.create(
          { type: "staff", id: req.staffSession!.staff.id },
          { ...req.body, createdInDevice: deviceOf(req, deps.config.secretKey) },
          requestMeta(req),
        );
        return reply.code(201).send({ staff: presentStaff(created) });
      },
    );

    for (const action of ["disable", "enable"] as const) {
      r.post(
        `/admin/staff/:id/${action}`,
        {
          preHandler: admin,
          schema: {
            tags,
            summary:
              action === "disable"
                ? "Disable a staff account (admin); its sessions end"
                : "Enable a staff account (admin)",
            params: z.object({ id: z.uuid({ error: "人员编号格式不正确" }) }),
            response: { 200: z.object({ staff: zStaff }) },
          },
        },
        async (req) => {
          const updated = await staff.setDisabled(
            { type: "staff", id: req.staffSession!.staff.id },
            req.params.id,
            action === "disable",
            requestMeta(req),
          );
          return { staff: presentStaff(updated) };
        },
      );
    }
  };
}
