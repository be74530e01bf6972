// A thread of the audit verification's hash pool (audit.hash-pool.ts). Plain JavaScript so it runs
// under every loader (tsx, vitest, node). Mirrors hashMessage in audit.service.ts: version 1 is
// SHA-256, version 2 HMAC-SHA-256 under the audit key; any other version matches nothing.
import { createHash, createHmac } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";

const key = Buffer.from(workerData.key);
parentPort.on("message", ({ id, versions, messages, hashes }) => {
  let bad = -1;
  for (let i = 0; i < messages.length; i++) {
    const v = versions[i];
    const h =
      v === 2
        ? createHmac("sha256", key).update(messages[i]).digest("hex")
        : v === 1
          ? createHash("sha256").update(messages[i]).digest("hex")
          : null;
    if (h !== hashes[i]) {
      bad = i;
      break;
    }
  }
  parentPort.postMessage({ id, bad });
});
