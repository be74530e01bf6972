import { BUSINESS_TYPES, type CaTypePrices } from "@certhall/domain";
import { describe, expect, it } from "vitest";
import type { CandidateCertificate, OrderDetail } from "../../api/orders";
import { placeProblems, resolveAmong } from "../orders/form-errors";
import { BUSINESS_FORMS } from "./businesses";
import { type CertPick, withoutItemPrefix } from "./businesses/define";
import { renewNeedsReview } from "./businesses/renew";
import {
  browserUpdatePlan,
  businessFees,
  businessLink,
  businessPanels,
  bytesToBase64,
  candidateBlock,
  checkRows,
  csrCommonName,
  isOwnTargetBusiness,
  isZeroBusiness,
  knownFields,
  newRow,
  OWN_TARGET_BUSINESSES,
  pendingKeyId,
  pickFromCandidate,
  renewedPemFile,
  rowsFromOrder,
  submittedMessage,
  toBusinessInput,
  tokenRenewCommand,
  tokenUnlockCommand,
} from "./logic";

const handler = { name: "王五", idNumber: "11010519491231002X", phone: "13800138000" };

const prices: CaTypePrices = {
  certFee: 10_000,
  mediaFee: 8_000,
  annualFee: 30_000,
  esealFee: 50_000,
  changeFee: 5_000,
  reissueFee: 6_000,
  replaceFee: 7_000,
};

const candidate = (over: Partial<CandidateCertificate> = {}): CandidateCertificate => ({
  serialHex: "0a1b",
  subjectDn: "CN=甲公司",
  notBefore: "2024-01-01T00:00:00.000Z",
  notAfter: "2026-01-01T00:00:00.000Z",
  status: "good",
  subject: {
    id: "s1",
    kind: "company",
    name: "甲公司",
    identity: "91350100MA2XXXXX0X",
    legalRep: "张三",
    address: "福州市鼓楼区",
  },
  caType: { id: "ct1", name: "企业证书" },
  mediaSerial: "TOKEN01",
  eligible: true,
  problem: null,
  heldBy: null,
  ...over,
});

const cert: CertPick = pickFromCandidate(candidate());

describe("business list", () => {
  it("has a page for the seven businesses that act on own certificates, not 新证 or vendor_swap", () => {
    expect(OWN_TARGET_BUSINESSES).toEqual([
      "renew",
      "eseal",
      "change",
      "reissue",
      "unlock",
      "replace",
      "revoke",
    ]);
    // The form has a definition for exactly the businesses the domain says act on own certificates.
    expect(Object.keys(BUSINESS_FORMS).sort()).toEqual([...OWN_TARGET_BUSINESSES].sort());
    expect(isOwnTargetBusiness("renew")).toBe(true);
    expect(isOwnTargetBusiness("vendor_swap")).toBe(false);
    expect(isOwnTargetBusiness("new")).toBe(false);
    expect(isOwnTargetBusiness("nonsense")).toBe(false);
  });

  it("links every business to its page; 新证 goes to its chooser", () => {
    expect(businessLink("new")).toBe("/apply/new");
    expect(businessLink("renew")).toBe("/business/renew");
    expect(businessLink("vendor_swap")).toBe("/business/vendor_swap");
  });

  it("knows the zero-amount businesses from BUSINESS_TYPES", () => {
    expect(isZeroBusiness("unlock")).toBe(true);
    expect(isZeroBusiness("revoke")).toBe(true);
    expect(isZeroBusiness("renew")).toBe(false);
    expect(isZeroBusiness("bogus")).toBe(false);
  });
});

