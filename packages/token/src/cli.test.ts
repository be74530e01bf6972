import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTokenCli } from "./cli";
import {
  createOpensslCa,
  createSoftHsm,
  opensslVerifyCsr,
  type SoftHsm,
  type TestCa,
} from "./testing/softhsm";

const PIN = "123456";
let hsm: SoftHsm;
let ca: TestCa;

beforeAll(() => {
  hsm = createSoftHsm();
  hsm.initToken("cli", { soPin: "87654321", pin: PIN });
  hsm.initToken("enroll", { soPin: "87654321", pin: PIN });
  hsm.initToken("pin", { soPin: "87654321", pin: PIN });
  ca = createOpensslCa(hsm.dir);
});

afterAll(() => hsm?.remove());

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const args = (token: string, ...rest: string[]) => [
  "--module",
  hsm.modulePath,
  "--token",
  token,
  "--pin",
  PIN,
  ...rest,
];

interface ListJson {
  keys: { label: string; id: string; algorithm: string }[];
  certificates: { label: string; id: string; serialHex: string; certificatePem: string }[];
}

async function list(token: string): Promise<ListJson> {
  const result = await cli(["list", ...args(token), "--json"]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ListJson;
}

describe("certhall token keygen / csr / import-cert / list", () => {
  it("generates a key, writes a verifiable request, imports the signed certificate and lists it", async () => {
    const keygen = await cli(["token", "keygen", ...args("cli", "--label", "alice", "--alg", "rsa-2048")]);
    expect(keygen.code).toBe(0);
    expect(keygen.stdout).toMatch(/^已在介质中生成密钥对：标签 alice，算法 rsa-2048，ID [0-9a-f]{40}$/);

    const reqPath = join(hsm.dir, "alice.req.pem");
    const csr = await cli([
      "csr",
      ...args("cli", "--label", "alice", "--out", reqPath, "--subject-json", '{"commonName":"爱丽丝"}'),
    ]);
    expect(csr.code).toBe(0);
    expect(csr.stdout).toBe(`证书请求已写入 ${reqPath}`);
    expect(opensslVerifyCsr(reqPath)).toBe(true);

    const certPem = ca.sign(readFileSync(reqPath, "utf8"));
    const certPath = join(hsm.dir, "alice.cert.pem");
    writeFileSync(certPath, certPem);
    const imported = await cli(["import-cert", ...args("cli", "--label", "alice", "--cert", certPath)]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^证书已写入介质：序列号 [0-9a-f]+，有效期至 /);

    const listed = await list("cli");
    const key = listed.keys.find((k) => k.label === "alice");
    const cert = listed.certificates.find((c) => c.label === "alice");
    expect(key?.algorithm).toBe("rsa-2048");
    expect(cert?.id).toBe(key?.id);
    expect(new X509Certificate(cert!.certificatePem).raw.equals(new X509Certificate(certPem).raw)).toBe(true);
  });

  it("uses the label as the common name when no subject is given and prints the PEM", async () => {
    expect((await cli(["keygen", ...args("cli", "--label", "bob")])).code).toBe(0);
    const csr = await cli(["csr", ...args("cli", "--label", "bob")]);
    expect(csr.code).toBe(0);
    expect(csr.stdout).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const reqPath = join(hsm.dir, "bob.req.pem");
    writeFileSync(reqPath, csr.stdout);
    expect(execFileSync("openssl", ["req", "-in", reqPath, "-noout", "-subject"]).toString().trim()).toBe(
      "subject=CN = bob",
    );
  });

  it("takes the PIN from CERTHALL_TOKEN_PIN and the module from CERTHALL_PKCS11_MODULE", async () => {
    const result = await cli(["list", "--token", "cli"], {
      CERTHALL_TOKEN_PIN: PIN,
      CERTHALL_PKCS11_MODULE: hsm.modulePath,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^密钥（\d+）：/);
  });

  it("exits 1 with a Chinese message on a wrong PIN", async () => {
    const result = await cli(["list", "--module", hsm.modulePath, "--token", "cli", "--pin", "999999"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("错误：PIN 码错误，连续输错多次将锁定介质（PIN_INCORRECT）");
  });

  it("exits 2 and shows the usage for a missing argument or an unknown command", async () => {
    const missing = await cli(["keygen", ...args("cli")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^参数错误：缺少参数 --label\n/);
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^用法 \/ usage: certhall token <命令>/);
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("enroll       生成密钥、申请并写入证书");
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("未知命令：frobnicate");
    const bad = await cli(["keygen", ...args("cli", "--label", "x", "--alg", "dsa")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--alg 只能是 ecdsa-p256 或 rsa-2048");
  });

  it("refuses to import a certificate that belongs to another key", async () => {
    expect((await cli(["keygen", ...args("cli", "--label", "carol")])).code).toBe(0);
    expect((await cli(["keygen", ...args("cli", "--label", "dave")])).code).toBe(0);
    const csr = await cli(["csr", ...args("cli", "--label", "dave")]);
    const certPath = join(hsm.dir, "dave.cert.pem");
    writeFileSync(certPath, ca.sign(csr.stdout));
    const result = await cli(["import-cert", ...args("cli", "--label", "carol", "--cert", certPath)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("错误：证书与介质中的密钥不匹配，不能写入（CERT_KEY_MISMATCH）");
  });

  it("runs as a program through tsx", () => {
    const cliPath = fileURLToPath(new URL("./cli.ts", import.meta.url));
    const out = execFileSync("npx", ["tsx", cliPath, "list", "--module", hsm.modulePath, "--token", "cli"], {
      env: { ...process.env, CERTHALL_TOKEN_PIN: PIN },
    }).toString();
    expect(out).toMatch(/^密钥（\d+）：\n/);
    expect(out).toContain("\n  alice  rsa-2048  ID ");
  });
});

describe("certhall token enroll", () => {
  interface Seen {
    authorization?: string;
    path?: string;
    body?: { csrPem: string; profile: string; subject: Record<string, string> };
  }
  let server: Server;
  let url: string;
  const seen: Seen = {};

  beforeAll(async () => {
    // A stand-in for the platform's issue endpoint, signing with the openssl CA.
    server = createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk) => {
        raw += chunk;
      });
      req.on("end", () => {
        seen.authorization = req.headers.authorization;
        seen.path = req.url;
        seen.body = JSON.parse(raw) as Seen["body"];
        const reply = (status: number, body: unknown, type = "application/json") => {
          res.writeHead(status, { "content-type": type });
          res.end(JSON.stringify(body));
        };
        if (req.headers.authorization !== "Bearer good-token") return reply(401, { title: "Unauthorized" });
        if (seen.body?.profile === "bad-profile") {
          return reply(
            422,
            {
              type: "about:blank",
              title: "无法签发",
              detail: "证书模板不存在：bad-profile",
              code: "PKI_PROFILE",
            },
            "application/problem+json",
          );
        }
        const certificatePem = ca.sign(seen.body!.csrPem);
        reply(200, {
          certificatePem,
          chainPem: readFileSync(ca.certPath, "utf8"),
          serialHex: new X509Certificate(certificatePem).serialNumber.toLowerCase(),
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const subjectJson = JSON.stringify({
    commonName: "福建某某科技有限公司",
    serialNumber: "91350100M000100Y43",
  });

  it("generates the key, posts the request and writes the issued certificate back", async () => {
    const chainPath = join(hsm.dir, "chain.pem");
    const result = await cli([
      "enroll",
      ...args("enroll", "--url", `${url}/`, "--service-token", "good-token", "--profile", "enterprise-sign"),
      "--subject-json",
      subjectJson,
      "--label",
      "company",
      "--chain-out",
      chainPath,
      "--json",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(seen.path).toBe("/api/v1/pki/issue");
    expect(seen.authorization).toBe("Bearer good-token");
    expect(seen.body?.profile).toBe("enterprise-sign");
    expect(seen.body?.subject).toEqual(JSON.parse(subjectJson));
    expect(seen.body?.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);

    const output = JSON.parse(result.stdout) as { serialHex: string; id: string; certificatePem: string };
    const listed = await list("enroll");
    const cert = listed.certificates.find((c) => c.label === "company");
    expect(cert?.serialHex).toBe(output.serialHex);
    expect(cert?.id).toBe(output.id);
    expect(listed.keys.find((k) => k.label === "company")?.id).toBe(output.id);
    expect(readFileSync(chainPath, "utf8")).toBe(readFileSync(ca.certPath, "utf8"));
    // The certificate chains to the CA the platform used.
    const leafPath = join(hsm.dir, "company.pem");
    writeFileSync(leafPath, cert!.certificatePem);
    expect(execFileSync("openssl", ["verify", "-CAfile", ca.certPath, leafPath]).toString()).toContain(
      ": OK",
    );
  });

  it("takes the service token from CERTHALL_SERVICE_TOKEN and picks a free default label", async () => {
    const enrollWithEnv = () =>
      cli(
        [
          "enroll",
          ...args("enroll", "--url", url, "--profile", "p", "--subject-json", '{"commonName":"env"}'),
        ],
        {
          CERTHALL_SERVICE_TOKEN: "good-token",
        },
      );
    const first = await enrollWithEnv();
    const second = await enrollWithEnv();
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stdout).toMatch(/^证书已签发并写入介质：标签 certhall-\d{14}(-\d+)?，序列号 [0-9a-f]+/);
    const labelOf = (out: string) => /标签 (\S+)，/.exec(out)?.[1];
    expect(labelOf(second.stdout)).not.toBe(labelOf(first.stdout));
  });

  it("reports a refused service token and leaves no key behind", async () => {
    const result = await cli([
      "enroll",
      ...args(
        "enroll",
        "--url",
        url,
        "--service-token",
        "bad",
        "--profile",
        "p",
        "--subject-json",
        subjectJson,
      ),
      "--label",
      "refused",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("错误：签发失败（HTTP 401）：服务令牌无效或无权签发（ISSUE_FAILED）");
    expect((await list("enroll")).keys.map((k) => k.label)).not.toContain("refused");
  });

  it("shows the platform's problem detail when it cannot issue", async () => {
    const result = await cli([
      "enroll",
      ...args("enroll", "--url", url, "--service-token", "good-token", "--profile", "bad-profile"),
      "--subject-json",
      subjectJson,
      "--label",
      "bad-profile",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("错误：签发失败（HTTP 422）：证书模板不存在：bad-profile（ISSUE_FAILED）");
    expect((await list("enroll")).keys.map((k) => k.label)).not.toContain("bad-profile");
  });

  it("says so when the platform cannot be reached", async () => {
    const result = await cli([
      "enroll",
      ...args("enroll", "--url", "http://127.0.0.1:1", "--service-token", "t", "--profile", "p"),
      "--subject-json",
      subjectJson,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("错误：无法连接签发服务：http://127.0.0.1:1（ISSUE_FAILED）");
  });

  it("checks the subject before touching the token", async () => {
    const result = await cli([
      "enroll",
      ...args("enroll", "--url", url, "--service-token", "good-token", "--profile", "p"),
      "--subject-json",
      '{"commonName":""}',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("错误：证书名称（CN）不能为空（BAD_SUBJECT）");
  });
});

describe("certhall token reset-pin / change-pin", () => {
  it("unlocks with the SO PIN, then the holder sets their own PIN", async () => {
    const target = ["--module", hsm.modulePath, "--token", "pin"];
    const reset = await cli(["reset-pin", ...target, "--so-pin", "87654321", "--new-pin", "000111"]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toBe("用户 PIN 已重置，请尽快修改为自己的 PIN");
    expect((await cli(["list", ...target, "--pin", PIN])).code).toBe(1);
    const change = await cli(["change-pin", ...target, "--pin", "000111", "--new-pin", "424242"]);
    expect(change.code).toBe(0);
    expect((await cli(["list", ...target, "--pin", "424242"])).code).toBe(0);
  });
});
