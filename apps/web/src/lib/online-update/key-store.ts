// Where the browser keeps 证书在线更新 keys between visits: IndexedDB, which stores CryptoKey objects by
// structured clone, so a non-extractable private key is kept without ever being readable. Pages use the
// KeyStore interface; Node tests use the in-memory store, and the IndexedDB one runs in a real browser.
import { OnlineUpdateError } from "./errors";
import { publicKeyFingerprint, spkiOfCertificatePem } from "./spki";

export const KEY_DB_NAME = "certhall-keys";
export const KEY_STORE_NAME = "keys";
const KEY_DB_VERSION = 1;
const FINGERPRINT_INDEX = "spkiFingerprint";

/** What the page remembers about a key (structured-cloneable values only). */
export interface KeyMeta {
  /** Shown to the applicant, e.g. the certificate's subject. */
  label?: string;
  /** The order the request was made for. */
  orderId?: string;
  /** Serial of the certificate being renewed, or of the one issued for this key. */
  certificateSerial?: string;
  [extra: string]: string | number | boolean | null | undefined;
}

export interface StoredKey {
  id: string;
  keyPair: CryptoKeyPair;
  /** Lower-case hex SHA-256 of the public key's DER SPKI (see publicKeyFingerprint). */
  spkiFingerprint: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  meta: KeyMeta;
}

export interface KeyStore {
  /** Saves (or replaces) the key under `id`; returns what was stored. */
  saveKey(id: string, keyPair: CryptoKeyPair, meta?: KeyMeta): Promise<StoredKey>;
  loadKey(id: string): Promise<StoredKey | null>;
  /** The newest key whose public key has this fingerprint, or null. */
  findKeyBySpkiFingerprint(fingerprint: string): Promise<StoredKey | null>;
  /** Every key, newest first. */
  listKeys(): Promise<StoredKey[]>;
  deleteKey(id: string): Promise<void>;
}

/** The storage under a KeyStore: records in, records out, no rules. */
export interface KeyRecordBackend {
  put(record: StoredKey): Promise<void>;
  get(id: string): Promise<StoredKey | undefined>;
  getByFingerprint(fingerprint: string): Promise<StoredKey[]>;
  getAll(): Promise<StoredKey[]>;
  delete(id: string): Promise<void>;
}

export interface KeyStoreOptions {
  now?: () => Date;
}

function checkId(id: string): string {
  if (typeof id !== "string" || id.trim().length === 0) {
    throw new OnlineUpdateError("KEY_STORE", "密钥编号（id）不能为空");
  }
  return id;
}

function checkFingerprint(fingerprint: string): string {
  const fp = fingerprint.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(fp)) {
    throw new OnlineUpdateError("KEY_STORE", "公钥指纹应为 64 位十六进制 SHA-256 值");
  }
  return fp;
}

function newestFirst(a: StoredKey, b: StoredKey): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id.localeCompare(b.id);
}

/** The KeyStore rules (ids, fingerprints, order) over any backend. */
export function createKeyStore(backend: KeyRecordBackend, options: KeyStoreOptions = {}): KeyStore {
  const now = options.now ?? (() => new Date());
  return {
    async saveKey(id, keyPair, meta = {}) {
      checkId(id);
      if (!keyPair?.privateKey || !keyPair.publicKey) {
        throw new OnlineUpdateError("BAD_KEY", "保存的密钥对必须同时包含公钥和私钥");
      }
      const record: StoredKey = {
        id,
        keyPair: { privateKey: keyPair.privateKey, publicKey: keyPair.publicKey },
        spkiFingerprint: await publicKeyFingerprint(keyPair.publicKey),
        createdAt: now().toISOString(),
        meta: { ...meta },
      };
      await backend.put(record);
      return record;
    },
    async loadKey(id) {
      return (await backend.get(checkId(id))) ?? null;
    },
    async findKeyBySpkiFingerprint(fingerprint) {
      const found = await backend.getByFingerprint(checkFingerprint(fingerprint));
      return found.sort(newestFirst)[0] ?? null;
    },
    async listKeys() {
      return (await backend.getAll()).sort(newestFirst);
    },
    async deleteKey(id) {
      await backend.delete(checkId(id));
    },
  };
}

/** The stored key whose public key is the one in this certificate PEM (its first certificate), or null. */
export async function findKeyForCertificate(
  store: KeyStore,
  certificatePem: string,
): Promise<StoredKey | null> {
  return store.findKeyBySpkiFingerprint(await publicKeyFingerprint(spkiOfCertificatePem(certificatePem)));
}

