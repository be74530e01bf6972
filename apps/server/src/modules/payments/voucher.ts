import { AppError } from "../../errors";

/** Transfer vouchers: a photo or scan of the bank slip. 5 MB is ample for a phone photo or a one-page PDF. */
export const VOUCHER_MAX_BYTES = 5 * 1024 * 1024;

export interface CheckedVoucher {
  filename: string;
  mime: "image/jpeg" | "image/png" | "application/pdf";
  data: Buffer;
}

/**
 * The type is read from the content's signature (magic bytes), never from the name or the browser's
 * Content-Type: JPEG starts FF D8 FF, PNG with its 8-byte signature (RFC 2083 §3.1), PDF with "%PDF-"
 * (ISO 32000 §7.5.2). Anything else — an .exe renamed .png, HTML, SVG — is refused.
 */
export function sniffVoucherType(data: Buffer): CheckedVoucher["mime"] | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (data.length >= 8 && png.every((b, i) => data[i] === b)) return "image/png";
  if (data.subarray(0, 5).toString("latin1") === "%PDF-") return "application/pdf";
  return null;
}

/** A safe display name: no path, no control characters, at most 100 characters. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && c !== '"')
    .join("")
    .trim()
    .slice(0, 100);
  return clean || "voucher";
}

export function checkVoucher(filename: string | undefined, data: Buffer): CheckedVoucher {
  if (data.length === 0) throw new AppError("VALIDATION_FAILED", "转账凭证文件为空", { field: "voucher" });
  if (data.length > VOUCHER_MAX_BYTES) throw voucherTooLarge();
  const mime = sniffVoucherType(data);
  if (!mime) {
    throw new AppError("VALIDATION_FAILED", "转账凭证只能是 JPEG、PNG 图片或 PDF 文件", { field: "voucher" });
  }
  return { filename: cleanFilename(filename), mime, data };
}

export const voucherTooLarge = () =>
  new AppError("PAYLOAD_TOO_LARGE", "转账凭证文件不能超过 5 MB", { field: "voucher" });
