import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../errors";
import { zNewPassword, zPassword, zPhone, zSmsCode } from "../../lib/fields";
import { requestMeta, strictRateLimit, zNoContent } from "../../lib/http";
import {
  clearSessionCookie,
  requireApplicant,
  type SecurityDeps,
  setSessionCookie,
} from "../../plugins/security";
import { listActiveSessions, revokeSession } from "../sessions/session.service";
import { type AccountService, presentAccount } from "./account.service";

const zAccount = z.object({
  id: z.string(),
  phoneMasked: z.string(),
  name: z.string().nullable(),
  createdAt: z.string(),
});

export function accountRoutes(deps: SecurityDeps & { accounts: AccountService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const auth = requireApplicant(deps);
    const { accounts } = deps;
    const tags = ["applicant accounts"];

    r.post(
      "/auth/sms-codes",
      {
        config: strictRateLimit(5),
        schema: {
          tags,
          summary: "Send an SMS verification code (register or reset password)",
          body: z.object({ phone: zPhone, purpose: z.enum(["register", "reset_password"]) }),
          response: { 200: z.object({ retryAfterSeconds: z.number() }) },
        },
      },
      async (req) => accounts.requestCode(req.body.phone, req.body.purpose, requestMeta(req)),
    );

    r.post(
      "/auth/register",
      {
        config: strictRateLimit(10),
        schema: {
          tags,
          summary: "Register with phone, SMS code and password; logs in",
          body: z.object({ phone: zPhone, code: zSmsCode, password: zNewPassword }),
          response: { 201: z.object({ account: zAccount }) },
        },
      },
      async (req, reply) => {
        const { account, token } = await accounts.register(req.body, requestMeta(req));
        setSessionCookie(reply, deps.config, "applicant", token);
        return reply.code(201).send({ account: presentAccount(account) });
      },
    );

    r.post(
      "/auth/login",
      {
        config: strictRateLimit(10),
        schema: {
          tags,
          summary: "Log in with phone and password",
          body: z.object({ phone: zPhone, password: zPassword }),
          response: { 200: z.object({ account: zAccount }) },
        },
      },
      async (req, reply) => {
        const { account, token } = await accounts.login(req.body, requestMeta(req));
        setSessionCookie(reply, deps.config, "applicant", token);
        return { account: presentAccount(account) };
      },
    );

    r.post(
      "/auth/logout",
      { preHandler: auth, schema: { tags, summary: "Log out this session", response: { 204: zNoContent } } },
      async (req, reply) => {
        await accounts.logout(req.applicant!.sessionId);
        clearSessionCookie(reply, deps.config, "applicant");
        return reply.code(204).send(null);
      },
    );

    r.post(
      "/auth/password-reset",
      {
        config: strictRateLimit(10),
        schema: {
          tags,
          summary: "Reset the password with an SMS code; ends every session",
          body: z.object({ phone: zPhone, code: zSmsCode, newPassword: zNewPassword }),
          response: { 204: zNoContent },
        },
      },
      async (req, reply) => {
        await accounts.resetPassword(req.body, requestMeta(req));
        return reply.code(204).send(null);
      },
    );

    r.get(
      "/me",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "The logged-in account",
          response: { 200: z.object({ account: zAccount }) },
        },
      },
      async (req) => ({ account: presentAccount(await accounts.get(req.applicant!.subjectId)) }),
    );

    r.patch(
      "/me",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "Update the account's display name",
          body: z.object({ name: z.string().trim().max(60).nullable() }),
          response: { 200: z.object({ account: zAccount }) },
        },
      },
      async (req) => {
        const name = req.body.name === "" ? null : req.body.name;
        const a = await accounts.updateProfile(req.applicant!.subjectId, { name }, requestMeta(req));
        return { account: presentAccount(a) };
      },
    );

    r.post(
      "/me/password",
      {
        preHandler: auth,
        config: strictRateLimit(10),
        schema: {
          tags,
          summary: "Change the password; other sessions end",
          body: z.object({ currentPassword: zPassword, newPassword: zNewPassword }),
          response: { 204: zNoContent },
        },
      },
      async (req, reply) => {
        await accounts.changePassword(
          req.applicant!.subjectId,
          req.applicant!.sessionId,
          req.body,
          requestMeta(req),
        );
        return reply.code(204).send(null);
      },
    );

    const zSession = z.object({
      id: z.string(),
      current: z.boolean(),
      createdAt: z.string(),
      lastSeenAt: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
    });

    r.get(
      "/me/sessions",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "Devices logged in to this account",
          response: { 200: z.object({ sessions: z.array(zSession) }) },
        },
      },
      async (req) => {
        const rows = await listActiveSessions(deps.db, deps.clock, "applicant", req.applicant!.subjectId);
        return {
          sessions: rows.map((s) => ({
            // The public id is a prefix of the stored hash: enough to address it, useless as a cookie.
            id: s.id.slice(0, 16),
            current: s.id === req.applicant!.sessionId,
            createdAt: s.created_at,
            lastSeenAt: s.last_seen_at,
            ip: s.ip,
            userAgent: s.user_agent,
          })),
        };
      },
    );

    r.delete(
      "/me/sessions/:id",
      {
        preHandler: auth,
        schema: {
          tags,
          summary: "Log out one device of this account",
          params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/) }),
          response: { 204: zNoContent },
        },
      },
      async (req, reply) => {
        const rows = await listActiveSessions(deps.db, deps.clock, "applicant", req.applicant!.subjectId);
        // Ownership: only this account's sessions are searched; anyone else's id is simply not found.
        const target = rows.find((s) => s.id.startsWith(req.params.id));
        if (!target) throw notFound("登录设备");
        await revokeSession(deps.db, deps.clock, target.id);
        return reply.code(204).send(null);
      },
    );
  };
}
