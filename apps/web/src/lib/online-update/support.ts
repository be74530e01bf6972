// The self-check panel of 证书在线更新: can this browser make, use and keep a key?

export interface SupportReport {
  supported: boolean;
  /** What is missing, in Chinese, one sentence each; empty when supported. */
  missing: string[];
}

/** The parts of the browser the check looks at (globalThis by default; tests pass their own). */
export interface SupportEnvironment {
  crypto?: Crypto;
  indexedDB?: IDBFactory;
  isSecureContext?: boolean;
}

export async function isOnlineUpdateSupported(
  env: SupportEnvironment = globalThis as SupportEnvironment,
): Promise<SupportReport> {
  const missing: string[] = [];
  if (env.isSecureContext === false) {
    missing.push("安全连接（HTTPS）：当前页面不是通过 HTTPS 打开的，浏览器不提供密钥功能");
  }
  const subtle = env.crypto?.subtle;
  if (!subtle) {
    missing.push("WebCrypto（crypto.subtle）：浏览器不支持或页面未通过 HTTPS 打开");
  } else {
    try {
      const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
        "sign",
        "verify",
      ]);
      const alg = { name: "ECDSA", hash: "SHA-256" };
      const probe = new TextEncoder().encode("certhall self-check");
      const signature = await subtle.sign(alg, pair.privateKey, probe);
      if (!(await subtle.verify(alg, pair.publicKey, signature, probe))) throw new Error("verify failed");
      await subtle.exportKey("spki", pair.publicKey);
    } catch {
      missing.push("ECDSA P-256 密钥：浏览器无法生成 P-256 密钥或用它签名，请使用较新版本的浏览器");
    }
  }
  if (!env.indexedDB) {
    missing.push("IndexedDB：浏览器无法在本机保存私钥（无痕/隐私模式可能禁用了它）");
  }
  return { supported: missing.length === 0, missing };
}
