import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import path from "node:path";
import { z } from "zod";

/**
 * The one place that reads the environment. Every variable is described here; README's
 * configuration table is the same list. Nothing else in the server touches process.env.
 */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const envSchema = z.object({
  NODE_ENV: z
    .enum(["development", "production", "test"])
    .default("development")
    .describe("development: demo data, dev SMS outbox, generated secrets; production: real secrets required"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe("HTTP port for web and API"),
  HOST: z.string().default("127.0.0.1").describe("Interface to listen on (0.0.0.0 to accept remote clients)"),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe(
      "Public base URL (links in SMS and pages; certificates use PKI_BASE_URL). Default http://localhost:PORT",
    ),
  DATA_DIR: z
    .string()
    .default("data")
    .describe("Directory for the SQLite database, generated keys and uploads"),
  DATABASE_URL: z
    .string()
    .optional()
    .describe("postgres://… to use PostgreSQL; unset = SQLite at DATA_DIR/certhall.db"),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional()
    .describe("PostgreSQL schema to use (tests give every file its own); default public"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SECRET_KEY: z
    .string()
    .min(32)
    .optional()
    .describe(
      "Secret for HMACs (CSRF tokens, SMS code hashes). Required in production; dev generates DATA_DIR/secret.key",
    ),
  SEED_DEMO: bool
    .optional()
    .describe("Seed demo staff, applicant and windows on start (default: true unless production)"),
  TRUST_PROXY: z
    .string()
    .default("false")
    .describe(
      "Reverse proxies whose X-Forwarded-For is believed: comma-separated addresses or CIDRs (or loopback, linklocal, uniquelocal); false = none; true = loopback only, refused in production",
    ),
  WORKERS: z
    .union([z.literal("auto"), z.coerce.number().int().min(1).max(256)])
    .default(1)
    .describe(
      "Server processes on this host (node:cluster): a number, or auto (one per CPU core). More than 1 needs DATABASE_URL and REDIS_URL",
    ),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .optional()
    .describe(
      "redis://… shared by all instances: rate limits and cache invalidation (OCSP, CRL). Required with several instances",
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
    .default("certhall:")
    .describe("Prefix of every Redis key and channel (several deployments or test runs on one Redis)"),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number()
    .int()
    .positive()
    .default(300)
    .describe("Requests per minute per IP, all routes"),
  RATE_LIMIT_STRICT_FACTOR: z.coerce
    .number()
    .int()
    .positive()
    .default(1)
    .describe(
      "Multiplies the tighter per-route limits (logins, SMS codes, register, one-time codes); only for a test suite or load test whose many clients share one IP; refused in production",
    ),
  SMS_PROVIDER: z
    .enum(["dev", "aliyun"])
    .default("dev")
    .describe("dev keeps messages in the database outbox (shown at /dev/sms); aliyun sends them"),
  SMS_SIGN_NAME: z.string().default("首众CA").describe("SMS signature shown in the message text 【…】"),
  SMS_ALIYUN_ACCESS_KEY_ID: z.string().optional(),
  SMS_ALIYUN_ACCESS_KEY_SECRET: z.string().optional(),
  SMS_ALIYUN_ENDPOINT: z.url().default("https://dysmsapi.aliyuncs.com"),
  SMS_ALIYUN_TEMPLATES: z
    .string()
    .optional()
    .describe('JSON map of our template names to Aliyun TemplateCodes, e.g. {"verify_code":"SMS_123"}'),
  SMS_WORKER_INTERVAL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(1000)
    .describe("How often the SMS worker polls the outbox"),
  REMINDER_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .positive()
    .default(60)
    .describe("How often the job queues certificate expiry SMS (90, 30 and 7 days before notAfter)"),
  SMS_PHONE_DAILY_CAP: z.coerce
    .number()
    .int()
    .positive()
    .default(10)
    .describe("Verification codes per phone per day"),
  SMS_IP_DAILY_CAP: z.coerce
    .number()
    .int()
    .positive()
    .default(50)
    .describe("Verification codes per client IP per day"),
  CA_MASTER_KEY: z
    .string()
    .optional()
    .describe(
      "32-byte master key sealing the CA private keys (AES-256-GCM): 64 hex characters or base64. Required in production; dev generates DATA_DIR/ca-master.key",
    ),
  AUDIT_KEY: z
    .string()
    .optional()
    .describe(
      "32-byte key of the audit chain's HMAC-SHA-256 (64 hex characters or base64), kept outside the database. Required in production; dev generates DATA_DIR/audit.key",
    ),
  AUDIT_ANCHOR_DIR: z
    .string()
    .optional()
    .describe(
      "Folder of the signed audit checkpoints (anchors), outside the database; default DATA_DIR/audit-anchors",
    ),
  AUDIT_ANCHOR_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .positive()
    .default(60)
    .describe("How often the server anchors the audit chain's head (a checkpoint signed by the issuing CA)"),
  CA_ALGORITHM: z
    .enum(["ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096", "sm2"])
    .default("ecdsa-p256")
    .describe("Key algorithm of the root and issuing CA created on first start"),
  CA_SIGNER: z
    .enum(["sealed", "pkcs11"])
    .default("sealed")
    .describe(
      "Where the issuing CA key lives: sealed = in the database under CA_MASTER_KEY; pkcs11 = in a PKCS#11 token (CA_PKCS11_*), never leaving it",
    ),
  CA_PKCS11_MODULE: z
    .string()
    .optional()
    .describe("CA_SIGNER=pkcs11: path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so"),
  CA_PKCS11_TOKEN_LABEL: z.string().optional().describe("CA_SIGNER=pkcs11: label of the token"),
  CA_PKCS11_KEY_LABEL: z.string().optional().describe("CA_SIGNER=pkcs11: CKA_LABEL of the issuing key pair"),
  CA_PKCS11_PIN: z
    .string()
    .optional()
    .describe("CA_SIGNER=pkcs11: user PIN of the token (or CA_PKCS11_PIN_FILE)"),
  CA_PKCS11_PIN_FILE: z.string().optional().describe("CA_SIGNER=pkcs11: file holding the user PIN"),
  CA_ROOT_KEY_FILE: z
    .string()
    .optional()
    .describe(
      "The offline root key, sealed with a passphrase; used only by `certhall ca ceremony`. Keep it outside DATA_DIR; the server refuses to start in production when it can read it. Dev default (written by the first start, with a warning): DATA_DIR/ca-root.key",
    ),
  CA_ROOT_PASSPHRASE_FILE: z
    .string()
    .optional()
    .describe(
      "File holding the root key's passphrase for the ceremony (or --passphrase-file); dev default DATA_DIR/ca-root.passphrase",
    ),
  CA_ARL_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(180)
    .describe(
      "Validity of the root's CRL (ARL) signed by the ceremony, in days (at most 365): re-sign it before",
    ),
  CA_NAME: z.string().min(1).default("certhall").describe("Name prefix of the CA certificates' CN"),
  CA_SERVICE_TOKEN: z
    .string()
    .min(32)
    .optional()
    .describe(
      "Bearer token of the RA service API (/api/v1/pki/issue, /revoke). Dev generates DATA_DIR/ca-service.token; unset in production = service API off",
    ),
  CRL_NEXT_UPDATE_HOURS: z.coerce
    .number()
    .positive()
    .default(24)
    .describe("CRL validity (nextUpdate − thisUpdate); the scheduler re-signs at half of it"),
  CRL_COALESCE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(1000)
    .describe("after a revocation, how long the background CRL re-signing waits to take the next ones along"),
  MAIL_RECIPIENT: z
    .string()
    .min(1)
    .default("福建首众信息科技有限公司（CA 受理部）")
    .describe("Recipient printed on receipts for applicants who mail their materials (邮寄办理)"),
  MAIL_PHONE: z.string().min(1).default("059183622480").describe("Phone printed with the mailing address"),
  MAIL_ADDRESS: z
    .string()
    .min(1)
    .default("福建省福州市鼓楼区八一七中路宇洋中央金地 18 层 福建首众信息科技有限公司")
    .describe("Our mailing address for materials, printed on receipts (default: the seed's 福州 window)"),
  PKI_BASE_URL: z
    .url()
    .optional()
    .describe(
      "Base URL of the CRL, OCSP and caIssuers URLs written into certificates; http so relying parties can fetch them without TLS (RFC 5280 4.2.1.13, RFC 6960 A.1). Default: http:// and PUBLIC_URL's host",
    ),
  PKI_POLICY_OID: z
    .string()
    .regex(/^[0-2](\.(0|[1-9]\d*))+$/, "must be a dotted OID")
    .optional()
    .describe(
      "Certificate policy OID named in the issuing CA and every certificate (the CA's CPS). Default 1.3.6.1.5.5.7.13.1 (RFC 7229 test policy), a placeholder to replace with the CA's own OID",
    ),
  PKI_CPS_URL: z
    .url()
    .optional()
    .describe(
      "Where the CPS is published; named as the CPS qualifier of the certificate policy (unset: none)",
    ),
  OCSP_NONCE_PER_MINUTE: z.coerce
    .number()
    .int()
    .positive()
    .default(60)
    .describe(
      "Freshly signed OCSP answers (requests with a nonce or several certificates) per client IP per minute; pre-signed answers are not limited",
    ),
  OCSP_VALIDITY_HOURS: z.coerce
    .number()
    .positive()
    .default(24)
    .describe("Validity of pre-signed OCSP responses; re-signed when half of it has passed"),
  PAYMENT_PROVIDER: z
    .enum(["sandbox", "alipay", "none"])
    .optional()
    .describe(
      "Online payment: sandbox = the app's own demo cashier (default outside production; refused in production), alipay = Alipay page pay, none = online payment off (default in production)",
    ),
  ALIPAY_APP_ID: z.string().optional().describe("Alipay application id (PAYMENT_PROVIDER=alipay)"),
  ALIPAY_PRIVATE_KEY: z
    .string()
    .optional()
    .describe("Our application's RSA private key for Alipay, PEM (PKCS#8 or PKCS#1) or bare base64"),
  ALIPAY_PUBLIC_KEY: z
    .string()
    .optional()
    .describe("Alipay's RSA public key (verifies notifications), PEM or bare base64"),
  ALIPAY_GATEWAY: z
    .url()
    .default("https://openapi.alipay.com/gateway.do")
    .describe("Alipay gateway (the sandbox is https://openapi-sandbox.dl.alipaydev.com/gateway.do)"),
  WECHATPAY_MCHID: z
    .string()
    .optional()
    .describe("WeChat Pay merchant id (商户号); with the other WECHATPAY_* it turns WeChat Pay on"),
  WECHATPAY_APPID: z.string().optional().describe("AppID bound to the merchant (公众号/网站应用)"),
  WECHATPAY_MERCHANT_SERIAL: z.string().optional().describe("Serial number of the merchant API certificate"),
  WECHATPAY_PRIVATE_KEY: z
    .string()
    .optional()
    .describe("Merchant API private key (apiclient_key.pem), PEM or bare base64"),
  WECHATPAY_APIV3_KEY: z
    .string()
    .length(32)
    .optional()
    .describe("APIv3 key (32 characters) that decrypts notifications"),
  WECHATPAY_PLATFORM_PUBLIC_KEY: z
    .string()
    .optional()
    .describe("微信支付公钥 or platform certificate (PEM) that verifies answers and notifications"),
  WECHATPAY_PLATFORM_SERIAL: z.string().optional().describe("Its id / serial (the Wechatpay-Serial header)"),
  WECHATPAY_BASE_URL: z.url().default("https://api.mch.weixin.qq.com").describe("WeChat Pay API base URL"),
  INVOICE_PROVIDER: z
    .enum(["dev", "nuonuo", "none"])
    .optional()
    .describe(
      "E-invoices: dev = PDFs marked 演示 made here (default outside production), nuonuo = 诺诺开放平台, none = off (default in production)",
    ),
  INVOICE_SELLER_NAME: z
    .string()
    .min(1)
    .default("演示：某某数字认证有限公司")
    .describe("Seller (销方) name on invoices"),
  INVOICE_SELLER_TAX_NO: z
    .string()
    .default("")
    .describe("Seller's 税号 (nuonuo: required, also the userTax header)"),
  INVOICE_SELLER_ADDRESS: z.string().default("").describe("Seller's address on invoices"),
  INVOICE_SELLER_PHONE: z.string().default("").describe("Seller's phone on invoices"),
  INVOICE_GOODS_NAME: z
    .string()
    .min(1)
    .default("数字证书服务费")
    .describe("Goods/service name on the invoice line"),
  INVOICE_GOODS_CODE: z.string().default("").describe("税收分类编码 of that line (nuonuo: required)"),
  INVOICE_TAX_RATE: z
    .string()
    .regex(/^0(\.\d{1,2})?$/)
    .default("0.06")
    .describe("VAT rate of the line, e.g. 0.06"),
  INVOICE_CLERK: z.string().min(1).default("财务").describe("开票人 named on invoices"),
  INVOICE_NUONUO_APP_KEY: z.string().optional().describe("诺诺开放平台 appKey (INVOICE_PROVIDER=nuonuo)"),
  INVOICE_NUONUO_APP_SECRET: z.string().optional().describe("诺诺开放平台 appSecret (signs X-Nuonuo-Sign)"),
  INVOICE_NUONUO_ACCESS_TOKEN: z.string().optional().describe("诺诺 accessToken of the authorised seller"),
  INVOICE_NUONUO_URL: z
    .url()
    .default("https://sdk.nuonuo.com/open/v1/services")
    .describe("诺诺 API URL (sandbox: https://sandbox.nuonuocs.cn/open/v1/services)"),
  INVOICE_WORKER_INTERVAL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15_000)
    .describe("How often pending invoices, Nuonuo results, 红冲 and the email outbox are worked"),
  EMAIL_PROVIDER: z
    .enum(["dev", "smtp"])
    .default("dev")
    .describe(
      "Email (invoices): dev = kept in the outbox (GET /api/v1/dev/mail), smtp = sent via EMAIL_SMTP_URL",
    ),
  EMAIL_SMTP_URL: z.string().optional().describe("smtp(s)://user:pass@host:port for EMAIL_PROVIDER=smtp"),
  EMAIL_FROM: z.string().default("certhall <noreply@localhost>").describe("From address of emails"),
  PAYMENT_BANK_ACCOUNT_NAME: z
    .string()
    .min(1)
    .optional()
    .describe("Account name applicants transfer to (demo default says it is a demo)"),
  PAYMENT_BANK_NAME: z.string().min(1).optional().describe("Bank and branch of that account"),
  PAYMENT_BANK_ACCOUNT_NO: z.string().min(1).optional().describe("Account number of that account"),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env["NODE_ENV"];
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  database: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; schema?: string };
  logLevel: Env["LOG_LEVEL"];
  secretKey: Buffer;
  seedDemo: boolean;
  /** Addresses/CIDRs of the proxies whose X-Forwarded-For is believed (Fastify trustProxy); false: none. */
  trustProxy: false | string[];
  cookieSecure: boolean;
  rateLimitPerMinute: number;
  rateLimitStrictFactor: number;
  /** Several instances (DESIGN §10): processes on this host, and the Redis they all share. */
  scale: { workers: number; redis: { url: string; prefix: string } | null };
  sms: {
    provider: Env["SMS_PROVIDER"];
    signName: string;
    workerIntervalMs: number;
    phoneDailyCap: number;
    ipDailyCap: number;
    aliyun?: {
      accessKeyId: string;
      accessKeySecret: string;
      endpoint: string;
      templates: Record<string, string>;
    };
  };
  /** Certificate expiry reminders (issue 6 item 9). */
  reminders: { intervalMinutes: number };
  /** Where applicants mail their materials (receipt, delivery choice). */
  mail: { recipient: string; phone: string; address: string };
  /** The keyed audit chain (issue 18 item 8): its HMAC key and where its signed checkpoints go. */
  audit: { key: Buffer; anchorDir: string; anchorIntervalMinutes: number };
  ca: {
    masterKey: Buffer;
    algorithm: Env["CA_ALGORITHM"];
    name: string;
    /** null: the service API is off (production without CA_SERVICE_TOKEN). */
    serviceToken: string | null;
    crlNextUpdateHours: number;
    /** Revocations within this long share one background CRL signature (ca.crl.ts). */
    crlCoalesceMs: number;
    ocspValidityHours: number;
    /** Where the issuing key lives (DESIGN §9). */
    signer:
      | { kind: "sealed" }
      | { kind: "pkcs11"; modulePath: string; tokenLabel: string; keyLabel: string; pin: string };
    /** The ceremony's sealed root key file and its passphrase file (never read by the server). */
    rootKeyFile: string;
    rootPassphraseFile: string | null;
    arlDays: number;
    /** Base of the CRL, OCSP and caIssuers URLs in certificates (http, no trailing slash). */
    pkiBaseUrl: string;
    /** The certificate policy named in the issuing CA and every certificate. */
    policy: { oid: string; cpsUrl?: string };
    ocspNoncePerMinute: number;
  };
  payment: {
    provider: "sandbox" | "alipay" | "none";
    alipay?: { appId: string; privateKey: string; publicKey: string; gateway: string };
    /** WeChat Pay APIv3 when all WECHATPAY_* are set (beside Alipay; the sandbox has its own WeChat). */
    wechat?: {
      mchid: string;
      appid: string;
      /** Serial number of our merchant API certificate (serial_no in Authorization). */
      merchantSerial: string;
      /** Our merchant API private key (apiclient_key.pem). */
      privateKey: string;
      /** The APIv3 key (32 characters) that encrypts notification resources. */
      apiV3Key: string;
      /** The platform certificate or 微信支付公钥 (PEM) and its serial / key id. */
      platformPublicKey: string;
      platformSerial: string;
      baseUrl: string;
    };
    bank: { accountName: string; bankName: string; accountNo: string; demo: boolean };
  };
  invoice: {
    provider: "dev" | "nuonuo" | "none";
    seller: { name: string; taxNo: string; address: string; phone: string };
    goods: { name: string; code: string; taxRate: string };
    clerk: string;
    nuonuo?: { appKey: string; appSecret: string; accessToken: string; url: string };
    workerIntervalMs: number;
  };
  email: { provider: "dev" | "smtp"; smtpUrl?: string; from: string };
}

export class ConfigError extends Error {}

const WECHAT_VARS = [
  "WECHATPAY_MCHID",
  "WECHATPAY_APPID",
  "WECHATPAY_MERCHANT_SERIAL",
  "WECHATPAY_PRIVATE_KEY",
  "WECHATPAY_APIV3_KEY",
  "WECHATPAY_PLATFORM_PUBLIC_KEY",
  "WECHATPAY_PLATFORM_SERIAL",
] as const;

/** WeChat Pay is on when every WECHATPAY_* is set; some but not all is a mistake worth stopping for. */
function readWechatConfig(e: Env): Config["payment"]["wechat"] {
  const missing = WECHAT_VARS.filter((k) => !e[k]);
  if (missing.length === WECHAT_VARS.length) return undefined;
  if (missing.length > 0) throw new ConfigError(`WeChat Pay needs ${missing.join(", ")} as well`);
  return {
    mchid: e.WECHATPAY_MCHID!,
    appid: e.WECHATPAY_APPID!,
    merchantSerial: e.WECHATPAY_MERCHANT_SERIAL!,
    privateKey: e.WECHATPAY_PRIVATE_KEY!,
    apiV3Key: e.WECHATPAY_APIV3_KEY!,
    platformPublicKey: e.WECHATPAY_PLATFORM_PUBLIC_KEY!,
    platformSerial: e.WECHATPAY_PLATFORM_SERIAL!,
    baseUrl: e.WECHATPAY_BASE_URL,
  };
}

function readInvoiceConfig(e: Env, production: boolean): Config["invoice"] {
  const provider = e.INVOICE_PROVIDER ?? (production ? "none" : "dev");
  if (provider === "dev" && production) {
    throw new ConfigError(
      "INVOICE_PROVIDER=dev is not allowed in production (its PDFs are demos; use nuonuo or none)",
    );
  }
  let nuonuo: Config["invoice"]["nuonuo"];
  if (provider === "nuonuo") {
    const missing = (
      [
        "INVOICE_NUONUO_APP_KEY",
        "INVOICE_NUONUO_APP_SECRET",
        "INVOICE_NUONUO_ACCESS_TOKEN",
        "INVOICE_SELLER_TAX_NO",
        "INVOICE_GOODS_CODE",
      ] as const
    ).filter((k) => !e[k]);
    if (missing.length) throw new ConfigError(`INVOICE_PROVIDER=nuonuo needs ${missing.join(", ")}`);
    nuonuo = {
      appKey: e.INVOICE_NUONUO_APP_KEY!,
      appSecret: e.INVOICE_NUONUO_APP_SECRET!,
      accessToken: e.INVOICE_NUONUO_ACCESS_TOKEN!,
      url: e.INVOICE_NUONUO_URL,
    };
  }
  return {
    provider,
    seller: {
      name: e.INVOICE_SELLER_NAME,
      taxNo: e.INVOICE_SELLER_TAX_NO,
      address: e.INVOICE_SELLER_ADDRESS,
      phone: e.INVOICE_SELLER_PHONE,
    },
    goods: { name: e.INVOICE_GOODS_NAME, code: e.INVOICE_GOODS_CODE, taxRate: e.INVOICE_TAX_RATE },
    clerk: e.INVOICE_CLERK,
    nuonuo,
    workerIntervalMs: e.INVOICE_WORKER_INTERVAL_MS,
  };
}

/** Reads and checks the environment. `baseDir` resolves a relative DATA_DIR (npm's INIT_CWD: where `npm start` ran). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const baseDir = source.INIT_CWD ?? process.cwd();
  const dataDir = path.resolve(baseDir, e.DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");

  let secretKey: Buffer;
  if (e.SECRET_KEY) secretKey = Buffer.from(e.SECRET_KEY, "utf8");
  else if (production) throw new ConfigError("SECRET_KEY is required in production (at least 32 characters)");
  else secretKey = devSecret(dataDir);

  let aliyun: Config["sms"]["aliyun"];
  if (e.SMS_PROVIDER === "aliyun") {
    if (!e.SMS_ALIYUN_ACCESS_KEY_ID || !e.SMS_ALIYUN_ACCESS_KEY_SECRET || !e.SMS_ALIYUN_TEMPLATES) {
      throw new ConfigError(
        "SMS_PROVIDER=aliyun needs SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET and SMS_ALIYUN_TEMPLATES",
      );
    }
    let templates: Record<string, string>;
    try {
      templates = z.record(z.string(), z.string()).parse(JSON.parse(e.SMS_ALIYUN_TEMPLATES));
    } catch {
      throw new ConfigError("SMS_ALIYUN_TEMPLATES must be a JSON object of template name → TemplateCode");
    }
    aliyun = {
      accessKeyId: e.SMS_ALIYUN_ACCESS_KEY_ID,
      accessKeySecret: e.SMS_ALIYUN_ACCESS_KEY_SECRET,
      endpoint: e.SMS_ALIYUN_ENDPOINT,
      templates,
    };
  }

  let masterKey: Buffer;
  if (e.CA_MASTER_KEY) masterKey = parseMasterKey(e.CA_MASTER_KEY);
  else if (production) {
    throw new ConfigError(
      "CA_MASTER_KEY is required in production (64 hex characters or base64 of 32 bytes)",
    );
  } else masterKey = parseMasterKey(devFile(dataDir, "ca-master.key", () => randomBytes(32).toString("hex")));
  let auditKey: Buffer;
  if (e.AUDIT_KEY) auditKey = parseMasterKey(e.AUDIT_KEY, "AUDIT_KEY");
  else if (production) {
    throw new ConfigError("AUDIT_KEY is required in production (64 hex characters or base64 of 32 bytes)");
  } else {
    auditKey = parseMasterKey(
      devFile(dataDir, "audit.key", () => randomBytes(32).toString("hex")),
      "AUDIT_KEY",
    );
  }
  const serviceToken =
    e.CA_SERVICE_TOKEN ??
    (production ? null : devFile(dataDir, "ca-service.token", () => randomBytes(32).toString("base64url")));

  let signer: Config["ca"]["signer"] = { kind: "sealed" };
  if (e.CA_SIGNER === "pkcs11") {
    if (!e.CA_PKCS11_MODULE || !e.CA_PKCS11_TOKEN_LABEL || !e.CA_PKCS11_KEY_LABEL) {
      throw new ConfigError(
        "CA_SIGNER=pkcs11 needs CA_PKCS11_MODULE, CA_PKCS11_TOKEN_LABEL and CA_PKCS11_KEY_LABEL",
      );
    }
    let pin = e.CA_PKCS11_PIN;
    if (e.CA_PKCS11_PIN_FILE) {
      try {
        pin = readFileSync(path.resolve(baseDir, e.CA_PKCS11_PIN_FILE), "utf8").trim();
      } catch {
        throw new ConfigError(`CA_PKCS11_PIN_FILE cannot be read: ${e.CA_PKCS11_PIN_FILE}`);
      }
    }
    if (!pin) throw new ConfigError("CA_SIGNER=pkcs11 needs CA_PKCS11_PIN or CA_PKCS11_PIN_FILE");
    signer = {
      kind: "pkcs11",
      modulePath: e.CA_PKCS11_MODULE,
      tokenLabel: e.CA_PKCS11_TOKEN_LABEL,
      keyLabel: e.CA_PKCS11_KEY_LABEL,
      pin,
    };
  }
  const rootKeyFile = path.resolve(baseDir, e.CA_ROOT_KEY_FILE ?? path.join(dataDir, "ca-root.key"));
  const rootPassphraseFile = e.CA_ROOT_PASSPHRASE_FILE
    ? path.resolve(baseDir, e.CA_ROOT_PASSPHRASE_FILE)
    : production
      ? null
      : path.join(dataDir, "ca-root.passphrase");

  const paymentProvider = e.PAYMENT_PROVIDER ?? (production ? "none" : "sandbox");
  // RFC 7229's test policy tells every relying party "not a real policy": a placeholder until the CA
  // registers its own OID for its CPS (`certhall ca info` says which one is in use).
  const policyOid = e.PKI_POLICY_OID ?? "1.3.6.1.5.5.7.13.1";
  if (e.RATE_LIMIT_STRICT_FACTOR !== 1 && production) {
    // The factor loosens the login, SMS-code and register limits for a test suite behind one address.
    throw new ConfigError(
      "RATE_LIMIT_STRICT_FACTOR is not allowed in production (it loosens the login and SMS-code limits)",
    );
  }
  if (paymentProvider === "sandbox" && production) {
    // The sandbox cashier marks orders paid without money moving: never in production.
    throw new ConfigError("PAYMENT_PROVIDER=sandbox is not allowed in production (use alipay or none)");
  }
  let alipay: Config["payment"]["alipay"];
  if (paymentProvider === "alipay") {
    if (!e.ALIPAY_APP_ID || !e.ALIPAY_PRIVATE_KEY || !e.ALIPAY_PUBLIC_KEY) {
      throw new ConfigError(
        "PAYMENT_PROVIDER=alipay needs ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY",
      );
    }
    alipay = {
      appId: e.ALIPAY_APP_ID,
      privateKey: e.ALIPAY_PRIVATE_KEY,
      publicKey: e.ALIPAY_PUBLIC_KEY,
      gateway: e.ALIPAY_GATEWAY,
    };
  }
  const wechat = readWechatConfig(e);
  const invoice = readInvoiceConfig(e, production);
  if (e.EMAIL_PROVIDER === "smtp" && !e.EMAIL_SMTP_URL)
    throw new ConfigError("EMAIL_PROVIDER=smtp needs EMAIL_SMTP_URL");
  const bankDemo = !e.PAYMENT_BANK_ACCOUNT_NAME || !e.PAYMENT_BANK_NAME || !e.PAYMENT_BANK_ACCOUNT_NO;

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA }
      : { kind: "sqlite", file: path.join(dataDir, "certhall.db") },
    logLevel: e.LOG_LEVEL,
    secretKey,
    seedDemo: e.SEED_DEMO ?? !production,
    trustProxy: parseTrustProxy(e.TRUST_PROXY, production),
    cookieSecure: publicUrl.startsWith("https://"),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    rateLimitStrictFactor: e.RATE_LIMIT_STRICT_FACTOR,
    scale: parseScale(e),
    sms: {
      provider: e.SMS_PROVIDER,
      signName: e.SMS_SIGN_NAME,
      workerIntervalMs: e.SMS_WORKER_INTERVAL_MS,
      phoneDailyCap: e.SMS_PHONE_DAILY_CAP,
      ipDailyCap: e.SMS_IP_DAILY_CAP,
      aliyun,
    },
    reminders: { intervalMinutes: e.REMINDER_INTERVAL_MINUTES },
    mail: { recipient: e.MAIL_RECIPIENT, phone: e.MAIL_PHONE, address: e.MAIL_ADDRESS },
    audit: {
      key: auditKey,
      anchorDir: path.resolve(baseDir, e.AUDIT_ANCHOR_DIR ?? path.join(dataDir, "audit-anchors")),
      anchorIntervalMinutes: e.AUDIT_ANCHOR_INTERVAL_MINUTES,
    },
    ca: {
      masterKey,
      algorithm: e.CA_ALGORITHM,
      name: e.CA_NAME,
      serviceToken,
      crlNextUpdateHours: e.CRL_NEXT_UPDATE_HOURS,
      crlCoalesceMs: e.CRL_COALESCE_MS,
      ocspValidityHours: e.OCSP_VALIDITY_HOURS,
      signer,
      rootKeyFile,
      rootPassphraseFile,
      arlDays: e.CA_ARL_DAYS,
      pkiBaseUrl: (e.PKI_BASE_URL ?? `http://${new URL(publicUrl).host}`).replace(/\/$/, ""),
      policy: { oid: policyOid, ...(e.PKI_CPS_URL ? { cpsUrl: e.PKI_CPS_URL } : {}) },
      ocspNoncePerMinute: e.OCSP_NONCE_PER_MINUTE,
    },
    payment: {
      provider: paymentProvider,
      alipay,
      wechat,
      // Demo defaults until all three are configured; the payment info page says they are a demo.
      bank: bankDemo
        ? {
            accountName: "演示：某某数字认证有限公司（示例账户，请勿转账）",
            bankName: "演示：某某银行福州分行营业部",
            accountNo: "6222 0000 0000 0000 000",
            demo: true,
          }
        : {
            accountName: e.PAYMENT_BANK_ACCOUNT_NAME!,
            bankName: e.PAYMENT_BANK_NAME!,
            accountNo: e.PAYMENT_BANK_ACCOUNT_NO!,
            demo: false,
          },
    },
    invoice,
    email: {
      provider: e.EMAIL_PROVIDER,
      ...(e.EMAIL_SMTP_URL ? { smtpUrl: e.EMAIL_SMTP_URL } : {}),
      from: e.EMAIL_FROM,
    },
  };
}

/**
 * WORKERS and REDIS_URL (issue 14): SQLite is one process's embedded database, and several processes
 * without a shared Redis would each keep their own rate limits and stale caches, so both are refused.
 */
function parseScale(e: Env): Config["scale"] {
  const workers = e.WORKERS === "auto" ? availableParallelism() : e.WORKERS;
  if (workers > 1 && !e.DATABASE_URL)
    throw new ConfigError(
      `WORKERS=${e.WORKERS} needs PostgreSQL (DATABASE_URL): SQLite is the embedded database of one process; run one process or move to PostgreSQL`,
    );
  if (workers > 1 && !e.REDIS_URL)
    throw new ConfigError(
      `WORKERS=${e.WORKERS} needs REDIS_URL: the instances must share their rate limits and tell each other of revocations`,
    );
  return { workers, redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_KEY_PREFIX } : null };
}

const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY (issue 18 item 9d): trusting every hop would let any client pick its own address with a
 * forged X-Forwarded-For and slip past per-IP limits and SMS caps, so only listed proxies are trusted.
 * `true` is loopback only (a proxy on this machine); in production the list must be explicit.
 */
export function parseTrustProxy(text: string, production: boolean): false | string[] {
  const t = text.trim().toLowerCase();
  if (["", "false", "0", "no"].includes(t)) return false;
  if (["true", "1", "yes"].includes(t)) {
    if (production) {
      throw new ConfigError(
        "TRUST_PROXY=true is not allowed in production: list the reverse proxies' addresses or CIDRs (e.g. 127.0.0.1,10.0.0.0/8)",
      );
    }
    return ["loopback"];
  }
  const entries = t
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [addr = "", bits, extra] = entry.split("/");
    const family = isIP(addr);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!PROXY_RANGE_NAMES.has(entry) && (!family || !bitsOk || extra !== undefined)) {
      throw new ConfigError(`TRUST_PROXY: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.0/8)`);
    }
  }
  return entries;
}

/** CA_MASTER_KEY, AUDIT_KEY: 64 hex characters or base64 of exactly 32 bytes. */
export function parseMasterKey(text: string, name = "CA_MASTER_KEY"): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t, t.includes("-") || t.includes("_") ? "base64url" : "base64");
    if (key.length === 32) return key;
  }
  throw new ConfigError(`${name} must be 32 bytes: 64 hex characters or base64`);
}

/** Development only: a generated value kept in DATA_DIR with owner-only permissions. */
function devFile(dataDir: string, name: string, make: () => string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}

/** Development only: a random secret kept in DATA_DIR with owner-only permissions. */
function devSecret(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, "secret.key");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600 });
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, "utf8").trim(), "utf8");
}
