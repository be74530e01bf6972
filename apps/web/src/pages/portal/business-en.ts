import type { BusinessCode } from "@certhall/domain";

/**
 * English one-liners for the nine businesses. packages/domain carries the Chinese description from the
 * seed (the source of truth); this is only the English UI's rendering of it, typed so that a new
 * business code without an English line is a compile error.
 */
export const BUSINESS_DESCRIPTIONS_EN = {
  new: "Apply for a company or personal certificate; after review you are told by SMS to pay, then print the receipt and send the materials or collect at a window.",
  renew:
    "Add the certificates to renew, submit and pay; bank transfers wait for booking, then update the certificate online.",
  eseal:
    "Add the certificates to enable the e-seal on, submit and pay; usable as soon as the payment is booked.",
  change:
    "Add the companies or persons whose details changed and submit; after payment print the receipt and send the materials or go to a window.",
  reissue:
    "Add the certificates to reissue, submit and pay; then print the receipt and send the materials or go to a window.",
  unlock: "Add the certificates to unlock and submit (zero-amount payment); then print the receipt.",
  replace:
    "Add the certificates, tick 'replace', submit and pay; after booking print the receipt and send the materials or go to a window.",
  vendor_swap:
    "Read the other vendor's certificate, confirm and pay the 200 yuan e-seal fee only (no media or annual fee); then print the receipt.",
  revoke: "Add the certificates, tick 'revoke' and submit (zero-amount payment); then print the receipt.",
} satisfies Record<BusinessCode, string>;
