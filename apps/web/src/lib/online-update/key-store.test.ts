import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCsrPem, generateUpdateKey } from "./csr";
import {
  createIndexedDbKeyStore,
  createMemoryKeyStore,
  findKeyForCertificate,
  type KeyStore,
} from "./key-store";
import { publicKeyFingerprint } from "./spki";
import { issueWithOpenssl, makeCa, removeDir, tmpDir } from "./test-support";

let dir: string;
beforeAll(() => {
  dir = tmpDir();
  makeCa(dir);
});
afterAll(() => removeDir(dir));

/** A clock that moves one minute per reading. */
function steppingClock(start = Date.parse("2026-03-01T00:00:00Z")): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 60_000;
    return d;
  };
}

async function signsAndVerifies(pair: CryptoKeyPair): Promise<boolean> {
  const alg = { name: "ECDSA", hash: "SHA-256" };
  const data = new TextEncoder().encode("still usable");
  const sig = await globalThis.crypto.subtle.sign(alg, pair.privateKey, data);
  return globalThis.crypto.subtle.verify(alg, pair.publicKey, sig, data);
}

describe("createMemoryKeyStore", () => {
  let store: KeyStore;
  let first: CryptoKeyPair;
  let second: CryptoKeyPair;

  beforeAll(async () => {
    store = createMemoryKeyStore({ now: steppingClock() });
    first = await generateUpdateKey();
    second = await generateUpdateKey();
  });

  it("saves keys with their fingerprint and time, loads them usable, lists newest first", async () => {
    const saved = await store.saveKey("order-1", first, { label: "张三", orderId: "o-1" });
    expect(saved).toMatchObject({
      id: "order-1",
      spkiFingerprint: await publicKeyFingerprint(first),
      createdAt: "2026-03-01T00:00:00.000Z",
      meta: { label: "张三", orderId: "o-1" },
    });
    await store.saveKey("order-2", second, { certificateSerial: "0a1b" });

    const loaded = await store.loadKey("order-1");
    expect(loaded?.keyPair.privateKey).toBe(first.privateKey);
    expect(loaded?.keyPair.privateKey.extractable).toBe(false);
    expect(await signsAndVerifies(loaded!.keyPair)).toBe(true);
    expect(await store.loadKey("nope")).toBeNull();

    expect((await store.listKeys()).map((k) => k.id)).toEqual(["order-2", "order-1"]);
  });

  it("finds the key of a certificate issued for its request, by SPKI fingerprint", async () => {
    const cert = issueWithOpenssl(dir, await buildCsrPem(second));
    expect((await findKeyForCertificate(store, cert))?.id).toBe("order-2");
    const fp = await publicKeyFingerprint(first);
    expect((await store.findKeyBySpkiFingerprint(fp))?.id).toBe("order-1");
    expect((await store.findKeyBySpkiFingerprint(fp.toUpperCase()))?.id).toBe("order-1");
    expect(await store.findKeyBySpkiFingerprint("0".repeat(64))).toBeNull();
    const stranger = issueWithOpenssl(dir, await buildCsrPem(await generateUpdateKey()), "stranger");
    expect(await findKeyForCertificate(store, stranger)).toBeNull();
  });

  it("keeps its own copy of the metadata", async () => {
    const meta = { label: "before" };
    await store.saveKey("copy", first, meta);
    meta.label = "after";
    const loaded = await store.loadKey("copy");
    expect(loaded?.meta.label).toBe("before");
    loaded!.meta.label = "changed";
    expect((await store.loadKey("copy"))?.meta.label).toBe("before");
    await store.deleteKey("copy");
  });

  it("replaces a key saved again under the same id, and deletes", async () => {
    await store.saveKey("order-1", second, { label: "换新" });
    const replaced = await store.loadKey("order-1");
    expect(replaced?.spkiFingerprint).toBe(await publicKeyFingerprint(second));
    // Two ids now hold the second key: the newest one wins.
    expect((await store.findKeyBySpkiFingerprint(replaced!.spkiFingerprint))?.id).toBe("order-1");
    expect(await store.findKeyBySpkiFingerprint(await publicKeyFingerprint(first))).toBeNull();

    await store.deleteKey("order-1");
    expect(await store.loadKey("order-1")).toBeNull();
    expect((await store.listKeys()).map((k) => k.id)).toEqual(["order-2"]);
    await store.deleteKey("order-1"); // deleting again is not an error
  });

  it("refuses an empty id and a malformed fingerprint, naming them", async () => {
    await expect(store.saveKey(" ", first)).rejects.toThrow("密钥编号（id）不能为空");
    await expect(store.loadKey("")).rejects.toMatchObject({ code: "KEY_STORE" });
    await expect(store.findKeyBySpkiFingerprint("abc")).rejects.toThrow("公钥指纹");
    await expect(store.saveKey("x", { publicKey: first.publicKey } as CryptoKeyPair)).rejects.toMatchObject({
      code: "BAD_KEY",
    });
  });
});

describe("createIndexedDbKeyStore", () => {
  it("says in Chinese that IndexedDB is missing where there is none (Node)", () => {
    expect(globalThis.indexedDB).toBeUndefined();
    expect(() => createIndexedDbKeyStore()).toThrow(/不支持 IndexedDB/);
  });
});
