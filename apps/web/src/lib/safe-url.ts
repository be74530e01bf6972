/**
 * Checks for addresses that come from outside our own code (the address bar, a server answer) before
 * they reach navigate(), location.assign() or an href. Both parse with the WHATWG URL parser, as the
 * browser will: it drops tabs and newlines anywhere and treats `\` as `/`, so `"/\t/evil.example"` is
 * the protocol-relative `//evil.example` although no string prefix check sees it.
 */

/** A path+query+hash on `origin`, or null when `raw` would leave it (other host, scheme, `//…`). */
export function sameOriginPath(raw: string | null | undefined, origin: string): string | null {
  if (!raw?.startsWith("/")) return null;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * An http(s) address to send the browser to (a payment cashier), resolved against `origin`, or null:
 * `javascript:`, `data:` and other schemes would run in or replace our page.
 */
export function httpUrl(raw: string | null | undefined, origin: string): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return null;
  }
  return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
}
