// The CA's issuing key in a PKCS#11 token (DESIGN §9, CA_SIGNER=pkcs11): a @certhall/pki Signer whose
// private key never leaves the token. Certificates, CRLs and OCSP responses are signed by C_Sign on a
// small pool of sessions (one login, PKCS#11 v2.40 §5.6: sessions of one application share it), so
// concurrent requests sign in parallel on libuv's threads while each session runs one operation.
import { createHash } from "node:crypto";
import type { CaAlgorithm, Signer } from "@certhall/pki";
import pkcs11js from "pkcs11js";
import { ecdsaRawToDer } from "./encoding";
import { asTokenError, TokenError } from "./errors";
import { findKey, publicKeySpki, type TokenKey } from "./keys";
import { attributes } from "./objects";
import { openToken, type TokenTarget } from "./token";

export interface Pkcs11SignerOptions extends TokenTarget {
  pin: string;
  /** CKA_LABEL of the key pair. */
  keyLabel: string;
  /** Sessions signing in parallel (default 4, libuv's thread pool size). */
  sessions?: number;
}

export interface Pkcs11Signer extends Signer {
  readonly keyLabel: string;
  /** Ends the sessions and the login. */
  close(): void;
}

const RSA_SIZES: readonly CaAlgorithm[] = ["rsa-2048", "rsa-3072", "rsa-4096"];

/** Refuses a key that could leave the token: it must be sensitive, never extractable. */
function checkNonExportable(session: ReturnType<typeof openToken>, key: TokenKey): void {
  const attrs = attributes(session, key.privateKey, [
    pkcs11js.CKA_SENSITIVE,
    pkcs11js.CKA_EXTRACTABLE,
    pkcs11js.CKA_SIGN,
  ]);
  const flag = (t: number) => (attrs.get(t)?.[0] ?? 0) !== 0;
  if (!flag(pkcs11js.CKA_SENSITIVE) || flag(pkcs11js.CKA_EXTRACTABLE)) {
    throw new TokenError(
      "TOKEN_ERROR",
      `介质中的密钥“${key.label}”可被导出（须 CKA_SENSITIVE=true、CKA_EXTRACTABLE=false），不能用作 CA 密钥`,
    );
  }
  if (!flag(pkcs11js.CKA_SIGN)) throw new TokenError("TOKEN_ERROR", `介质中的密钥“${key.label}”不能签名`);
}

export function openPkcs11Signer(options: Pkcs11SignerOptions): Pkcs11Signer {
  const main = openToken(options);
  const extra: Buffer[] = [];
  const closeAll = () => {
    for (const h of extra.splice(0)) {
      try {
        main.pkcs11.C_CloseSession(h);
      } catch {
        // The main session's close below ends everything anyway.
      }
    }
    main.close();
  };
  try {
    const key = findKey(main, { label: options.keyLabel });
    checkNonExportable(main, key);
    const publicKeySpkiDer = publicKeySpki(main, key);
    let algorithm: CaAlgorithm;
    if (key.keyType === "ec")
      algorithm = "ecdsa-p256"; // publicKeySpki accepts P-256 only
    else {
      algorithm = key.algorithm as CaAlgorithm;
      if (!RSA_SIZES.includes(algorithm)) {
        throw new TokenError("TOKEN_ERROR", `不支持的 RSA 密钥长度（${key.algorithm}）`);
      }
    }
    const n = Math.max(1, options.sessions ?? 4);
    const idle: Buffer[] = [main.handle];
    for (let i = 1; i < n; i++) {
      const h = main.pkcs11.C_OpenSession(main.slot, pkcs11js.CKF_SERIAL_SESSION);
      extra.push(h);
      idle.push(h);
    }
    const waiting: ((h: Buffer) => void)[] = [];
    const acquire = (): Promise<Buffer> =>
      idle.length > 0 ? Promise.resolve(idle.pop()!) : new Promise((resolve) => waiting.push(resolve));
    const release = (h: Buffer) => {
      const next = waiting.shift();
      if (next) next(h);
      else idle.push(h);
    };
    const ec = key.keyType === "ec";
    let closed = false;
    return {
      algorithm,
      publicKeySpki: publicKeySpkiDer,
      keyLabel: options.keyLabel,
      async sign(data: Buffer): Promise<Buffer> {
        if (closed) throw new TokenError("TOKEN_ERROR", "PKCS#11 签名会话已关闭");
        const h = await acquire();
        try {
          // CKM_ECDSA signs a digest we compute (RFC 5758: SHA-256 for P-256) and returns r || s;
          // CKM_SHA256_RSA_PKCS hashes and pads itself (PKCS#1 v1.5, RFC 8017 8.2).
          main.pkcs11.C_SignInit(
            h,
            { mechanism: ec ? pkcs11js.CKM_ECDSA : pkcs11js.CKM_SHA256_RSA_PKCS },
            key.privateKey,
          );
          const input = ec ? createHash("sha256").update(data).digest() : data;
          const out = await main.pkcs11.C_SignAsync(h, input, Buffer.alloc(ec ? 132 : 1024));
          return ec ? ecdsaRawToDer(out) : Buffer.from(out);
        } catch (error) {
          throw asTokenError(error, "CA 密钥签名");
        } finally {
          release(h);
        }
      },
      close() {
        if (closed) return;
        closed = true;
        closeAll();
      },
    };
  } catch (error) {
    closeAll();
    throw error;
  }
}
