import { describe, expect, it } from "vitest";
import { isOnlineUpdateSupported } from "./support";

describe("isOnlineUpdateSupported", () => {
  it("in Node: WebCrypto and P-256 are there, IndexedDB is missing", async () => {
    const report = await isOnlineUpdateSupported();
    expect(report.supported).toBe(false);
    expect(report.missing).toHaveLength(1);
    expect(report.missing[0]).toMatch(/^IndexedDB：/);
  });

  it("is satisfied by WebCrypto with P-256 and an IndexedDB factory on a secure page", async () => {
    const report = await isOnlineUpdateSupported({
      crypto: globalThis.crypto,
      indexedDB: {} as IDBFactory,
      isSecureContext: true,
    });
    expect(report).toEqual({ supported: true, missing: [] });
  });

  it("lists an http page and a browser without crypto.subtle", async () => {
    const report = await isOnlineUpdateSupported({ crypto: {} as Crypto, isSecureContext: false });
    expect(report.supported).toBe(false);
    expect(report.missing).toHaveLength(3);
    expect(report.missing[0]).toMatch(/HTTPS/);
    expect(report.missing[1]).toMatch(/^WebCrypto（crypto\.subtle）/);
    expect(report.missing[2]).toMatch(/^IndexedDB/);
  });

  it("lists ECDSA P-256 when the browser's WebCrypto cannot make such a key", async () => {
    // An older browser's SubtleCrypto: everything present, but P-256 key generation rejected.
    const subtle = globalThis.crypto.subtle;
    const oldSubtle = Object.create(subtle, {
      generateKey: { value: () => Promise.reject(new DOMException("not supported", "NotSupportedError")) },
    }) as SubtleCrypto;
    const report = await isOnlineUpdateSupported({
      crypto: { subtle: oldSubtle } as Crypto,
      indexedDB: {} as IDBFactory,
    });
    expect(report).toEqual({ supported: false, missing: [expect.stringMatching(/^ECDSA P-256 密钥/)] });
  });
});
