// The SO PIN (管理员 PIN) of a USB key the platform issued: derived from the server secret and the
// key's serial, so no table of PINs exists to leak. Only the token client (through a one-time unlock
// code) and window staff with orders.process (audited) ever see one. Never log it, never audit it.
import { createHmac } from "node:crypto";

/** The media serial as the window records it (setMedia upper-cases) and tokens report it. */
export const normalizeMediaSerial = (serial: string): string => serial.trim().toUpperCase();

/** HMAC-SHA256(secretKey, "media-so-pin:" + MEDIA_SERIAL) → the first 16 hex characters, upper-case. */
export function soPinFor(secretKey: Buffer, mediaSerial: string): string {
  return createHmac("sha256", secretKey)
    .update(`media-so-pin:${normalizeMediaSerial(mediaSerial)}`)
    .digest("hex")
    .slice(0, 16)
    .toUpperCase();
}
