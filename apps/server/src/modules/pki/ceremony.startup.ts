// Server start and the root key (DESIGN §9): a production server refuses a root key it can read;
// the embedded default (development, tests) runs the ceremony itself on first start.
import { accessSync, constants } from "node:fs";
import { AppError } from "../../errors";
import type { CaService, CaServiceDeps, LoadedCa } from "./ca.service";
import { type CaActor, createCeremony, rootKeyAccess } from "./ceremony";

const readable = (file: string): boolean => {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

const warnOf = (deps: CaServiceDeps) =>
  deps.warn ?? ((m: string) => (deps.config.logLevel === "silent" ? undefined : console.warn(m)));

/**
 * Server start, before anything is loaded: in production a root key the server can read is refused;
 * in development a root key left in the database by an older version is moved to the ceremony's file.
 */
export async function keepRootKeyOffline(ca: CaService, deps: CaServiceDeps): Promise<void> {
  const { db, config } = deps;
  const inDb = await db
    .selectFrom("pki_cas")
    .select("slug")
    .where("role", "=", "root")
    .where("key_sealed", "is not", null)
    .execute();
  if (config.env === "production") {
    if (inDb.length > 0) {
      throw new AppError(
        "INVALID_STATE",
        `数据库中存有根 CA 私钥（${inDb.map((r) => r.slug).join("、")}）：生产环境拒绝启动。请在维护环境运行 certhall ca ceremony export-root --root-key FILE 把它移到离线文件`,
      );
    }
    if (readable(config.ca.rootKeyFile)) {
      throw new AppError(
        "INVALID_STATE",
        `服务器能读取根 CA 私钥文件 ${config.ca.rootKeyFile}：生产环境拒绝启动。根密钥须离线保管，只供 certhall ca ceremony 使用`,
      );
    }
    return;
  }
  if (inDb.length === 0) return;
  const access = rootKeyAccess(config);
  await createCeremony(ca, deps).exportRootFromDb(access, { type: "system", id: null });
  warnOf(deps)(
    `警告：根 CA 私钥已从数据库移到 ${access.rootKeyFile}（开发模式）。生产环境请把它移到离线介质，用 certhall ca ceremony 操作。`,
  );
}

/** The embedded default's first start: the ceremony run by the server itself (development only). */
export async function ensureEmbeddedHierarchy(
  ca: CaService,
  deps: CaServiceDeps,
  actor: CaActor,
): Promise<LoadedCa> {
  const { config } = deps;
  if (config.env === "production") {
    throw new AppError(
      "UNAVAILABLE",
      `尚无 ${config.ca.algorithm} 签发 CA：生产环境请离线运行 certhall ca ceremony init 与 certhall ca ceremony sign-issuing`,
    );
  }
  const access = rootKeyAccess(config);
  const ceremony = createCeremony(ca, deps);
  // A new root, or the root of a key file left beside the data (e.g. a fresh database) published again.
  if (!(await ceremony.hasRoot(access))) await ceremony.init(access, actor);
  const issuing = await ceremony.signIssuing(access, actor);
  warnOf(deps)(
    `警告：开发模式自动完成了根 CA 仪式，根 CA 私钥写在 ${access.rootKeyFile}（口令在 ${config.ca.rootPassphraseFile}），不在数据库中。生产环境请在离线环境运行 certhall ca ceremony，并让服务器读不到根密钥。`,
  );
  return issuing;
}
