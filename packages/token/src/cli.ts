import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { certificatesFromPem, readCertificates, writeCertificate } from "./certificates";
import { buildCsr, parseSubjectHint, type SubjectHint } from "./csr";
import { enroll } from "./enroll";
import { TokenError } from "./errors";
import { findKey, generateKeyPair, KEY_ALGORITHMS, type KeyAlgorithm, listKeys } from "./keys";
import { renewOnToken } from "./renew";
import { changeUserPin, openToken, resetUserPin, type TokenSession, type TokenTarget } from "./token";
import { checkNewPin, unlockToken } from "./unlock";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Secrets may come from the environment instead of the command line, where `ps` shows them. */
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

const USAGE = `用法 / usage: certhall token <命令> [选项]

命令:
  keygen       在介质中生成密钥对      --label L [--alg ecdsa-p256|rsa-2048] [--id HEX]
  csr          用介质中的密钥生成证书请求 --label L [--subject-json JSON|@file] [--out req.pem]
  import-cert  把证书写入介质          --label L --cert cert.pem [--replace]
  list         列出介质中的密钥和证书
  enroll       生成密钥、申请并写入证书 --url URL --service-token T --profile P --subject-json JSON|@file
                                      [--label L] [--alg ...] [--chain-out chain.pem]
  renew        证书在线更新：用订单页的一次性码更新介质中的证书
                                      --url URL --code CODE --label L [--chain-out chain.pem]
                                      [--rekey [--new-label L2] [--alg ecdsa-p256|rsa-2048]]
               默认保留原密钥并替换其证书；--rekey 在介质中生成新密钥（标签默认 L-yyyymmdd）
  unlock       解锁：用订单页的一次性码重置用户 PIN --url URL --code CODE --new-pin N
               新 PIN 码 4–16 位；平台按介质序列号核对后才会办理
  reset-pin    用管理员 PIN 重置用户 PIN（解锁） --so-pin S --new-pin N
  change-pin   修改用户 PIN            --new-pin N

公共选项:
  --module M   PKCS#11 驱动库路径（或环境变量 CERTHALL_PKCS11_MODULE）
  --token L    介质标签；或 --slot N 槽位号
  --pin P      用户 PIN（或环境变量 CERTHALL_TOKEN_PIN）
  --json       以 JSON 输出结果
环境变量 CERTHALL_SERVICE_TOKEN 可代替 --service-token。`;

const OPTIONS = {
  module: { type: "string" },
  token: { type: "string" },
  slot: { type: "string" },
  pin: { type: "string" },
  label: { type: "string" },
  alg: { type: "string" },
  id: { type: "string" },
  out: { type: "string" },
  cert: { type: "string" },
  replace: { type: "boolean" },
  "subject-json": { type: "string" },
  url: { type: "string" },
  "service-token": { type: "string" },
  profile: { type: "string" },
  "chain-out": { type: "string" },
  code: { type: "string" },
  rekey: { type: "boolean" },
  "new-label": { type: "string" },
  "so-pin": { type: "string" },
  "new-pin": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

function required(values: Values, name: keyof Values, envName?: string, env?: CliIo["env"]): string {
  const value = values[name] ?? (envName ? env?.[envName] : undefined);
  if (typeof value !== "string" || value === "") {
    throw new UsageError(`缺少参数 --${name}${envName ? `（或环境变量 ${envName}）` : ""}`);
  }
  return value;
}

function target(values: Values, env: CliIo["env"]): TokenTarget {
  const modulePath = required(values, "module", "CERTHALL_PKCS11_MODULE", env);
  if (values.slot !== undefined && !/^\d+$/.test(values.slot)) throw new UsageError("--slot 须为数字");
  if (values.slot === undefined && values.token === undefined)
    throw new UsageError("请用 --token 或 --slot 指定介质");
  return {
    modulePath,
    tokenLabel: values.token,
    slot: values.slot === undefined ? undefined : BigInt(values.slot),
  };
}

function algorithm(values: Values): KeyAlgorithm {
  const alg = values.alg ?? "ecdsa-p256";
  if (!(KEY_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new UsageError(`--alg 只能是 ${KEY_ALGORITHMS.join(" 或 ")}`);
  }
  return alg as KeyAlgorithm;
}

function subject(values: Values, fallbackCommonName?: string): SubjectHint {
  const raw = values["subject-json"];
  if (raw === undefined) {
    if (fallbackCommonName === undefined) throw new UsageError("缺少参数 --subject-json");
    return parseSubjectHint({ commonName: fallbackCommonName });
  }
  const text = raw.startsWith("@") ? readFileSync(raw.slice(1), "utf8") : raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError("--subject-json 不是有效的 JSON");
  }
  return parseSubjectHint(parsed);
}

async function withSession<T>(
  values: Values,
  env: CliIo["env"],
  work: (session: TokenSession) => Promise<T> | T,
): Promise<T> {
  const session = openToken({
    ...target(values, env),
    pin: required(values, "pin", "CERTHALL_TOKEN_PIN", env),
  });
  try {
    return await work(session);
  } finally {
    session.close();
  }
}

const hex = (b: Buffer) => b.toString("hex");
const shanghai = (d: Date) => d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });

