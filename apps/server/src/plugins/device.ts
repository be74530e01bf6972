import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config";
import { hmacHex, randomToken } from "../lib/tokens";

/**
 * A long-lived random cookie naming the browser (issue 18 item 9e). A staff account remembers the
 * browser the admin created it in, and cannot act from there: an admin cannot create a reviewer and
 * then approve through it in his own browser. Set at staff login; only its keyed hash is stored.
 */
export const DEVICE_COOKIE = "certhall_device";

/** Keyed hash of the browser's device cookie; null when it has none. */
export function deviceOf(req: FastifyRequest, secret: Buffer): string | null {
  const token = req.cookies[DEVICE_COOKIE];
  return token ? hmacHex(secret, `device:${token}`) : null;
}

/** Gives the browser a device cookie when it has none yet (400 days, the longest browsers keep). */
export function ensureDeviceCookie(req: FastifyRequest, reply: FastifyReply, config: Config): void {
  if (req.cookies[DEVICE_COOKIE]) return;
  reply.setCookie(DEVICE_COOKIE, randomToken(24), {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.cookieSecure,
    maxAge: 400 * 24 * 3600,
  });
}
