// The CA service's shapes and small helpers, shared by its parts (ca.service.ts is the front).
import { type CertIdHash, decodeName, PkiError, type Signer } from "@certhall/pki";
import type { Config } from "../../config";
import type { Db } from "../../db/database";
import { AppError } from "../../errors";
import type { Clock } from "../../lib/clock";
import type { PkiCoordination } from "./ca.coordination";

/** A CA as loaded into memory: its certificate, hashes for OCSP matching, and its key when held. */
export interface LoadedCa {
  id: string;
  slug: string;
  role: "root" | "issuing";
  algorithm: string;
  subject: string;
  certDer: Buffer;
  certPem: string;
  notBefore: Date;
  notAfter: Date;
  parentId: string | null;
  signer: Signer | null;
  hashes: Record<CertIdHash, { nameHash: Buffer; keyHash: Buffer }>;
}

export interface IssueInput {
  csrPem: string;
  profile: string;
  subject: Record<string, unknown>;
  /** Calendar years from now (default: the profile's); or an explicit notAfter. */
  years?: number;
  notAfter?: Date;
  accountId?: string | null;
  orderId?: string | null;
}

export interface IssueResult {
  certificatePem: string;
  chainPem: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  profile: string;
  subject: string;
  ca: string;
}

export interface RevokeInput {
  serialHex: string;
  reason: string;
  invalidityDate?: Date;
}

export interface CertificateRecord {
  serialHex: string;
  ca: string;
  subject: string;
  profile: string;
  notBefore: string;
  notAfter: string;
  status: "good" | "revoked";
  revokedAt: string | null;
  reason: string | null;
  invalidityDate: string | null;
  certificatePem: string;
}

export interface CrlRecord {
  ca: string;
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
  der: Buffer;
}

export interface OcspAnswer {
  der: Buffer;
  /** Whether HTTP caches may keep it (a pre-signed answer), or not (signed for a nonce, an error). */
  cacheable: boolean;
}

/** Where the CA service reports what goes wrong in the background (a CRL that failed to sign). */
export interface CaLog {
  error(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface CaServiceDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "env" | "dataDir" | "logLevel" | "secretKey" | "ca">;
  /** Warnings of the embedded ceremony (default: console.warn unless LOG_LEVEL=silent). */
  warn?: (message: string) => void;
  /** Background errors and notes (default: console unless LOG_LEVEL=silent). */
  log?: CaLog;
  /**
   * How often OCSP looks in the database for revocations made by other processes (the CLI, a second
   * server) to drop them from its in-memory cache. Default 2000 ms.
   */
  revocationSyncMs?: number;
  /** Events between instances and "only one instance does it" (default: this process alone). */
  coordination?: PkiCoordination;
}

export const CA_ERROR_FIELDS = {
  csr: "csrPem",
  profile: "profile",
  subject: "subject",
} as const;

export const dnText = (der: Buffer): string =>
  decodeName(der)
    .map((a) => `${a.type}=${a.value}`)
    .join(", ");

export const b64 = (b: Buffer): string => b.toString("base64");
export const unb64 = (s: string): Buffer => Buffer.from(s, "base64");
export const hoursMs = (h: number) => h * 3600 * 1000;
/** Certificate, CRL and OCSP times are whole seconds. */
export const wholeSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** Maps a library error at one stage of a request to a 400 naming the field it concerns. */
export function fieldError(err: unknown, field: string, what: string): never {
  if (err instanceof PkiError) {
    throw new AppError("VALIDATION_FAILED", `${what}（${field}）无效：${err.message}`, { field });
  }
  throw err;
}

export function defaultCaLog(config: Pick<Config, "logLevel">): CaLog {
  const quiet = config.logLevel === "silent";
  return {
    error: (obj, msg) => (quiet ? undefined : console.error(msg, obj)),
    info: () => undefined,
  };
}
