/**
 * Where to go after a login. Only same-site paths inside the given area are followed: `?next=` comes
 * from the address bar, and an open redirect (`//evil.example`, `https://…`) must not be one click away.
 */
export function safeNext(next: string | null | undefined, fallback: string, areaPrefix: string): string {
  if (!next) return fallback;
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  if (!next.startsWith(areaPrefix)) return fallback;
  if (/[\r\n]/.test(next)) return fallback;
  // Never bounce back to a login page.
  if (/^\/(admin\/)?login(\?|$)/.test(next)) return fallback;
  return next;
}
