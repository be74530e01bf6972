import type { FastifyRequest } from "fastify";

/**
 * Query parameters whose values are never personal data (states, kinds, paging, formats). Every other
 * value — search terms (`q`, which people fill with phone and ID numbers), or any parameter a client
 * invents — is logged as [redacted] (issue 18 item 9a).
 */
const PLAIN_QUERY_PARAMS = new Set([
  "state",
  "status",
  "business",
  "kind",
  "limit",
  "offset",
  "before",
  "format",
  "chain",
  "archived",
  "year",
]);

/** The URL as logged: the path as is, each query value outside PLAIN_QUERY_PARAMS replaced by [redacted]. */
export function redactQuery(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const parts = url
    .slice(at + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      return PLAIN_QUERY_PARAMS.has(name) ? pair : `${name}=[redacted]`;
    });
  return `${url.slice(0, at)}?${parts.join("&")}`;
}

/**
 * Path segments that are capabilities: whoever reads them can use them. Codes travel in bodies now,
 * but an old client (or a guess) may still put one in a URL, and the receipt's verification token and
 * the sandbox cashier's payment id are in URLs by design; the access log keeps none of them.
 */
const SECRET_PATH_SEGMENT = /(\/(?:online-update|unlock|verify|sandbox-pay)\/)(?!done(?:[/?#]|$))[^/?#]+/g;

export const redactSecretPaths = (url: string): string => url.replace(SECRET_PATH_SEGMENT, "$1[redacted]");

/** Fastify's request serializer with the secret path segments and the query redacted. */
export function logRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactQuery(redactSecretPaths(req.url)),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}
