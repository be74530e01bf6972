/** Serial in colon-separated byte pairs as openssl prints it, so people can compare the two. */
export function formatSerial(hex: string): string {
  const h = hex.length % 2 ? `0${hex}` : hex;
  return (h.match(/../g) ?? []).join(":").toUpperCase();
}
