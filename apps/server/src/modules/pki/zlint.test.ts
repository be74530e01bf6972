// Issue 12 item 7: what the CA makes, checked by tools we did not write. zlint (../shared/tools/zlint
// from the repository root, see /work/shared/tools/README.md) over the root, the issuing CA, one
// certificate of every profile and a CRL, for the ECDSA and RSA hierarchies: no error, no warning, each
// notice explained (EXPLAINED_LINT_NOTICES in packages/pki/src/profiles.ts). zlint cannot parse SM2
// keys, so the SM2 hierarchy is checked link by link with openssl and the SM2 distinguishing ID.
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { EXPLAINED_LINT_NOTICES, PROFILES, parseCertificate } from "@certhall/pki";
import { opensslSm2Verify } from "@certhall/pki/test-support";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CaTestApp,
  createCaTestApp,
  derToPem,
  ENTERPRISE,
  type KeyKind,
  makeCsr,
  opensslOk,
  write,
} from "./test-support";

const repoRoot = path.resolve(import.meta.dirname, "../../../../..");

/** ../shared/tools/zlint beside the repository (for a git worktree: beside its main checkout). */
function findZlint(): string | null {
  const roots = [repoRoot];
  try {
    const common = execFileSync("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    roots.push(path.dirname(common));
  } catch {
    // not a git checkout: only the first place
  }
  return roots.map((r) => path.resolve(r, "../shared/tools/zlint")).find((p) => existsSync(p)) ?? null;
}

const zlint = findZlint();
if (!zlint)
  console.warn("zlint.test.ts: ../shared/tools/zlint not found beside the repository, zlint checks skipped");

interface Findings {
  problems: string[];
  notices: string[];
}

function runZlint(dir: string, file: string): Promise<Findings> {
  return new Promise((resolve, reject) => {
    execFile(zlint!, ["-pretty", file], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      const results = JSON.parse(stdout) as Record<string, { result: string; details?: string }>;
      const problems: string[] = [];
      const notices: string[] = [];
      for (const [name, r] of Object.entries(results)) {
        if (["error", "warn", "fatal"].includes(r.result))
          problems.push(`${r.result} ${name} ${r.details ?? ""}`.trim());
        if (["notice", "info"].includes(r.result)) notices.push(name);
      }
      resolve({ problems, notices });
    });
  });
}

const apps: CaTestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
});

const SUBJECTS: Record<string, Record<string, unknown>> = {
  enterprise: ENTERPRISE,
  person: { kind: "person", name: "张三", idNumber: "11010519491231002X" },
};

/** A hierarchy of `algorithm` with one certificate of every profile and a CRL listing one of them. */
async function hierarchy(algorithm: string, key: KeyKind) {
  const t = await createCaTestApp({ CA_ALGORITHM: algorithm, PKI_CPS_URL: "http://ca.example.cn/cps" });
  apps.push(t);
  const issuing = t.ca.issuing();
  const root = t.ca.chainOf(issuing)[1]!;
  const files: Record<string, string> = {
    root: write(t.dir, "root.pem", root.certPem),
    issuing: write(t.dir, "issuing.pem", issuing.certPem),
  };
  const leaves: Record<string, string> = {};
  for (const profile of Object.values(PROFILES)) {
    const csrPem = await makeCsr(t.dir, key, `leaf-${profile.id}`);
    const r = await t.ca.issue(
      { type: "system", id: "zlint-test" },
      { csrPem, profile: profile.id, subject: SUBJECTS[profile.subjectKind]! },
    );
    files[profile.id] = write(t.dir, `${profile.id}.pem`, r.certificatePem);
    leaves[profile.id] = r.serialHex;
  }
  await t.ca.revoke(
    { type: "system", id: "zlint-test" },
    { serialHex: leaves.eseal!, reason: "keyCompromise" },
  );
  const crl = await t.ca.currentCrl(issuing.slug);
  files.crl = write(t.dir, "issuing.crl.pem", derToPem(crl.der, "X509 CRL"));
  return { t, files, root, issuing };
}

describe.skipIf(!zlint).each([
  ["ecdsa-p256", "p256"],
  ["rsa-3072", "rsa2048"],
] as const)("zlint over the %s hierarchy", (algorithm, key) => {
  it("finds no error or warning and only explained notices in the root, issuing CA, every profile and the CRL", async () => {
    const { t, files } = await hierarchy(algorithm, key);
    const summary: string[] = [];
    for (const [what, file] of Object.entries(files)) {
      const f = await runZlint(t.dir, file);
      expect(f.problems, `${algorithm} ${what}`).toEqual([]);
      for (const n of f.notices)
        expect(EXPLAINED_LINT_NOTICES, `${algorithm} ${what}: ${n}`).toHaveProperty(n);
      summary.push(
        `${what}: ${f.problems.length} problems (${f.problems.map((p) => p.split(" ")[1]).join(", ") || "none"}), notices ${f.notices.join(", ") || "none"}`,
      );
    }
    console.info(`zlint ${algorithm}\n  ${summary.join("\n  ")}`);
  });
});

describe("SM2 hierarchy, checked by openssl with the SM2 distinguishing ID", () => {
  it("verifies every link: root self-signature, issuing CA under the root, each profile under the issuing CA", async () => {
    const { t, files, root } = await hierarchy("sm2", "sm2");
    const ID = ["-vfyopt", "distid:1234567812345678"];
    // OpenSSL 3.0 applies -vfyopt to the target certificate only, so each link is its own verify.
    expect(await opensslOk(["verify", ...ID, "-CAfile", files.root!, files.issuing!], t.dir)).toMatch(/OK/);
    for (const profile of Object.keys(PROFILES)) {
      expect(
        await opensslOk(
          ["verify", ...ID, "-partial_chain", "-CAfile", files.issuing!, files[profile]!],
          t.dir,
        ),
      ).toMatch(/OK/);
    }
    const self = parseCertificate(root.certDer);
    expect(opensslSm2Verify(t.dir, self.tbs, self.signature, self.spki)).toBe(true);
    const text = await opensslOk(["x509", "-in", files["enterprise-sign"]!, "-noout", "-text"], t.dir);
    expect(text).toMatch(/Signature Algorithm: SM2-with-SM3/);
    expect(text).toContain("http://ca.test.example/pki/ocsp");
  });
});
