// `certhall ca …`: the operator's tool for the embedded CA (issue 4 item 7). It works on the same
// database and master key as the server, so what it issues and revokes is served at /pki at once
// (a running server picks up CRLs from the database within seconds).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { PLACEHOLDER_POLICY_OID } from "@certhall/pki";
import type { Config } from "../config";
import type { DbHandle } from "../db/database";
import { AppError } from "../errors";
import { createCaService } from "../modules/pki/ca.service";
import { CEREMONY_HELP, runCeremonyCli } from "./ceremony";

export const CA_HELP = `  certhall ca init [--import-cert F --import-key F [--import-chain F]]
                                           import an issuing CA; without import (development only) run
                                           the embedded ceremony (root key file beside the data)
  certhall ca info                         CAs, certificate counts and the public URLs
  certhall ca export --out DIR             CA certificates (PEM), chain.pem and the current CRLs (no keys)
  certhall ca issue --csr FILE --profile NAME --subject-json JSON --out FILE [--years N] [--chain-out FILE]
  certhall ca revoke --serial HEX --reason NAME [--invalidity-date ISO]
                                           NAME removeFromCRL releases a certificateHold; keyCompromise
                                           may replace an earlier reason (the key is then blocked)
  certhall ca crl [--ca SLUG] [--out FILE] publish a new CRL now (DER to FILE)
${CEREMONY_HELP}`;

const read = (file: string, what: string): string => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new AppError("VALIDATION_FAILED", `无法读取${what}文件：${file}`);
  }
};

