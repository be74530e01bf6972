// Which Signer holds a CA's key in this process (DESIGN §9). The root's key is never among them: it
// lives in the ceremony's sealed file (or token) and is opened only by `certhall ca ceremony`.
// Issuing keys are sealed in the database under CA_MASTER_KEY (CA_SIGNER=sealed), or live in a
// PKCS#11 token (CA_SIGNER=pkcs11), matched to their CA certificate by public key.
import { localSigner, openKey, parseCertificate, type Signer } from "@certhall/pki";
import { openPkcs11Signer, type Pkcs11Signer } from "@certhall/token";
import type { Config } from "../../config";
import type { PkiCasTable } from "../../db/tables";

export interface CaSigners {
  /** The signer of a CA row, or null when this process does not hold (or must not use) its key. */
  forCa(row: PkiCasTable, certDer: Buffer): Signer | null;
  /** The issuing key configured in the token (opened once), for the ceremony to certify. */
  token(): Pkcs11Signer;
  close(): void;
}

export function createCaSigners(config: Pick<Config, "ca">): CaSigners {
  let pkcs11: Pkcs11Signer | null = null;
  const token = (): Pkcs11Signer => {
    const s = config.ca.signer;
    if (s.kind !== "pkcs11") throw new Error("CA_SIGNER is not pkcs11");
    pkcs11 ??= openPkcs11Signer(s);
    return pkcs11;
  };
  return {
    forCa(row, certDer) {
      if (row.role === "root" || !row.active) return null;
      // Thread-pool signing: concurrent requests sign on libuv's threads, so one process uses every core.
      if (row.key_sealed) {
        return localSigner(openKey(Buffer.from(row.key_sealed, "base64"), config.ca.masterKey), {
          threadPool: true,
        });
      }
      if (config.ca.signer.kind !== "pkcs11") return null;
      const signer = token();
      return signer.publicKeySpki.equals(parseCertificate(certDer).spki) ? signer : null;
    },
    token,
    close() {
      pkcs11?.close();
      pkcs11 = null;
    },
  };
}
