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

/** Fastify's request serializer with the query redacted. */
export function logRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactQuery(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}
