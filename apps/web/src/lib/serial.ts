/** Serial in colon-separated byte pairs as openssl prints it, so people can compare the two. */
export function formatSerial(hex: string): string {
  const h = hex.length % 2 ? `0${hex}` : hex;
  return (h.match(/../g) ?? []).join(":").toUpperCase();
}

/**
 * The serial in groups of `bytes` byte pairs (each group keeps its trailing colon), the places where a
 * line may break: a 16-byte serial wraps into two halves, never mid-pair.
 */
export function serialGroups(hex: string, bytes = 8): string[] {
  const pairs = formatSerial(hex).split(":");
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += bytes) {
    const last = i + bytes >= pairs.length;
    groups.push(pairs.slice(i, i + bytes).join(":") + (last ? "" : ":"));
  }
  return groups;
}

/**
 * A server sentence with raw serials in it (「证书 3fa1… 已在订单 … 中」) with each serial in the display
 * form of the rest of the app. A serial is a run of 16–40 lowercase hex digits with at least one letter,
 * so order numbers, dates and ID numbers stay as they are.
 */
export function displaySerials(text: string): string {
  return text.replace(/(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{16,40}(?![0-9A-Za-z])/g, (hex) =>
    formatSerial(hex),
  );
}
