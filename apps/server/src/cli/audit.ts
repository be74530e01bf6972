// `certhall audit …`: verify the keyed audit chain against its newest anchor, or write an anchor now.
import type { Config } from "../config";
import type { DbHandle } from "../db/database";
import { verifyAuditWithAnchor, writeAuditAnchor } from "../modules/audit/audit.anchor";
import { createCaService } from "../modules/pki/ca.service";

export const AUDIT_HELP = `  certhall audit verify                    verify the audit chain (AUDIT_KEY) and its newest anchor;
                                           exit 1 naming an altered entry, a rewritten history or a cut tail
  certhall audit anchor                    check the entries since the last anchor and sign a new one
                                           (the issuing CA's key) into AUDIT_ANCHOR_DIR`;

export async function runAuditCli(
  sub: "verify" | "anchor",
  ctx: { config: Config; database: DbHandle; out: (s: string) => void },
): Promise<number> {
  const { config, database, out } = ctx;
  const ca = createCaService({ db: database.db, clock: () => new Date(), config });
  await ca.loadAll();
  const deps = { db: database.db, ca, clock: () => new Date(), dir: config.audit.anchorDir };
  if (sub === "anchor") {
    const o = await writeAuditAnchor(deps);
    if (o.written) {
      out(`已写入锚点：第 ${o.written.seq} 条，${o.file}`);
      return 0;
    }
    if (o.reason === "unchanged") {
      out("自上一个锚点以来没有新记录，未写入新锚点");
      return 0;
    }
    out(`审计链异常，未写入锚点：${o.result.firstBad?.problem}`);
    return 1;
  }
  const started = performance.now();
  const r = await verifyAuditWithAnchor(deps);
  const seconds = (performance.now() - started) / 1000;
  const took = `用时 ${seconds.toFixed(1)} 秒，每秒 ${Math.round(r.checked / Math.max(seconds, 0.001))} 条`;
  const against = r.anchor
    ? `，与 ${r.anchor.at} 的锚点（第 ${r.anchor.seq} 条，${r.anchor.file}）相符`
    : `；尚无锚点（${config.audit.anchorDir}），截断链尾无法发现：请运行 certhall audit anchor`;
  if (r.ok) {
    out(`审计链完整：共校验 ${r.checked} 条（${took}）${against}`);
    return 0;
  }
  out(`审计链异常（${r.firstBad?.kind}）：${r.firstBad?.problem}（已校验 ${r.checked} 条完好）`);
  return 1;
}
