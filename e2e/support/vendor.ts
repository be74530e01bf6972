// "Another vendor" for the 其他厂商介质证书更换 walk: a small openssl CA of its own (an RSA root and
// `openssl ca`, which takes any start and end date, so an expired certificate needs no fake clock) that
// issues the company's certificate with its name and its 统一社会信用代码 as the subject serialNumber,
// as Chinese CAs write it (apps/server/src/modules/vendor/vendor-cert.ts finds the USCC there).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const VENDOR_ROOT_SUBJECT = "/C=CN/O=某某数字认证有限公司/CN=某某数字认证 SM CA";

const CA_CONF = `
[ ca ]
default_ca = vendor
[ vendor ]
dir = .
database = index.txt
new_certs_dir = .
certificate = vroot.pem
private_key = vroot.key
serial = serial.txt
default_md = sha256
policy = any
unique_subject = no
preserve = yes
utf8 = yes
string_mask = utf8only
email_in_dn = no
[ any ]
countryName = optional
organizationName = optional
commonName = supplied
serialNumber = optional
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** openssl's date form for `ca -startdate/-enddate` (GeneralizedTime, whole seconds, UTC). */
function opensslDate(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace(/[-T:]/g, "")}Z`;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

export interface VendorCertificates {
  /** PEM files. */
  valid: string;
  expired: string;
  /** The valid certificate's end (whole seconds, as written into it). */
  validNotAfter: Date;
  expiredNotAfter: Date;
}

/**
 * Makes the vendor root and two certificates for the company: one valid from 30 days ago for
 * `validDays` more days, and one that ended `expiredDaysAgo` days ago.
 */
export function makeVendorCertificates(
  parent: string,
  company: { name: string; uscc: string },
  /** `validCsrPem`: the valid certificate certifies this request (a key on a USB key) instead of a new key. */
  opts: { validDays?: number; expiredDaysAgo?: number; validCsrPem?: string } = {},
): VendorCertificates {
  const dir = path.join(parent, "vendor");
  mkdirSync(dir, { recursive: true });
  openssl(
    [
      "req",
      "-x509",
      "-utf8",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "vroot.key",
      "-out",
      "vroot.pem",
      "-subj",
      VENDOR_ROOT_SUBJECT,
      "-days",
      "3650",
    ],
    dir,
  );
  writeFileSync(path.join(dir, "ca.cnf"), CA_CONF);
  writeFileSync(path.join(dir, "index.txt"), "");
  writeFileSync(path.join(dir, "serial.txt"), "5EC0FFEE01\n");

  const day = 86_400_000;
  const now = Math.floor(Date.now() / 1000) * 1000;
  const subject = `/C=CN/O=${company.name}/CN=${company.name}/serialNumber=${company.uscc}`;
  const sign = (name: string, start: Date, end: Date) => {
    if (name === "valid" && opts.validCsrPem) writeFileSync(path.join(dir, "valid.csr"), opts.validCsrPem);
    else
      openssl(
        [
          "req",
          "-new",
          "-utf8",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          `${name}.key`,
          "-out",
          `${name}.csr`,
          "-subj",
          subject,
        ],
        dir,
      );
    openssl(
      [
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-extensions",
        "leaf",
        "-utf8",
        "-preserveDN",
        "-notext",
        "-startdate",
        opensslDate(start),
        "-enddate",
        opensslDate(end),
        "-in",
        `${name}.csr`,
        "-out",
        `${name}.pem`,
      ],
      dir,
    );
    return path.join(dir, `${name}.pem`);
  };

  const validNotAfter = new Date(now + (opts.validDays ?? 200) * day);
  const expiredNotAfter = new Date(now - (opts.expiredDaysAgo ?? 10) * day);
  return {
    valid: sign("valid", new Date(now - 30 * day), validNotAfter),
    expired: sign("expired", new Date(expiredNotAfter.getTime() - 365 * day), expiredNotAfter),
    validNotAfter,
    expiredNotAfter,
  };
}