/** Copies a record the way structured clone would (keys stay the same objects: they are opaque). */
function copyRecord(r: StoredKey): StoredKey {
  return { ...r, keyPair: { ...r.keyPair }, meta: { ...r.meta } };
}

/** A KeyStore in memory, for tests and for browsers without IndexedDB (keys then last one page view). */
export function createMemoryKeyStore(options: KeyStoreOptions = {}): KeyStore {
  const records = new Map<string, StoredKey>();
  return createKeyStore(
    {
      async put(record) {
        records.set(record.id, copyRecord(record));
      },
      async get(id) {
        const r = records.get(id);
        return r && copyRecord(r);
      },
      async getByFingerprint(fingerprint) {
        return [...records.values()].filter((r) => r.spkiFingerprint === fingerprint).map(copyRecord);
      },
      async getAll() {
        return [...records.values()].map(copyRecord);
      },
      async delete(id) {
        records.delete(id);
      },
    },
    options,
  );
}

function storeError(action: string, cause: DOMException | null | undefined): OnlineUpdateError {
  if (cause?.name === "QuotaExceededError") {
    return new OnlineUpdateError("KEY_STORE", `${action}失败：浏览器存储空间不足，请清理空间后重试`);
  }
  const why = cause ? `（${cause.name}）` : "";
  return new OnlineUpdateError("KEY_STORE", `${action}失败：浏览器密钥库（IndexedDB）出错${why}`);
}

function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(KEY_DB_NAME, KEY_DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(KEY_STORE_NAME)) {
        const store = db.createObjectStore(KEY_STORE_NAME, { keyPath: "id" });
        store.createIndex(FINGERPRINT_INDEX, "spkiFingerprint", { unique: false });
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      // A newer version of the page upgrading the database must not be blocked by this tab.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(storeError("打开浏览器密钥库", request.error));
    request.onblocked = () =>
      reject(
        new OnlineUpdateError("KEY_STORE", "浏览器密钥库正被本站的其他标签页占用：请关闭其他标签页后重试"),
      );
  });
}

/**
 * The KeyStore in IndexedDB (database "certhall-keys", object store "keys", keyPath "id", index on
 * spkiFingerprint). Writes resolve when their transaction has committed.
 */
export function createIndexedDbKeyStore(
  factory: IDBFactory | undefined = globalThis.indexedDB,
  options: KeyStoreOptions = {},
): KeyStore {
  if (!factory) {
    throw new OnlineUpdateError(
      "KEY_STORE",
      "浏览器不支持 IndexedDB，无法在本机保存私钥（无痕模式可能禁用了它）",
    );
  }
  let db: Promise<IDBDatabase> | null = null;
  const database = (): Promise<IDBDatabase> => {
    db ??= openDatabase(factory).catch((err: unknown) => {
      db = null;
      throw err;
    });
    return db;
  };

  async function run<T>(
    action: string,
    mode: IDBTransactionMode,
    request: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> {
    const conn = await database();
    return new Promise<T>((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = conn.transaction(KEY_STORE_NAME, mode);
      } catch (err) {
        // The connection was closed (another tab upgraded the database): open again next time.
        db = null;
        reject(storeError(action, err instanceof DOMException ? err : null));
        return;
      }
      let req: IDBRequest<T>;
      try {
        req = request(tx.objectStore(KEY_STORE_NAME));
      } catch (err) {
        // e.g. DataCloneError for a value IndexedDB cannot store.
        tx.abort();
        reject(storeError(action, err instanceof DOMException ? err : null));
        return;
      }
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(storeError(action, tx.error ?? req.error));
      tx.onabort = () => reject(storeError(action, tx.error ?? req.error));
    });
  }

  return createKeyStore(
    {
      async put(record) {
        await run("保存密钥", "readwrite", (s) => s.put(record));
      },
      async get(id) {
        return (await run("读取密钥", "readonly", (s) => s.get(id))) as StoredKey | undefined;
      },
      async getByFingerprint(fingerprint) {
        return (await run("查找密钥", "readonly", (s) =>
          s.index(FINGERPRINT_INDEX).getAll(fingerprint),
        )) as StoredKey[];
      },
      async getAll() {
        return (await run("列出密钥", "readonly", (s) => s.getAll())) as StoredKey[];
      },
      async delete(id) {
        await run("删除密钥", "readwrite", (s) => s.delete(id));
      },
    },
    options,
  );
}

/**
 * Asks the browser not to evict this site's storage under pressure (a lost key means the renewed
 * certificate cannot be used). Resolves true when storage is, or became, persistent.
 */
export async function requestPersistentKeyStorage(): Promise<boolean> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persist) return false;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return false;
  }
}
