import { sameOriginPath } from "./safe-url";

/** Any origin will do: only whether the address stays on it matters, and the path is what we keep. */
const PROBE_ORIGIN = "https://certhall.invalid";

/**
 * Where to go after a login. Only same-site paths inside the given area are followed: `?next=` comes
 * from the address bar, and an open redirect (`//evil.example`, `https://…`, `/\t/evil.example`, which
 * the URL parser turns into `//evil.example`) must not be one click away.
 */
export function safeNext(next: string | null | undefined, fallback: string, areaPrefix: string): string {
  const path = sameOriginPath(next, PROBE_ORIGIN);
  if (path === null) return fallback;
  const pathname = path.replace(/[?#].*$/, "");
  // Whole segments only: "/admin" covers "/admin/audit", not "/administrator".
  const prefix = areaPrefix.endsWith("/") ? areaPrefix : `${areaPrefix}/`;
  if (pathname !== areaPrefix && !pathname.startsWith(prefix)) return fallback;
  // Never bounce back to a login page.
  if (/^\/(admin\/)?login\/?$/.test(pathname)) return fallback;
  return path;
}