describe("toBusinessInput", () => {
  it("sends renew years and the key choice, nothing of other businesses", () => {
    const input = toBusinessInput(
      "renew",
      "company",
      handler,
      [{ certificateSerial: "0a1b", years: 3, keepKey: false, reason: "stale", cause: "lost" }],
      true,
    );
    expect(input).toEqual({
      business: "renew",
      subjectKind: "company",
      handler,
      items: [{ certificateSerial: "0a1b", years: 3, keepKey: false }],
    });
  });

  it("sends the seal fields trimmed, and 变更 without empty or person-forbidden fields", () => {
    const eseal = toBusinessInput(
      "eseal",
      "company",
      handler,
      [{ certificateSerial: "0a1b", seal: { name: "  甲公司公章 ", kind: "公章", uploadId: "u1" } }],
      false,
    );
    expect(eseal.items[0]).toEqual({
      certificateSerial: "0a1b",
      seal: { name: "甲公司公章", kind: "公章", uploadId: "u1" },
    });
    const company = toBusinessInput(
      "change",
      "company",
      handler,
      [
        {
          certificateSerial: "0a1b",
          changes: { name: " 乙公司 ", legalRep: "", address: "  " },
          reason: " 更名 ",
        },
      ],
      false,
    );
    expect(company.items[0]).toEqual({
      certificateSerial: "0a1b",
      changes: { name: "乙公司" },
      reason: "更名",
    });
    const person = toBusinessInput(
      "change",
      "person",
      handler,
      [{ certificateSerial: "0a1b", changes: { name: "李四", address: "厦门" }, reason: "改名" }],
      false,
    );
    expect(person.items[0]?.changes).toEqual({ name: "李四" });
  });

  it("sends `confirmed` only for the businesses that have the box, as ticked", () => {
    const rows = [{ certificateSerial: "0a1b" }];
    expect(toBusinessInput("replace", "company", handler, rows, false).confirmed).toBe(false);
    expect(toBusinessInput("revoke", "company", handler, rows, true).confirmed).toBe(true);
    expect("confirmed" in toBusinessInput("unlock", "company", handler, rows, true)).toBe(false);
    expect(
      toBusinessInput("reissue", "company", handler, [{ certificateSerial: "0a1b", cause: "lost" }], false)
        .items[0],
    ).toEqual({ certificateSerial: "0a1b", cause: "lost" });
    expect(
      toBusinessInput(
        "revoke",
        "company",
        handler,
        [{ certificateSerial: "0a1b", reason: "keyCompromise", cause: "lost" }],
        true,
      ).items[0],
    ).toEqual({ certificateSerial: "0a1b", reason: "keyCompromise" });
  });
});

describe("rowsFromOrder", () => {
  const item = (details: Record<string, unknown>, targetSerial: string | null = "0a1b") =>
    ({
      id: "i1",
      subject: candidate().subject,
      caType: { id: "ct1", name: "企业证书" },
      years: 2,
      eseal: false,
      feeLines: [],
      amountFen: 0,
      certificateSerial: null,
      mediaSerial: null,
      targetSerial,
      details,
    }) as OrderDetail["items"][number];

  it("reads the stored details back into the form's rows", () => {
    expect(rowsFromOrder({ business: "renew", items: [item({ keepKey: true })] })).toEqual([
      { certificateSerial: "0a1b", years: 2, keepKey: true },
    ]);
    expect(
      rowsFromOrder({
        business: "eseal",
        items: [item({ sealName: "公章", sealKind: "公章", sealUploadId: "u9", sealSha256: "ab" })],
      }),
    ).toEqual([{ certificateSerial: "0a1b", seal: { name: "公章", kind: "公章", uploadId: "u9" } }]);
    expect(
      rowsFromOrder({ business: "change", items: [item({ changes: { address: "厦门" }, reason: "搬迁" })] }),
    ).toEqual([
      {
        certificateSerial: "0a1b",
        changes: { name: undefined, legalRep: undefined, address: "厦门" },
        reason: "搬迁",
      },
    ]);
    expect(rowsFromOrder({ business: "reissue", items: [item({ cause: "broken" })] })).toEqual([
      { certificateSerial: "0a1b", cause: "broken" },
    ]);
    expect(rowsFromOrder({ business: "revoke", items: [item({ reason: "affiliationChanged" })] })).toEqual([
      { certificateSerial: "0a1b", reason: "affiliationChanged" },
    ]);
    // A stored reason the form does not offer is left for the applicant to choose.
    expect(rowsFromOrder({ business: "revoke", items: [item({ reason: "superseded" })] })).toEqual([
      { certificateSerial: "0a1b" },
    ]);
  });

  it("skips items that do not target an own certificate", () => {
    expect(rowsFromOrder({ business: "renew", items: [item({}, null), item({}, "vendor:ab")] })).toEqual([]);
  });
});

