// `certhall ca ceremony …`: the root key ceremony (DESIGN §9). Run it where the root key file is (an
// offline machine or a removable medium mounted for the ceremony), never on the serving hosts.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Config } from "../config";
import type { DbHandle } from "../db/database";
import { AppError } from "../errors";
import { createCaService } from "../modules/pki/ca.service";
import { createCeremony, rootKeyAccess } from "../modules/pki/ceremony";

export const CEREMONY_HELP = `  certhall ca ceremony init [--root-key F] [--passphrase-file F]
                                           new root key in a sealed file (scrypt + AES-256-GCM) and its ARL
  certhall ca ceremony sign-issuing        the root certifies a new issuing CA (key sealed, or CA_SIGNER=pkcs11)
  certhall ca ceremony revoke-issuing --serial HEX [--reason NAME]
                                           revoke an issuing CA certificate and sign the new ARL
  certhall ca ceremony sign-arl [--out F]  re-sign the root's CRL (ARL, CA_ARL_DAYS, at most 365 days)
  certhall ca ceremony export-root         move a root key still in the database into the sealed file
                                           (every ceremony command takes --root-key and --passphrase-file;
                                           defaults CA_ROOT_KEY_FILE and CA_ROOT_PASSPHRASE_FILE)`;

export async function runCeremonyCli(
  args: string[],
  ctx: { config: Config; database: DbHandle; out: (s: string) => void },
): Promise<number> {
  const { config, database, out } = ctx;
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "root-key": { type: "string" },
      "passphrase-file": { type: "string" },
      serial: { type: "string" },
      reason: { type: "string" },
      out: { type: "string" },
    },
  });
  const step = positionals[0];
  const ca = createCaService({ db: database.db, clock: () => new Date(), config, warn: out });
  const actor = { type: "system" as const, id: "ceremony" };
  const ceremony = createCeremony(ca, { db: database.db, clock: () => new Date(), config });
  const access = () =>
    rootKeyAccess(config, { rootKeyFile: v["root-key"], passphraseFile: v["passphrase-file"] });
  const arlLine = (c: { ca: string; number: number; entries: number; nextUpdate: Date }) =>
    `ARL ${c.ca}：编号 ${c.number}，${c.entries} 条吊销记录，下次更新 ${c.nextUpdate.toISOString()}（请在此前再次运行 sign-arl）`;
  try {
    if (step === "init") {
      const a = access();
      const root = await ceremony.init(a, actor);
      out(`已创建根 CA：${root.slug}  ${root.subject}`);
      out(`  根密钥文件  ${a.rootKeyFile}（口令保护；请离线保管，不要放在服务器上）`);
      return 0;
    }
    if (step === "sign-issuing") {
      const issuing = await ceremony.signIssuing(access(), actor);
      out(
        `已签发签发 CA：${issuing.slug}  ${issuing.subject}（${config.ca.signer.kind === "pkcs11" ? "密钥在 PKCS#11 介质中" : "密钥以 CA_MASTER_KEY 密封"}）`,
      );
      return 0;
    }
    if (step === "revoke-issuing") {
      if (!v.serial)
        throw new AppError("VALIDATION_FAILED", "revoke-issuing 需要 --serial HEX", { field: "serial" });
      const crl = await ceremony.revokeIssuing(
        access(),
        { serialHex: v.serial, reason: v.reason ?? "cessationOfOperation" },
        actor,
      );
      out(`已吊销签发 CA ${v.serial}；${arlLine(crl)}`);
      return 0;
    }
    if (step === "sign-arl") {
      const crl = await ceremony.signArl(access(), actor);
      if (v.out) writeFileSync(v.out, crl.der);
      out(arlLine(crl));
      return 0;
    }
    if (step === "export-root") {
      const a = access();
      const moved = await ceremony.exportRootFromDb(a, actor);
      out(
        moved.length
          ? `已把根 CA 私钥（${moved.join("、")}）移到 ${a.rootKeyFile}，数据库中已删除`
          : "数据库中没有根 CA 私钥",
      );
      return 0;
    }
    out(CEREMONY_HELP);
    return 2;
  } finally {
    ca.close();
  }
}
