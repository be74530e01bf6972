// Uploaded materials on disk, by content: DATA_DIR/materials/<first two hex>/<sha256>. The folders are
// 0700 and the files 0600 like the database and the keys; the same bytes uploaded twice are stored once.
// Files are never served by their hash: a download names an upload row, looked up within the caller's
// scope (material.service.ts), and the row names the hash.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { randomToken } from "../../lib/tokens";

const HASH = /^[0-9a-f]{64}$/;

export interface MaterialStore {
  put(sha256: string, data: Buffer): void;
  read(sha256: string): Buffer;
  remove(sha256: string): void;
  pathOf(sha256: string): string;
}

export function createMaterialStore(dataDir: string): MaterialStore {
  const root = path.join(dataDir, "materials");

  function pathOf(sha256: string): string {
    if (!HASH.test(sha256)) throw new Error("not a SHA-256 hex digest");
    return path.join(root, sha256.slice(0, 2), sha256);
  }

  function ensureDir(dir: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }

  return {
    pathOf,
    put(sha256, data) {
      const file = pathOf(sha256);
      if (existsSync(file)) return;
      ensureDir(root);
      ensureDir(path.dirname(file));
      // Written under a temporary name and renamed: a reader never sees half a file.
      const tmp = `${file}.${randomToken().slice(0, 12)}.tmp`;
      writeFileSync(tmp, data, { mode: 0o600, flag: "wx" });
      renameSync(tmp, file);
    },
    read(sha256) {
      return readFileSync(pathOf(sha256));
    },
    remove(sha256) {
      try {
        unlinkSync(pathOf(sha256));
      } catch {
        // Already gone.
      }
    },
  };
}