describe("businessFees", () => {
  const caTypes = [{ id: "ct1", prices }];
  const certs = new Map([["0a1b", cert]]);

  it("prices renew by years and each business by its own line, as the server does", () => {
    const renew = businessFees("renew", [{ certificateSerial: "0a1b", years: 3 }], certs, caTypes);
    expect(renew.total).toBe(90_000);
    expect(renew.rows[0]?.lines.map((l) => l.code)).toEqual(["annual"]);
    expect(businessFees("eseal", [{ certificateSerial: "0a1b" }], certs, caTypes).total).toBe(50_000);
    expect(businessFees("change", [{ certificateSerial: "0a1b" }], certs, caTypes).total).toBe(5_000);
    expect(businessFees("reissue", [{ certificateSerial: "0a1b" }], certs, caTypes).total).toBe(14_000);
    expect(businessFees("replace", [{ certificateSerial: "0a1b" }], certs, caTypes).total).toBe(15_000);
  });

  it("is zero for unlock and revoke", () => {
    const f = businessFees(
      "unlock",
      [{ certificateSerial: "0a1b" }, { certificateSerial: "0a1b" }],
      certs,
      caTypes,
    );
    expect(f.total).toBe(0);
    expect(f.unknown).toBe(false);
    expect(businessFees("revoke", [{ certificateSerial: "0a1b" }], certs, caTypes).total).toBe(0);
  });

  it("marks a row whose product is no longer in the catalog as unknown instead of ¥0", () => {
    const f = businessFees("renew", [{ certificateSerial: "0a1b", years: 1 }], certs, []);
    expect(f.unknown).toBe(true);
    expect(f.rows[0]?.unknown).toBe(true);
  });
});

describe("candidateBlock", () => {
  it("passes an eligible certificate of the order's kind", () => {
    expect(candidateBlock(candidate(), { kind: "company", chosen: new Set() })).toBeNull();
    expect(candidateBlock(candidate(), { kind: null, chosen: new Set() })).toBeNull();
  });

  it("shows the server's problem, a duplicate, or the other subject kind", () => {
    expect(
      candidateBlock(candidate({ eligible: false, problem: "证书已吊销，不能办理" }), {
        kind: null,
        chosen: new Set(),
      }),
    ).toBe("证书已吊销，不能办理");
    expect(candidateBlock(candidate(), { kind: "company", chosen: new Set(["0a1b"]) })).toBe("已在本订单中");
    expect(candidateBlock(candidate(), { kind: "person", chosen: new Set() })).toMatch(/个人证书/);
  });
});

describe("checkRows", () => {
  const certs = new Map([["0a1b", cert]]);

  it("puts the shared 变更 rule's message on the field it names", () => {
    expect(
      checkRows("change", [{ certificateSerial: "0a1b", changes: { name: "甲公司" }, reason: "x" }], certs),
    ).toEqual([
      { name: ["items", 0, "changes", "name"], errors: [expect.stringContaining("请至少修改一项信息")] },
    ]);
    expect(
      checkRows("change", [{ certificateSerial: "0a1b", changes: { legalRep: "李四" }, reason: "" }], certs),
    ).toEqual([{ name: ["items", 0, "reason"], errors: ["请填写变更原因"] }]);
    expect(
      checkRows(
        "change",
        [{ certificateSerial: "0a1b", changes: { legalRep: "李四" }, reason: "换人" }],
        certs,
      ),
    ).toEqual([]);
  });

  it("asks for the seal image, name and a known kind", () => {
    const errors = checkRows(
      "eseal",
      [{ certificateSerial: "0a1b", seal: { name: " ", kind: "私章" } }],
      certs,
    );
    expect(errors.map((e) => e.name.join("."))).toEqual([
      "items.0.seal.uploadId",
      "items.0.seal.name",
      "items.0.seal.kind",
    ]);
  });
});

