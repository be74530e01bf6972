/**
 * Stable error codes of the CA library. Programs switch on `code`; `message` is Chinese for people.
 * The server maps these to problem+json; none of them carries key material.
 */
export type PkiErrorCode =
  | "PKI_BAD_INPUT" // an argument is malformed (dates, serials, names)
  | "PKI_BAD_DER" // bytes are not the DER structure expected
  | "PKI_BAD_PEM" // text is not PEM/DER at all
  | "PKI_WRONG_PEM_TYPE" // PEM label is not the one expected (e.g. a CERTIFICATE where a CSR belongs)
  | "PKI_BAD_SIGNATURE" // a self-signature (proof of possession) or chain signature does not verify
  | "PKI_WEAK_KEY" // RSA below 2048 bits, or an RSA exponent we refuse
  | "PKI_UNSUPPORTED_KEY" // unknown key algorithm or curve
  | "PKI_UNSUPPORTED_ALGORITHM" // unknown signature algorithm
  | "PKI_UNKNOWN_PROFILE" // no such certificate profile
  | "PKI_KEY_NOT_ALLOWED" // the profile does not accept this key type/size
  | "PKI_BAD_SUBJECT" // subject fields missing or invalid for the profile
  | "PKI_LINT_FAILED" // pre-signing lint refused the certificate
  | "PKI_BAD_VALIDITY" // notAfter in the past, notBefore not before notAfter, or longer than the profile
  | "PKI_KEY_MISMATCH" // certificate and private key do not belong together
  | "PKI_SEAL_FAILED" // sealed key cannot be opened: wrong master key or tampered envelope
  | "PKI_SEAL_VERSION" // sealed key envelope of an unknown version
  | "PKI_BAD_OCSP_REQUEST"; // OCSP request not parseable (answer malformedRequest)

export class PkiError extends Error {
  override readonly name = "PkiError";
  constructor(
    readonly code: PkiErrorCode,
    message: string,
    /** Extra machine-readable detail, e.g. the failed lint names. */
    readonly details?: readonly string[],
  ) {
    super(message);
  }
}
