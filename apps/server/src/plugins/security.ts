import cookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config";
import type { Db } from "../db/database";
import type { SessionRealm, Staff } from "../db/tables";
import { AppError, forbidden, unauthenticated } from "../errors";
import type { Clock } from "../lib/clock";
import { hmacHex, randomToken, safeEqual } from "../lib/tokens";
import { can, type Permission } from "../modules/auth/policy";
import { resolveSession, SESSION_POLICY, type SessionContext } from "../modules/sessions/session.service";
import { deviceOf } from "./device";

declare module "fastify" {
  interface FastifyRequest {
    applicant?: SessionContext;
    staffSession?: SessionContext & { staff: Staff };
    /** The CSRF token valid for this client (from its cookie, or freshly minted and set). */
    csrfToken?: string;
  }
  interface FastifyContextConfig {
    /** false for machine-to-machine routes authenticated otherwise (payment notify, service tokens). */
    csrf?: boolean;
  }
}

export const CSRF_COOKIE = "certhall_csrf";
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: signed double-submit, bound to the session. The cookie holds nonce.hmac(nonce, session cookies);
 * a state-changing request must echo it in the x-csrf-token header. A cross-site page can make the
 * browser send the cookie but cannot read it to set the header, cannot mint a valid one of its own (the
 * HMAC key is the server's), and a token taken from one session (the attacker's own) is refused with
 * any other session cookie. Setting or clearing a session cookie (login, register, logout) rotates it.
 */
function csrfBinding(cookies: Record<string, string | undefined>): string {
  return `${cookies[SESSION_POLICY.applicant.cookie] ?? ""}|${cookies[SESSION_POLICY.staff.cookie] ?? ""}`;
}

function csrfMac(secret: Buffer, nonce: string, binding: string): string {
  return hmacHex(secret, `csrf:${nonce}:${binding}`).slice(0, 32);
}

function validCsrfToken(secret: Buffer, token: string, binding: string): boolean {
  const [nonce, mac, extra] = token.split(".");
  if (!nonce || !mac || extra !== undefined) return false;
  return safeEqual(mac, csrfMac(secret, nonce, binding));
}

/** Mints a token for `binding`, sets it as the cookie and makes it the request's. */
function issueCsrfToken(reply: FastifyReply, config: Config, binding: string): void {
  const nonce = randomToken(18);
  const token = `${nonce}.${csrfMac(config.secretKey, nonce, binding)}`;
  reply.setCookie(CSRF_COOKIE, token, {
    path: "/",
    sameSite: "strict",
    secure: config.cookieSecure,
    httpOnly: false,
  });
  reply.request.csrfToken = token;
}

/** A new token for the session cookies this response leaves the browser with. */
function rotateCsrfToken(reply: FastifyReply, config: Config, realm: SessionRealm, session?: string) {
  issueCsrfToken(
    reply,
    config,
    csrfBinding({ ...reply.request.cookies, [SESSION_POLICY[realm].cookie]: session }),
  );
}

export interface SecurityDeps {
  config: Config;
  db: Db;
  clock: Clock;
}

export async function registerSecurity(app: FastifyInstance, deps: SecurityDeps): Promise<void> {
  await app.register(cookie);
  const { config } = deps;

  app.addHook("onRequest", async (req, reply) => {
    const binding = csrfBinding(req.cookies);
    const cookieToken = req.cookies[CSRF_COOKIE];
    const cookieValid = cookieToken !== undefined && validCsrfToken(config.secretKey, cookieToken, binding);
    if (cookieValid) req.csrfToken = cookieToken;
    else issueCsrfToken(reply, config, binding);
    if (SAFE_METHODS.has(req.method) || req.routeOptions.config?.csrf === false) return;
    const sent = req.headers[CSRF_HEADER];
    if (!cookieValid || typeof sent !== "string" || !safeEqual(sent, cookieToken)) {
      throw new AppError("CSRF_FAILED", "页面已过期或请求来源不可信，请刷新页面后重试");
    }
  });
}

export function setSessionCookie(
  reply: FastifyReply,
  config: Config,
  realm: SessionRealm,
  token: string,
): void {
  const policy = SESSION_POLICY[realm];
  reply.setCookie(policy.cookie, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.cookieSecure,
    maxAge: policy.absoluteSeconds,
  });
  rotateCsrfToken(reply, config, realm, token);
}

export function clearSessionCookie(reply: FastifyReply, config: Config, realm: SessionRealm): void {
  reply.clearCookie(SESSION_POLICY[realm].cookie, { path: "/" });
  rotateCsrfToken(reply, config, realm);
}

/** preHandler: the request must carry a live applicant session. */
export function requireApplicant(deps: SecurityDeps) {
  return async (req: FastifyRequest) => {
    const s = await resolveSession(
      deps.db,
      deps.clock,
      "applicant",
      req.cookies[SESSION_POLICY.applicant.cookie],
    );
    if (!s) throw unauthenticated("请先登录");
    req.applicant = s;
  };
}

/** preHandler: a live staff session of an enabled account, holding `permission` when one is named. */
export function requireStaff(deps: SecurityDeps, permission?: Permission) {
  return async (req: FastifyRequest) => {
    const s = await resolveSession(deps.db, deps.clock, "staff", req.cookies[SESSION_POLICY.staff.cookie]);
    if (!s) throw unauthenticated("请先登录管理后台");
    const staff = await deps.db
      .selectFrom("staff")
      .selectAll()
      .where("id", "=", s.subjectId)
      .executeTakeFirst();
    if (!staff || staff.disabled) throw unauthenticated("账号已停用，请联系管理员");
    if (permission && !can(staff.role, permission)) throw forbidden();
    // The admin chose the initial password: until its holder replaces it, no role permission is granted
    // (only logout, "me" and the password change, which name none), so the admin cannot act as them.
    if (permission && staff.must_change_password) throw forbidden("请先修改初始密码，再使用管理后台");
    // Nor from the browser the admin created the account in (plugins/device.ts): he knows the initial
    // password and could change it himself.
    if (
      permission &&
      staff.created_in_device &&
      staff.created_in_device === deviceOf(req, deps.config.secretKey)
    )
      throw forbidden(
        "职责分离：该账号由管理员在本浏览器中创建，不能在此浏览器中办理业务，请在本人的设备上登录",
      );
    req.staffSession = { ...s, staff };
  };
}