async function run(command: string, values: Values, io: CliIo): Promise<void> {
  const print = (json: unknown, text: string) =>
    io.stdout(values.json ? JSON.stringify(json, null, 2) : text);
  switch (command) {
    case "keygen": {
      const label = required(values, "label");
      const alg = algorithm(values);
      const key = await withSession(values, io.env, (s) =>
        generateKeyPair(s, { label, algorithm: alg, id: values.id }),
      );
      print(
        { label: key.label, id: hex(key.id), algorithm: key.algorithm },
        `已在介质中生成密钥对：标签 ${key.label}，算法 ${key.algorithm}，ID ${hex(key.id)}`,
      );
      return;
    }
    case "csr": {
      const label = required(values, "label");
      const hint = subject(values, label);
      const csr = await withSession(values, io.env, (s) => buildCsr(s, findKey(s, { label }), hint));
      if (values.out && values.out !== "-") {
        writeFileSync(values.out, csr.pem);
        print({ out: values.out, csrPem: csr.pem }, `证书请求已写入 ${values.out}`);
      } else {
        print({ csrPem: csr.pem }, csr.pem.trimEnd());
      }
      return;
    }
    case "import-cert": {
      const label = required(values, "label");
      const [der] = certificatesFromPem(readFileSync(required(values, "cert")));
      if (!der) throw new TokenError("BAD_CERTIFICATE", "文件中没有 PEM 格式的证书");
      const cert = await withSession(values, io.env, (s) =>
        writeCertificate(s, der, { label, id: findKey(s, { label }).id, replace: values.replace }),
      );
      print(
        { label: cert.label, id: hex(cert.id), serialHex: cert.serialHex, subject: cert.subject },
        `证书已写入介质：序列号 ${cert.serialHex}，有效期至 ${shanghai(cert.notAfter)}`,
      );
      return;
    }
    case "list": {
      const { keys, certs } = await withSession(values, io.env, (s) => ({
        keys: listKeys(s),
        certs: readCertificates(s),
      }));
      const json = {
        keys: keys.map((k) => ({ label: k.label, id: hex(k.id), algorithm: k.algorithm })),
        certificates: certs.map((c) => ({
          label: c.label,
          id: hex(c.id),
          serialHex: c.serialHex,
          subject: c.subject,
          issuer: c.issuer,
          notBefore: c.notBefore.toISOString(),
          notAfter: c.notAfter.toISOString(),
          certificatePem: c.pem,
        })),
      };
      const lines = [`密钥（${keys.length}）：`];
      for (const k of json.keys) lines.push(`  ${k.label}  ${k.algorithm}  ID ${k.id}`);
      lines.push(`证书（${certs.length}）：`);
      for (const c of certs) {
        lines.push(`  ${c.label}  序列号 ${c.serialHex}  有效期至 ${shanghai(c.notAfter)}  ID ${hex(c.id)}`);
        lines.push(`    ${c.subject.replace(/\n/g, ", ")}`);
      }
      print(json, lines.join("\n"));
      return;
    }
    case "enroll": {
      const url = required(values, "url");
      const serviceToken = required(values, "service-token", "CERTHALL_SERVICE_TOKEN", io.env);
      const profile = required(values, "profile");
      const hint = subject(values);
      const alg = algorithm(values);
      const result = await withSession(values, io.env, (s) =>
        enroll(s, {
          url,
          serviceToken,
          profile,
          subject: hint,
          label: values.label,
          algorithm: alg,
          fetch: io.fetch,
        }),
      );
      const label = result.certificate.label;
      if (values["chain-out"]) writeFileSync(values["chain-out"], result.chainPem);
      print(
        {
          label,
          id: hex(result.key.id),
          algorithm: result.key.algorithm,
          serialHex: result.serialHex,
          notAfter: result.certificate.notAfter.toISOString(),
          certificatePem: result.certificate.pem,
        },
        `证书已签发并写入介质：标签 ${label}，序列号 ${result.serialHex}，有效期至 ${shanghai(result.certificate.notAfter)}`,
      );
      return;
    }
    case "renew": {
      const url = required(values, "url");
      const code = required(values, "code");
      const label = required(values, "label");
      if (!values.rekey && (values["new-label"] !== undefined || values.alg !== undefined)) {
        throw new UsageError("--new-label 和 --alg 只能与 --rekey 一起使用");
      }
      const alg = values.alg === undefined ? undefined : algorithm(values);
      const result = await withSession(values, io.env, (s) =>
        renewOnToken(s, {
          url,
          code,
          label,
          rekey: values.rekey,
          newLabel: values["new-label"],
          algorithm: alg,
          fetch: io.fetch,
        }),
      );
      const chainOut = values["chain-out"];
      if (chainOut) writeFileSync(chainOut, result.chainPem);
      const lines = [
        `证书已更新并写入介质：标签 ${result.certificate.label}，序列号 ${result.serialHex}，有效期至 ${shanghai(result.notAfter)}（北京时间）`,
        result.rekeyed
          ? `已更换密钥：新密钥 ${result.key.label}（${result.key.algorithm}），原密钥 ${label} 保留在介质中`
          : `保留原密钥 ${label}${result.previous ? `，原证书（序列号 ${result.previous.serialHex}）已被替换` : ""}`,
      ];
      if (chainOut) lines.push(`证书链已写入 ${chainOut}`);
      print(
        {
          label: result.certificate.label,
          id: hex(result.key.id),
          algorithm: result.key.algorithm,
          rekeyed: result.rekeyed,
          serialHex: result.serialHex,
          notAfter: result.notAfter.toISOString(),
          certificatePem: result.certificate.pem,
          ...(chainOut ? { chainOut } : {}),
        },
        lines.join("\n"),
      );
      return;
    }
    case "unlock": {
      const url = required(values, "url");
      const code = required(values, "code");
      const newPin = required(values, "new-pin");
      // Checked before the token or the network is touched.
      checkNewPin(newPin);
      const { tokenSerial } = await unlockToken(target(values, io.env), {
        url,
        code,
        newPin,
        fetch: io.fetch,
      });
      print(
        { ok: true, tokenSerial },
        `介质（序列号 ${tokenSerial}）已解锁，用户 PIN 已设为新 PIN 码，请尽快用 change-pin 改为只有自己知道的 PIN`,
      );
      return;
    }
    case "reset-pin": {
      resetUserPin(target(values, io.env), required(values, "so-pin"), required(values, "new-pin"));
      print({ ok: true }, "用户 PIN 已重置，请尽快修改为自己的 PIN");
      return;
    }
    case "change-pin": {
      const pin = required(values, "pin", "CERTHALL_TOKEN_PIN", io.env);
      const newPin = required(values, "new-pin");
      await withSession(values, io.env, (s) => changeUserPin(s, pin, newPin));
      print({ ok: true }, "用户 PIN 已修改");
      return;
    }
    default:
      throw new UsageError(`未知命令：${command}`);
  }
}

/**
 * Runs `certhall token <command> …`; returns the exit code (0 ok, 1 failed, 2 wrong usage) and
 * never calls process.exit, so the server's CLI can mount it and tests can run it in-process.
 */
export async function runTokenCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: io.stdout ?? ((text) => process.stdout.write(`${text}\n`)),
    stderr: io.stderr ?? ((text) => process.stderr.write(`${text}\n`)),
    env: io.env ?? process.env,
    fetch: io.fetch,
  };
  const args = argv[0] === "token" ? argv.slice(1) : argv;
  try {
    const { values, positionals } = parseArgs({
      args,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const [command, ...extra] = positionals;
    if (values.help || command === "help") {
      full.stdout(USAGE);
      return 0;
    }
    if (command === undefined) {
      full.stderr(USAGE);
      return 2;
    }
    if (extra.length > 0) throw new UsageError(`多余的参数：${extra.join(" ")}`);
    await run(command, values, full);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      full.stderr(`参数错误：${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof TokenError) {
      full.stderr(`错误：${error.message}（${error.code}）`);
      return 1;
    }
    full.stderr(`错误：${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await runTokenCli(process.argv.slice(2));
}
