import { execFileSync } from "node:child_process";
import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CaHierarchy,
  createCaHierarchy,
  createCsr,
  generateKeyPair as generateSoftwareKey,
  issueCertificate,
  localSigner,
  parseCsr,
} from "@certhall/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateSubjectDer, readCertificates, writeCertificate } from "./certificates";
import { runTokenCli } from "./cli";
import { buildCsr } from "./csr";
import { TokenError } from "./errors";
import { generateKeyPair, type KeyAlgorithm, listKeys, publicKeySpki } from "./keys";
import { ONLINE_UPDATE_PATH, renewOnToken, shanghaiDay } from "./renew";
import { type JsonServer, problem, startJsonServer } from "./testing/json-server";
import { createSoftHsm, type SoftHsm } from "./testing/softhsm";
import { openToken, type TokenSession } from "./token";

const PIN = "123456";
const TOKEN = "renew";

let hsm: SoftHsm;
let hierarchy: CaHierarchy;
let platform: JsonServer;

/** What the fake platform knows about an order with a one-time code (证书在线更新). */
interface Order {
  /** keep: the request must certify the old key again; rekey: it must not; foreign: misbehave. */
  mode: "keep" | "rekey" | "foreign";
  oldSpki: Buffer;
  used?: boolean;
}
const orders = new Map<string, Order>();

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex").slice(0, 16);
const spkiDer = (spki: Buffer) =>
  createPublicKey({ key: spki, format: "der", type: "spki" }).export({ type: "spki", format: "der" });
const sameKey = (a: Buffer, b: Buffer) => spkiDer(a).equals(spkiDer(b));
const certSpki = (der: Buffer) => new X509Certificate(der).publicKey.export({ type: "spki", format: "der" });

async function issue(csr: Parameters<typeof issueCertificate>[0]["csr"]) {
  return issueCertificate({
    issuer: { certDer: hierarchy.issuing.certDer, signer: hierarchy.issuing.signer },
    csr,
    profile: "enterprise-sign",
    subject: { kind: "enterprise", name: "福建某某科技有限公司", uscc: "91350100M000100Y43" },
    urls: {
      crl: "http://ca.example/pki/crl/issuing.crl",
      ocsp: "http://ca.example/pki/ocsp",
      caIssuers: "http://ca.example/pki/ca/issuing.crt",
    },
  });
}

beforeAll(async () => {
  hsm = createSoftHsm();
  hsm.initToken(TOKEN, { soPin: "87654321", pin: PIN });
  hierarchy = await createCaHierarchy({
    algorithm: "ecdsa-p256",
    rootName: "Certhall Test Root",
    issuingName: "Certhall Test Issuing CA",
  });
  // The platform's online-update route as the brief describes it, issuing with @certhall/pki.
  platform = await startJsonServer(async (req) => {
    if (req.method !== "POST" || req.path !== "/api/v1/online-update") {
      return problem(404, "接口不存在", "NOT_FOUND");
    }
    if (req.headers["content-type"] !== "application/json") return problem(415, "须为 JSON", "MEDIA");
    const { code, csrPem } = req.body as { code?: unknown; csrPem?: unknown };
    const order = typeof code === "string" ? orders.get(code) : undefined;
    if (!order || order.used) return problem(404, "一次性码无效或已使用", "CODE_INVALID", "code");
    if (typeof csrPem !== "string") return problem(400, "证书请求（csrPem）不能为空", "REQUIRED", "csrPem");
    let parsed: ReturnType<typeof parseCsr>;
    try {
      parsed = parseCsr(csrPem);
    } catch (error) {
      return problem(422, (error as Error).message, "CSR_INVALID", "csrPem");
    }
    const same = sameKey(parsed.subjectPublicKeyInfo, order.oldSpki);
    if (order.mode === "keep" && !same) {
      return problem(409, "证书请求（csrPem）的公钥与原证书不一致", "KEY_CHANGED", "csrPem");
    }
    if (order.mode === "rekey" && same) {
      return problem(409, "更换密钥时证书请求（csrPem）不能沿用原密钥", "KEY_REUSED", "csrPem");
    }
    order.used = true;
    let csr: Parameters<typeof issueCertificate>[0]["csr"] = parsed;
    if (order.mode === "foreign") {
      // A broken platform certifies some other key than the token's.
      const other = generateSoftwareKey("ecdsa-p256");
      csr = (await createCsr([{ type: "CN", value: "other" }], localSigner(other.pkcs8))).pem;
    }
    const issued = await issue(csr);
    return {
      status: 200,
      body: {
        certificatePem: issued.pem,
        chainPem: hierarchy.issuing.certPem + hierarchy.root.certPem,
        serialHex: issued.serialHex,
        notAfter: issued.notAfter.toISOString(),
      },
    };
  });
});

