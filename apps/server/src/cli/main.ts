import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { maskPhone, validateIdCard, validateMobile } from "@certhall/domain";
import { ConfigError, loadConfig } from "../config";
import type { StaffRole } from "../db/tables";
import { AppError } from "../errors";
import { STAFF_ROLES } from "../modules/auth/policy";
import { listOutbox } from "../modules/sms/sms.outbox";
import { createStaffService } from "../modules/staff/staff.service";
import { openPreparedDatabase } from "../runtime";
import { AUDIT_HELP, runAuditCli } from "./audit";
import { CA_HELP, runCaCli } from "./ca";

const HELP = `certhall — operator's command line

  certhall migrate                         create or upgrade the database schema (and reference data)
  certhall staff create --username U --name N --role R [--password P] [--phone M] [--id-number ID]
                                           create a staff account (roles: ${STAFF_ROLES.join(", ")});
                                           without --password one is generated and printed once;
                                           --phone/--id-number: the person's own (not on own orders)
  certhall staff list                      list staff accounts
  certhall staff disable|enable --username U
${AUDIT_HELP}
  certhall sms outbox [--limit N]          show the newest SMS messages (dev provider)
${CA_HELP}
  certhall token <command> …               PKCS#11 token client (keygen, csr, enroll, …): certhall token help

Configuration comes from the same environment variables as the server (DATA_DIR, DATABASE_URL, …).`;

function generatePassword(): string {
  // Four classes guaranteed, 18 characters of entropy from base64url.
  return `Ch-${randomBytes(12).toString("base64url")}9a`;
}

export async function runCli(
  argv: string[],
  out: (s: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
    out(HELP);
    return 0;
  }
  // The token client talks to a PKCS#11 module and the platform over HTTP: no database needed.
  if (cmd === "token") {
    const { runTokenCli } = await import("@certhall/token");
    return runTokenCli([sub ?? "help", ...rest], { stdout: out });
  }
  const config = loadConfig({ ...env, SEED_DEMO: env.SEED_DEMO ?? "false" });
  const database = await openPreparedDatabase(config);
  const { db } = database;
  const clock = () => new Date();
  try {
    if (cmd === "migrate") {
      out(`数据库已是最新结构 (${database.kind})`);
      return 0;
    }
    if (cmd === "staff") {
      const staff = createStaffService({ db, clock });
      const args = parseArgs({
        args: rest,
        options: {
          username: { type: "string" },
          name: { type: "string" },
          role: { type: "string" },
          password: { type: "string" },
          phone: { type: "string" },
          "id-number": { type: "string" },
        },
      }).values;
      if (sub === "create") {
        if (!args.username || !args.name || !args.role)
          throw new Error("staff create needs --username, --name and --role");
        if (!STAFF_ROLES.includes(args.role as StaffRole))
          throw new Error(`--role must be one of ${STAFF_ROLES.join(", ")}`);
        for (const [flag, value, check] of [
          ["--phone", args.phone, validateMobile],
          ["--id-number", args["id-number"], validateIdCard],
        ] as const) {
          const r = value === undefined ? null : check(value);
          if (r && !r.ok) throw new Error(`${flag}: ${r.reason}`);
        }
        const password = args.password ?? generatePassword();
        const s = await staff.create(
          { type: "system", id: null },
          {
            username: args.username,
            name: args.name,
            role: args.role as StaffRole,
            password,
            phone: args.phone?.trim(),
            idNumber: args["id-number"]?.trim(),
          },
        );
        out(`已创建人员 ${s.username} (${s.role})，首次登录须修改密码`);
        if (!args.password) out(`初始密码: ${password}`);
        return 0;
      }
      if (sub === "list") {
        for (const s of await staff.list()) {
          out(`${s.username.padEnd(16)} ${s.role.padEnd(9)} ${s.disabled ? "停用" : "启用"}  ${s.name}`);
        }
        return 0;
      }
      if (sub === "disable" || sub === "enable") {
        if (!args.username) throw new Error(`staff ${sub} needs --username`);
        const s = await staff.byUsername(args.username);
        if (!s) throw new Error(`no staff named ${args.username}`);
        await staff.setDisabled({ type: "system", id: null }, s.id, sub === "disable", {
          ip: null,
          userAgent: null,
        });
        out(`${s.username} 已${sub === "disable" ? "停用" : "启用"}`);
        return 0;
      }
    }
    if (cmd === "audit" && (sub === "verify" || sub === "anchor"))
      return await runAuditCli(sub, { config, database, out });
    if (cmd === "ca") return await runCaCli(sub, rest, { config, database, out });
    if (cmd === "sms" && sub === "outbox") {
      const { values } = parseArgs({ args: rest, options: { limit: { type: "string" } } });
      const rows = await listOutbox(db, Number(values.limit ?? 20));
      // The operator sees full texts (they hold the codes in development) but masked numbers.
      for (const m of rows) out(`${m.created_at}  ${maskPhone(m.phone)}  [${m.status}]  ${m.text}`);
      return 0;
    }
    out(HELP);
    return 2;
  } finally {
    await database.close();
  }
}

const isMain = process.argv[1]?.endsWith("cli/main.ts");
if (isMain) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof AppError || err instanceof ConfigError) console.error(`错误：${err.message}`);
      else console.error(`错误：${(err as Error).message}`);
      process.exit(2);
    },
  );
}
