// One error type for the online-update library. `message` is Chinese, names the field or object, and
// can be shown to the applicant as it is; `code` is for the page's logic.

export type OnlineUpdateErrorCode =
  | "BAD_DER" // a certificate or request that is not valid DER
  | "BAD_PEM" // not PEM, wrong PEM label, bad Base64
  | "BAD_SUBJECT" // the CN given for the request
  | "BAD_KEY" // a key that is not an ECDSA P-256 key pair
  | "CRYPTO_UNAVAILABLE" // no WebCrypto (not https, or an old browser)
  | "KEY_STORE"; // IndexedDB missing, blocked or failing

export class OnlineUpdateError extends Error {
  override readonly name = "OnlineUpdateError";
  constructor(
    readonly code: OnlineUpdateErrorCode,
    message: string,
  ) {
    super(message);
  }
}