afterAll(async () => {
  await platform?.close();
  hsm?.remove();
});

function withSession<T>(work: (session: TokenSession) => T): T {
  const session = openToken({ modulePath: hsm.modulePath, tokenLabel: TOKEN, pin: PIN });
  try {
    return work(session);
  } finally {
    session.close();
  }
}

/** A key on the token with a first certificate beside it, as the window issued it. */
async function provision(label: string, algorithm: KeyAlgorithm = "ecdsa-p256") {
  const session = openToken({ modulePath: hsm.modulePath, tokenLabel: TOKEN, pin: PIN });
  try {
    const key = await generateKeyPair(session, { label, algorithm });
    const csr = await buildCsr(session, key, { commonName: `${label} 的证书`, organization: "某某公司" });
    const issued = await issue(csr.pem);
    const cert = writeCertificate(session, issued.der, { label, id: key.id });
    return { id: key.id, spki: publicKeySpki(session, key), cert };
  } finally {
    session.close();
  }
}

interface Snapshot {
  keys: { label: string; id: string; algorithm: string; spki: Buffer }[];
  certs: { label: string; id: string; serialHex: string; der: Buffer }[];
}

/** The snapshot in a form whose diff can be read: labels, ids, serials and key fingerprints. */
function summary(snap: Snapshot) {
  return {
    // SoftHSM2 lists objects in no fixed order.
    keys: snap.keys.map((k) => `${k.label} ${k.id} ${k.algorithm} ${sha(k.spki)}`).sort(),
    certs: snap.certs.map((c) => `${c.label} ${c.id} ${c.serialHex} ${sha(c.der)}`).sort(),
  };
}

function snapshot(): Snapshot {
  return withSession((s) => ({
    keys: listKeys(s).map((k) => ({
      label: k.label,
      id: k.id.toString("hex"),
      algorithm: k.algorithm,
      spki: publicKeySpki(s, k),
    })),
    certs: readCertificates(s).map((c) => ({
      label: c.label,
      id: c.id.toString("hex"),
      serialHex: c.serialHex,
      der: c.der,
    })),
  }));
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCli(["token", ...args], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { CERTHALL_PKCS11_MODULE: hsm.modulePath, CERTHALL_TOKEN_PIN: PIN },
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const renew = (code: string, label: string, ...rest: string[]) =>
  cli(["renew", "--token", TOKEN, "--url", platform.url, "--code", code, "--label", label, ...rest]);

const shanghaiTime = (d: Date) => d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });

describe("certhall token renew (证书在线更新), keeping the key", () => {
  it("certifies the same public key again, replaces the old certificate and writes the chain", async () => {
    const old = await provision("alice");
    orders.set("keep-alice", { mode: "keep", oldSpki: old.spki });
    const chainPath = join(hsm.dir, "alice-chain.pem");
    const sent = platform.requests.length;

    const result = await renew("keep-alice", "alice", "--chain-out", chainPath);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);

    // One request, authorised by the code alone, which travels in the body (never the URL) with the CSR.
    expect(platform.requests.length).toBe(sent + 1);
    const request = platform.requests.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe(ONLINE_UPDATE_PATH);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers["content-type"]).toBe("application/json");
    const body = request.body as { code: string; csrPem: string };
    expect(Object.keys(body)).toEqual(["code", "csrPem"]);
    expect(body.code).toBe("keep-alice");
    // The request repeats the subject of the certificate being renewed.
    expect(parseCsr(body.csrPem).der.includes(certificateSubjectDer(old.cert.der))).toBe(true);

    const after = snapshot();
    const certs = after.certs.filter((c) => c.id === old.id.toString("hex"));
    expect(certs).toHaveLength(1);
    const renewed = certs[0]!;
    expect(renewed.label).toBe("alice");
    expect(renewed.serialHex).not.toBe(old.cert.serialHex);
    expect(sameKey(certSpki(renewed.der), old.spki)).toBe(true);
    expect(after.keys.filter((k) => k.label.startsWith("alice"))).toHaveLength(1);

    const notAfter = new Date(new X509Certificate(renewed.der).validTo);
    expect(result.stdout.split("\n")).toEqual([
      `证书已更新并写入介质：标签 alice，序列号 ${renewed.serialHex}，有效期至 ${shanghaiTime(notAfter)}（北京时间）`,
      `保留原密钥 alice，原证书（序列号 ${old.cert.serialHex}）已被替换`,
      `证书链已写入 ${chainPath}`,
    ]);

    // The chain file is what the platform sent, and the new certificate chains to it.
    expect(readFileSync(chainPath, "utf8")).toBe(hierarchy.issuing.certPem + hierarchy.root.certPem);
    const leafPath = join(hsm.dir, "alice-leaf.pem");
    const rootPath = join(hsm.dir, "root.pem");
    writeFileSync(leafPath, new X509Certificate(renewed.der).toString());
    writeFileSync(rootPath, hierarchy.root.certPem);
    const verified = execFileSync("openssl", [
      "verify",
      "-CAfile",
      rootPath,
      "-untrusted",
      chainPath,
      leafPath,
    ]).toString();
    expect(verified.trim()).toBe(`${leafPath}: OK`);
  });

  it("shows the platform's Chinese detail on a refusal and leaves the old certificate in place", async () => {
    const old = await provision("carol");
    const other = await provision("carol-other");
    // The order is for another certificate's key: the platform refuses this token's request.
    orders.set("keep-carol", { mode: "keep", oldSpki: other.spki });
    const before = snapshot();
    const result = await renew("keep-carol", "carol");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "错误：在线更新失败（HTTP 409）：证书请求（csrPem）的公钥与原证书不一致（RENEW_FAILED）",
    );
    expect(summary(snapshot())).toEqual(summary(before));
    expect(before.certs.find((c) => c.id === old.id.toString("hex"))?.serialHex).toBe(old.cert.serialHex);
  });

  it("does not write a certificate for another key and keeps the old one", async () => {
    const old = await provision("erin");
    orders.set("foreign-erin", { mode: "foreign", oldSpki: old.spki });
    const before = snapshot();
    const error = await withSessionAsync((s) =>
      renewOnToken(s, { url: platform.url, code: "foreign-erin", label: "erin" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe("CERT_KEY_MISMATCH");
    expect((error as TokenError).message).toBe("在线更新服务签发的证书与介质中的密钥不匹配，未写入介质");
    expect(summary(snapshot())).toEqual(summary(before));
  });
});

async function withSessionAsync<T>(work: (session: TokenSession) => Promise<T>): Promise<T> {
  const session = openToken({ modulePath: hsm.modulePath, tokenLabel: TOKEN, pin: PIN });
  try {
    return await work(session);
  } finally {
    session.close();
  }
}

describe("certhall token renew --rekey", () => {
  it("makes a new key pair labelled <label>-yyyymmdd of the old key's algorithm, old key and certificate kept", async () => {
    const old = await provision("bob", "rsa-2048");
    orders.set("rekey-bob-1", { mode: "rekey", oldSpki: old.spki });
    orders.set("rekey-bob-2", { mode: "rekey", oldSpki: old.spki });
    const days = [shanghaiDay(new Date())];
    const first = await renew("rekey-bob-1", "bob", "--rekey", "--json");
    const second = await renew("rekey-bob-2", "bob", "--rekey");
    days.push(shanghaiDay(new Date()));
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);

    const output = JSON.parse(first.stdout) as {
      label: string;
      id: string;
      algorithm: string;
      rekeyed: boolean;
      serialHex: string;
      notAfter: string;
      certificatePem: string;
    };
    expect(days.map((d) => `bob-${d}`)).toContain(output.label);
    expect(output.rekeyed).toBe(true);
    expect(output.algorithm).toBe("rsa-2048");
    // A second rekey on the same day gets a free label rather than failing.
    expect(second.stdout).toContain(`标签 ${output.label}-2，`);
    expect(second.stdout).toContain(
      `已更换密钥：新密钥 ${output.label}-2（rsa-2048），原密钥 bob 保留在介质中`,
    );

    const after = snapshot();
    const newKey = after.keys.find((k) => k.label === output.label)!;
    expect(newKey.id).toBe(output.id);
    expect(newKey.algorithm).toBe("rsa-2048");
    expect(sameKey(newKey.spki, old.spki)).toBe(false);
    const newCert = after.certs.find((c) => c.id === newKey.id)!;
    expect(newCert.label).toBe(output.label);
    expect(newCert.serialHex).toBe(output.serialHex);
    expect(sameKey(certSpki(newCert.der), newKey.spki)).toBe(true);
    expect(new Date(output.notAfter).getTime()).toBe(
      new Date(new X509Certificate(newCert.der).validTo).getTime(),
    );
    // The old key and its certificate are untouched.
    expect(after.keys.find((k) => k.label === "bob")?.id).toBe(old.id.toString("hex"));
    const oldCerts = after.certs.filter((c) => c.id === old.id.toString("hex"));
    expect(oldCerts.map((c) => c.der.equals(old.cert.der))).toEqual([true]);
  });

  it("takes --new-label and --alg", async () => {
    const old = await provision("dave", "rsa-2048");
    orders.set("rekey-dave", { mode: "rekey", oldSpki: old.spki });
    const result = await renew(
      "rekey-dave",
      "dave",
      "--rekey",
      "--new-label",
      "dave-ec",
      "--alg",
      "ecdsa-p256",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const after = snapshot();
    const key = after.keys.find((k) => k.label === "dave-ec");
    expect(key?.algorithm).toBe("ecdsa-p256");
    expect(after.certs.find((c) => c.id === key?.id)?.label).toBe("dave-ec");
  });

  it("removes the new key again when the platform refuses", async () => {
    const old = await provision("frank");
    // keep-mode order: a rekey request is refused because its key is new.
    orders.set("keep-frank", { mode: "keep", oldSpki: old.spki });
    const before = snapshot();
    const refused = await renew("keep-frank", "frank", "--rekey");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "错误：在线更新失败（HTTP 409）：证书请求（csrPem）的公钥与原证书不一致（RENEW_FAILED）",
    );
    const unknown = await renew("no-such-code", "frank", "--rekey", "--new-label", "frank-new");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("错误：在线更新失败（HTTP 404）：一次性码无效或已使用（RENEW_FAILED）");
    const unreachable = await cli([
      "renew",
      "--token",
      TOKEN,
      "--url",
      "http://127.0.0.1:1",
      "--code",
      "x",
      "--label",
      "frank",
      "--rekey",
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe("错误：无法连接在线更新服务：http://127.0.0.1:1（RENEW_FAILED）");
    expect(summary(snapshot())).toEqual(summary(before));
  });

  it("removes the new key when the platform certifies some other key", async () => {
    const old = await provision("grace");
    orders.set("foreign-grace", { mode: "foreign", oldSpki: old.spki });
    const before = snapshot();
    const result = await renew("foreign-grace", "grace", "--rekey");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "错误：在线更新服务签发的证书与介质中的密钥不匹配，未写入介质（CERT_KEY_MISMATCH）",
    );
    expect(summary(snapshot())).toEqual(summary(before));
  });
});

describe("certhall token renew: arguments", () => {
  it("checks its arguments before any request", async () => {
    await provision("henry");
    const sent = platform.requests.length;
    const algWithoutRekey = await renew("c", "henry", "--alg", "rsa-2048");
    expect(algWithoutRekey.code).toBe(2);
    expect(algWithoutRekey.stderr).toMatch(/^参数错误：--new-label 和 --alg 只能与 --rekey 一起使用\n/);
    const noCode = await cli(["renew", "--token", TOKEN, "--url", platform.url, "--label", "henry"]);
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toMatch(/^参数错误：缺少参数 --code\n/);
    const spaced = await renew("a b", "henry");
    expect(spaced.code).toBe(1);
    expect(spaced.stderr).toBe("错误：一次性码（--code）格式无效，请从订单页面复制（BAD_CODE）");
    const noKey = await renew("c", "nobody");
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toBe("错误：介质中没有标签为“nobody”的密钥（KEY_NOT_FOUND）");
    const badUrl = await cli([
      "renew",
      "--token",
      TOKEN,
      "--url",
      "ftp://x",
      "--code",
      "c",
      "--label",
      "henry",
    ]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toBe(
      "错误：平台地址（--url）须以 https:// 或 http:// 开头：ftp://x（RENEW_FAILED）",
    );
    expect(platform.requests.length).toBe(sent);
  });

  it("lists renew and unlock in the usage", async () => {
    const help = await cli(["--help"]);
    expect(help.stdout).toContain("renew        证书在线更新：用订单页的一次性码更新介质中的证书");
    expect(help.stdout).toContain(
      "unlock       解锁：用订单页的一次性码重置用户 PIN --url URL --code CODE --new-pin N",
    );
  });
});

describe("shanghaiDay", () => {
  it("is the Asia/Shanghai calendar day", () => {
    expect(shanghaiDay(new Date("2026-03-01T15:59:59Z"))).toBe("20260301");
    expect(shanghaiDay(new Date("2026-03-01T16:00:00Z"))).toBe("20260302");
  });
});