describe("server errors on the business form", () => {
  it("places item fields, parent paths and `confirmed`; leaves the rest for a toast", () => {
    const resolve = resolveAmong(knownFields("replace", 2));
    expect(
      placeProblems(
        {
          detail: "x",
          errors: [
            { field: "items.1.certificateSerial", message: "第 2 项：证书不存在" },
            { field: "confirmed", message: "请勾选【是否换证】确认办理" },
          ],
        },
        resolve,
      ),
    ).toEqual({
      placed: [
        { name: ["items", 1, "certificateSerial"], errors: ["第 2 项：证书不存在"] },
        { name: ["confirmed"], errors: ["请勾选【是否换证】确认办理"] },
      ],
      rest: false,
    });
    const change = resolveAmong(knownFields("change", 1));
    expect(placeProblems({ field: "items.0.changes", detail: "请至少修改一项", errors: [] }, change)).toEqual(
      {
        placed: [{ name: ["items", 0, "changes", "name"], errors: ["请至少修改一项"] }],
        rest: false,
      },
    );
    expect(placeProblems({ field: "items", detail: "已被占用", errors: [] }, change).rest).toBe(true);
    expect(placeProblems({ field: "items.0.seal.uploadId", detail: "x", errors: [] }, change).rest).toBe(
      true,
    );
  });

  it("knows the e-seal and renew inputs", () => {
    const names = knownFields("eseal", 1).map((n) => n.join("."));
    expect(names).toContain("items.0.seal.uploadId");
    expect(knownFields("renew", 1).map((n) => n.join("."))).toContain("items.0.keepKey");
    expect(knownFields("unlock", 1).map((n) => n.join("."))).not.toContain("confirmed");
    expect(BUSINESS_TYPES.revoke.confirmation).toBeTruthy();
    expect(knownFields("revoke", 0).map((n) => n.join("."))).toContain("confirmed");
    expect(knownFields("revoke", 1).map((n) => n.join("."))).toContain("items.0.reason");
  });
});

describe("small helpers", () => {
  it("starts rows with only the applicant's choices empty", () => {
    expect(newRow("renew", cert)).toEqual({ certificateSerial: "0a1b", years: 1 });
    expect(newRow("revoke", cert)).toEqual({ certificateSerial: "0a1b" });
  });

  it("warns that a renewal of a certificate expired over a year goes to review", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    expect(renewNeedsReview("2025-01-01T00:00:00Z", 1, now)).toBe(true);
    expect(renewNeedsReview("2026-05-01T00:00:00Z", 1, now)).toBe(false);
    expect(renewNeedsReview(null, 1, now)).toBe(false);
  });

  it("prints the USB Key client commands", () => {
    expect(tokenRenewCommand("https://ca.example", "ABCD", true)).toBe(
      "certhall token renew --url https://ca.example --code ABCD --label <介质中原证书密钥的标签>",
    );
    expect(tokenRenewCommand("https://ca.example", "ABCD", false)).toMatch(/ --rekey$/);
    expect(tokenUnlockCommand("https://ca.example")).toBe(
      "certhall token unlock --url https://ca.example --code <短信中的授权码> --new-pin <新PIN>",
    );
  });

  it("encodes file bytes as base64, also beyond one chunk", () => {
    expect(bytesToBase64(new Uint8Array([0x30, 0x82, 0xff]))).toBe("MIL/");
    const big = new Uint8Array(70_000).map((_, i) => i % 256);
    expect(Buffer.from(bytesToBase64(big), "base64").equals(Buffer.from(big))).toBe(true);
  });

  it("drops the item prefix of a server message shown on the item's own field", () => {
    expect(withoutItemPrefix("第 1 项：证书已过期")).toBe("证书已过期");
    expect(withoutItemPrefix("证书已过期")).toBe("证书已过期");
  });
});

