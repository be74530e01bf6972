// Fresh OCSP signatures per client IP (issue 18 item 10). A request with a nonce (or for several
// certificates) cannot be answered from the pre-signed store: each costs a signature by the CA key, so
// one client could keep the signer busy. Those are counted per IP in fixed one-minute windows; over the
// limit the answer is the unsigned tryLater (RFC 6960 4.2.1). Pre-signed answers (no nonce, one
// certificate, what RFC 5019 clients and browsers send) are never counted.
export function freshSignatureLimiter(maxPerMinute: number, windowMs = 60_000) {
  let windowStart = 0;
  const counts = new Map<string, number>();
  /** Counts one fresh signature for `ip`; false when it is over the limit. */
  return (ip: string, now = Date.now()): boolean => {
    if (now - windowStart >= windowMs) {
      counts.clear();
      windowStart = now;
    }
    const n = (counts.get(ip) ?? 0) + 1;
    counts.set(ip, n);
    return n <= maxPerMinute;
  };
}
