import pkcs11js from "pkcs11js";

/**
 * Stable codes for programs; the message is Chinese for the person holding the USB key. The server
 * maps these to problem+json later, so codes never change meaning.
 */
export type TokenErrorCode =
  | "MODULE_LOAD_FAILED" // the PKCS#11 library could not be loaded or initialised
  | "TOKEN_NOT_FOUND" // no slot/token with the given label or slot id
  | "TOKEN_BUSY" // this process already has a login on the token (PKCS#11 login is per application)
  | "PIN_INCORRECT" // wrong user PIN
  | "PIN_LOCKED" // user PIN locked after too many failures: the 解锁 business applies
  | "PIN_LENGTH" // a new PIN outside the token's min/max length
  | "PIN_NOT_INITIALIZED" // the token has no user PIN yet
  | "SO_PIN_INCORRECT" // wrong security-officer (administrator) PIN
  | "KEY_EXISTS" // a key with this label or id is already on the token
  | "KEY_NOT_FOUND" // no key pair with this label or id
  | "BAD_SUBJECT" // the subject hint fails a length or character rule
  | "BAD_CERTIFICATE" // not a parseable X.509 certificate
  | "CERT_KEY_MISMATCH" // the certificate's public key is not the token key's
  | "ISSUE_FAILED" // the platform refused or failed the issue request
  | "BAD_CODE" // the one-time code from the order page is empty or malformed
  | "RENEW_FAILED" // the platform refused or failed an online update (证书在线更新) by one-time code
  | "UNLOCK_FAILED" // the platform refused or failed an unlock (解锁) by one-time code
  | "TOKEN_ERROR"; // any other PKCS#11 failure, with the CKR_ name kept in `detail`

export class TokenError extends Error {
  override readonly name = "TokenError";
  constructor(
    readonly code: TokenErrorCode,
    message: string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The CKR_ value of a pkcs11js error, or undefined when it is not a PKCS#11 return value. */
export function pkcs11Code(error: unknown): number | undefined {
  if (error instanceof pkcs11js.Pkcs11Error) return error.code;
  return undefined;
}

export function ckrName(code: number): string {
  for (const [name, value] of Object.entries(pkcs11js)) {
    if (name.startsWith("CKR_") && value === code) return name;
  }
  return `0x${code.toString(16)}`;
}

/** Wraps any failure of a PKCS#11 call so that callers only ever see TokenError. */
export function asTokenError(error: unknown, what: string): TokenError {
  if (error instanceof TokenError) return error;
  const code = pkcs11Code(error);
  const detail = code === undefined ? String(error) : ckrName(code);
  return new TokenError("TOKEN_ERROR", `${what}失败（${detail}）`, detail, { cause: error });
}