describe("online update helpers", () => {
  it("makes a request CN from the subject: no control characters, at most 64 characters", () => {
    expect(csrCommonName("甲公司\n")).toBe("甲公司");
    expect([...csrCommonName("名".repeat(80))]).toHaveLength(64);
    expect(csrCommonName("  ")).toBe("certhall online update");
  });

  it("keeps the pending key id per order item and writes certificate + chain as one file", () => {
    expect(pendingKeyId("o1", "i1")).toBe("pending:o1:i1");
    expect(renewedPemFile({ certificatePem: "A\n", chainPem: "B\n" })).toBe("A\nB\n");
    expect(renewedPemFile({ certificatePem: "A", chainPem: "" })).toBe("A\n");
  });

  it("offers the browser only when it can do what the item needs", () => {
    expect(browserUpdatePlan({ supported: undefined, keepKey: false, oldKeyFound: undefined })).toBe(
      "checking",
    );
    expect(browserUpdatePlan({ supported: false, keepKey: false, oldKeyFound: undefined })).toBe(
      "unsupported",
    );
    expect(browserUpdatePlan({ supported: true, keepKey: false, oldKeyFound: undefined })).toBe("ready");
    expect(browserUpdatePlan({ supported: true, keepKey: true, oldKeyFound: undefined })).toBe("checking");
    expect(browserUpdatePlan({ supported: true, keepKey: true, oldKeyFound: false })).toBe("no_old_key");
    expect(browserUpdatePlan({ supported: true, keepKey: true, oldKeyFound: true })).toBe("ready");
  });
});

describe("businessPanels", () => {
  it("shows the zero payment for unlock and revoke, the key notice before paying a renewal", () => {
    expect(businessPanels({ business: "unlock", state: "awaiting_payment" }).zeroPay).toBe(true);
    expect(businessPanels({ business: "replace", state: "awaiting_payment" }).zeroPay).toBe(false);
    expect(businessPanels({ business: "renew", state: "awaiting_payment" }).renewNotice).toBe(true);
    expect(businessPanels({ business: "renew", state: "ready" }).renewNotice).toBe(false);
  });

  it("offers 证书在线更新 at ready, the e-seal downloads at ready and completed, unlock from materials on", () => {
    expect(businessPanels({ business: "renew", state: "ready" }).onlineUpdate).toBe(true);
    expect(businessPanels({ business: "renew", state: "awaiting_booking" }).onlineUpdate).toBe(false);
    expect(businessPanels({ business: "eseal", state: "completed" }).eseal).toBe(true);
    expect(businessPanels({ business: "eseal", state: "awaiting_payment" }).eseal).toBe(false);
    expect(businessPanels({ business: "unlock", state: "processing" }).unlock).toBe(true);
    expect(businessPanels({ business: "unlock", state: "draft" }).unlock).toBe(false);
    expect(businessPanels({ business: "bogus", state: "ready" })).toEqual({
      zeroPay: false,
      renewNotice: false,
      onlineUpdate: false,
      eseal: false,
      unlock: false,
    });
  });
});

describe("submittedMessage", () => {
  const t = (key: string, vars?: Record<string, string>) => `${key}:${vars?.no}`;
  it("names the next step by the state the order went to", () => {
    expect(submittedMessage(t, { orderNo: "CH1", state: "submitted", business: "renew" })).toBe(
      "apply.submitted:CH1",
    );
    expect(submittedMessage(t, { orderNo: "CH2", state: "awaiting_payment", business: "change" })).toBe(
      "biz.submittedPay:CH2",
    );
    expect(submittedMessage(t, { orderNo: "CH3", state: "awaiting_payment", business: "revoke" })).toBe(
      "biz.submittedZero:CH3",
    );
  });
});
