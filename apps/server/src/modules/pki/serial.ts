import { AppError } from "../../errors";

/** Serials are compared as lower-case hex without leading zeros, then padded to our 16 octets. */
export function normalizeSerial(input: string): string {
  const hex = input.trim().toLowerCase().replace(/^0x/, "").replace(/[:\s]/g, "");
  if (!/^[0-9a-f]{1,40}$/.test(hex)) {
    throw new AppError("VALIDATION_FAILED", `证书序列号（serialHex）“${input}”不是有效的十六进制数`, {
      field: "serialHex",
    });
  }
  const stripped = hex.replace(/^0+/, "") || "0";
  return stripped.length % 2 ? `0${stripped}` : stripped;
}
