// PEM (RFC 7468) armor with the browser's btoa/atob, so no Buffer is needed.
import type { Bytes } from "./der";
import { OnlineUpdateError } from "./errors";

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep String.fromCharCode's argument list short for large inputs.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Bytes {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** PEM with 64-character lines and a final newline. */
export function toPem(der: Uint8Array, label: string): string {
  const b64 = toBase64(der);
  let body = "";
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * The DER of the first PEM block whose label is `label` (a chain file gives its first certificate, the
 * end-entity one). `what` names the object in the Chinese error.
 */
export function fromPem(pem: string, label: string, what: string): Bytes {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0)
    throw new OnlineUpdateError("BAD_PEM", `${what}不是 PEM 格式（缺少 -----BEGIN ${label}-----）`);
  const block = blocks.find((m) => m[1] === label);
  if (!block) throw new OnlineUpdateError("BAD_PEM", `需要${what}（${label}），收到的是 ${blocks[0]![1]}`);
  const b64 = block[2]!.replace(/\s+/g, "");
  if (b64.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    throw new OnlineUpdateError("BAD_PEM", `${what}的 PEM 内容不是有效的 Base64`);
  }
  return fromBase64(b64);
}