export async function runCaCli(
  sub: string | undefined,
  args: string[],
  ctx: { config: Config; database: DbHandle; out: (s: string) => void },
): Promise<number> {
  if (sub === "ceremony") return runCeremonyCli(args, ctx);
  const { config, database, out } = ctx;
  const ca = createCaService({ db: database.db, clock: () => new Date(), config });
  const actor = { type: "system" as const, id: "cli" };
  const { values: v } = parseArgs({
    args,
    options: {
      "import-cert": { type: "string" },
      "import-key": { type: "string" },
      "import-chain": { type: "string" },
      out: { type: "string" },
      csr: { type: "string" },
      profile: { type: "string" },
      "subject-json": { type: "string" },
      years: { type: "string" },
      "chain-out": { type: "string" },
      serial: { type: "string" },
      reason: { type: "string" },
      "invalidity-date": { type: "string" },
      ca: { type: "string" },
    },
  });

  if (sub === "init") {
    const { created, issuing } = await ca.init(actor, {
      importCertPem: v["import-cert"] ? read(v["import-cert"], "CA 证书") : undefined,
      importKeyPem: v["import-key"] ? read(v["import-key"], "CA 私钥") : undefined,
      importChainPem: v["import-chain"] ? read(v["import-chain"], "上级证书链") : undefined,
    });
    out(
      created
        ? `已${v["import-cert"] ? "导入" : "创建"} CA：${issuing.subject}`
        : `CA 已存在：${issuing.subject}`,
    );
    for (const c of ca.chainOf(issuing)) out(`  ${c.slug.padEnd(22)} ${c.subject}`);
    return 0;
  }

  await ca.loadAll();
  if (sub === "info") {
    const stats = await ca.stats();
    for (const c of ca.list()) {
      out(`${c.slug}  [${c.role}${c.signer ? "" : "，私钥不在本系统"}]  ${c.algorithm}`);
      out(`  主体      ${c.subject}`);
      out(`  有效期    ${c.notBefore.toISOString()} — ${c.notAfter.toISOString()}`);
      out(`  证书      ${config.ca.pkiBaseUrl}/pki/ca/${c.slug}.crt`);
      out(
        `  CRL       ${config.ca.pkiBaseUrl}/pki/crl/${c.slug}.crl${c.role === "root" ? "（ARL，由根 CA 仪式签发）" : ""}`,
      );
      for (const s of stats.filter((x) => x.ca === c.slug))
        out(`  ${s.status === "good" ? "有效" : "已吊销"}证书  ${s.count}`);
    }
    if (ca.list().length === 0) {
      out("尚未初始化 CA：运行 certhall ca init");
      return 1;
    }
    out(`OCSP      ${config.ca.pkiBaseUrl}/pki/ocsp`);
    const placeholder = config.ca.policy.oid === PLACEHOLDER_POLICY_OID;
    out(
      `证书策略  ${config.ca.policy.oid}${placeholder ? "（RFC 7229 测试策略，仅为占位：请用 PKI_POLICY_OID 设置本 CA 的策略 OID）" : ""}`,
    );
    if (config.ca.policy.cpsUrl) out(`CPS       ${config.ca.policy.cpsUrl}`);
    return 0;
  }

  if (sub === "export") {
    if (!v.out) throw new AppError("VALIDATION_FAILED", "ca export 需要 --out DIR");
    mkdirSync(v.out, { recursive: true });
    const issuing = ca.issuing();
    for (const c of ca.list()) {
      writeFileSync(path.join(v.out, `${c.slug}.crt`), c.certPem);
      const crl = await ca.currentCrl(c.slug).catch(() => null);
      if (crl) writeFileSync(path.join(v.out, `${c.slug}.crl`), crl.der);
    }
    writeFileSync(
      path.join(v.out, "chain.pem"),
      ca
        .chainOf(issuing)
        .map((c) => c.certPem)
        .join(""),
    );
    out(`已导出 ${ca.list().length} 个 CA 证书、chain.pem 与 CRL 到 ${v.out}（不含私钥）`);
    return 0;
  }

  if (sub === "issue") {
    if (!v.csr || !v.profile || !v.out) {
      throw new AppError("VALIDATION_FAILED", "ca issue 需要 --csr FILE --profile NAME --out FILE");
    }
    let subject: Record<string, unknown>;
    try {
      subject = JSON.parse(v["subject-json"] ?? "{}");
    } catch {
      throw new AppError("VALIDATION_FAILED", "--subject-json 不是有效的 JSON", { field: "subject" });
    }
    if (typeof subject !== "object" || subject === null || Array.isArray(subject)) {
      throw new AppError("VALIDATION_FAILED", "--subject-json 须为 JSON 对象", { field: "subject" });
    }
    const result = await ca.issue(actor, {
      csrPem: read(v.csr, "证书请求"),
      profile: v.profile,
      subject,
      years: v.years ? Number(v.years) : undefined,
    });
    writeFileSync(v.out, result.certificatePem);
    if (v["chain-out"]) writeFileSync(v["chain-out"], result.chainPem);
    out(`已签发：序列号 ${result.serialHex}`);
    out(`  主体    ${result.subject}`);
    out(`  有效期  ${result.notBefore} — ${result.notAfter}`);
    out(`  文件    ${v.out}`);
    return 0;
  }

  if (sub === "revoke") {
    if (!v.serial) throw new AppError("VALIDATION_FAILED", "ca revoke 需要 --serial HEX --reason NAME");
    const invalidity = v["invalidity-date"] ? new Date(v["invalidity-date"]) : undefined;
    if (invalidity && Number.isNaN(invalidity.getTime())) {
      throw new AppError("VALIDATION_FAILED", "--invalidity-date 不是有效的时间（ISO 8601）");
    }
    const rec = await ca.revoke(actor, {
      serialHex: v.serial,
      reason: v.reason ?? "unspecified",
      invalidityDate: invalidity,
    });
    // The CRL is re-signed in the background after a revocation; this process ends here, so at once.
    await ca.flushCrls();
    out(`已吊销：序列号 ${rec.serialHex}，原因 ${rec.reason}，时间 ${rec.revokedAt}；CRL 与 OCSP 已更新`);
    return 0;
  }

  if (sub === "crl") {
    const slug = v.ca ?? ca.issuing().slug;
    const crl = await ca.generateCrl(slug, actor);
    if (v.out) writeFileSync(v.out, crl.der);
    out(
      `已发布 ${slug} 的 CRL：编号 ${crl.number}，${crl.entries} 条吊销记录，下次更新 ${crl.nextUpdate.toISOString()}${v.out ? `，已写入 ${v.out}` : ""}`,
    );
    return 0;
  }

  out(CA_HELP);
  return 2;
}
