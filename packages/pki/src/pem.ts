// PEM (RFC 7468) armor. Input may also be raw DER bytes; a wrong label is its own error so the
// portal can tell an applicant "this is a certificate, not a certificate request".
import { PkiError } from "./errors";

export function toPem(der: Buffer, label: string): string {
  const b64 = der.toString("base64");
  let body = "";
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * Returns the DER inside PEM text (first block) or the bytes themselves when they look like DER
 * (start with a SEQUENCE). `labels` are the accepted PEM labels; `what` names the object in errors.
 */
export function fromPemOrDer(input: string | Buffer, labels: readonly string[], what: string): Buffer {
  const asText = typeof input === "string" ? input : input[0] === 0x30 ? null : input.toString("latin1");
  if (asText === null) return input as Buffer;
  const m = asText.match(PEM_RE);
  if (!m) {
    throw new PkiError("PKI_BAD_PEM", `无法识别的${what}：既不是 PEM 也不是 DER 格式`);
  }
  const label = m[1]!;
  if (!labels.includes(label)) {
    throw new PkiError("PKI_WRONG_PEM_TYPE", `需要${what}（${labels[0]}），收到的是 ${label}`);
  }
  const b64 = m[2]!.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length === 0) {
    throw new PkiError("PKI_BAD_PEM", `${what}的 PEM 内容不是有效的 Base64`);
  }
  return Buffer.from(b64, "base64");
}
