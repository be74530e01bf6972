import { describe, expect, it } from "vitest";
import { MEDIA_SERIAL } from "../../api/staff-orders";
import {
  blockersToComplete,
  completeBody,
  completeDisabled,
  itemFacts,
  looksLikeCsr,
  revokedAt,
  sameSet,
  unlockOf,
  windowStep,
} from "./workbench-rules";

const item = (id: string, cert: string | null, media: string | null, details: Record<string, unknown> = {}) =>
  ({ id, certificateSerial: cert, mediaSerial: media, details }) as never;
const block = (itemId: string, b: Partial<Record<"issue" | "media" | "unlock" | "revoke", boolean>>) => ({
  itemId,
  issue: false,
  media: false,
  unlock: false,
  revoke: false,
  ...b,
});

describe("materials ticks", () => {
  it("treat the same codes in another order as the same set", () => {
    expect(sameSet(["a", "b"], ["b", "a"])).toBe(true);
    expect(sameSet(["a"], ["a", "b"])).toBe(false);
    expect(sameSet([], [])).toBe(true);
  });
});

describe("completing an order at the window", () => {
  it("is blocked by an item without a certificate or without a media serial", () => {
    for (const business of ["new", "change", "reissue", "replace", "vendor_swap"]) {
      const b = blockersToComplete({
        business,
        items: [item("1", "0A", "K1"), item("2", null, "K2"), item("3", "0B", null)],
      });
      expect(b, business).toEqual([block("2", { issue: true }), block("3", { media: true })]);
      expect(completeDisabled(b)).toBe(true);
    }
  });

  it("is ready when every item is issued on a recorded key", () => {
    expect(blockersToComplete({ business: "new", items: [item("1", "0A", "K1")] })).toEqual([]);
  });

  it("waits for every key of a 解锁 to be unlocked, online or at the window", () => {
    const items = [
      item("1", null, "K1", { unlockedAt: "2026-05-01T02:00:00.000Z", unlockedVia: "online" }),
      item("2", null, "K2"),
    ];
    const b = blockersToComplete({ business: "unlock", items });
    expect(b).toEqual([block("2", { unlock: true })]);
    expect(completeDisabled(b)).toBe(true);
    expect(unlockOf(items[0]!)).toEqual({ at: "2026-05-01T02:00:00.000Z", via: "online" });
    expect(unlockOf(items[1]!)).toBeNull();
  });

  it("leaves a 注销 not revoked here to the server (it may have been revoked another way)", () => {
    const items = [item("1", null, null, { revokedAt: "2026-05-01T02:00:00.000Z" }), item("2", null, null)];
    const b = blockersToComplete({ business: "revoke", items });
    expect(b).toEqual([block("2", { revoke: true })]);
    expect(completeDisabled(b)).toBe(false);
    expect(revokedAt(items[0]!)).toBe("2026-05-01T02:00:00.000Z");
  });

  it("sends courier and tracking number only for mail, trimmed", () => {
    expect(completeBody({ how: "handover" })).toEqual({ how: "handover" });
    expect(completeBody({ how: "mail", courier: " 顺丰速运 ", trackingNo: " SF123 " })).toEqual({
      how: "mail",
      courier: "顺丰速运",
      trackingNo: "SF123",
    });
  });
});

describe("CSR and media input", () => {
  it("accepts a PEM certificate request with either label", () => {
    expect(
      looksLikeCsr("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"),
    ).toBe(true);
    expect(
      looksLikeCsr("-----BEGIN NEW CERTIFICATE REQUEST-----\nMIIB\n-----END NEW CERTIFICATE REQUEST-----"),
    ).toBe(true);
  });

  it("refuses a certificate or a private key pasted by mistake", () => {
    expect(looksLikeCsr("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")).toBe(false);
    expect(looksLikeCsr("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----")).toBe(false);
  });

  it("takes a USB key serial of 4 to 64 letters, digits or hyphens", () => {
    expect(MEDIA_SERIAL.test("FT-2025-0001")).toBe(true);
    expect(MEDIA_SERIAL.test("abc")).toBe(false);
    expect(MEDIA_SERIAL.test("KEY 01")).toBe(false);
  });
});

describe("what the window does per business", () => {
  it("issues for 新证, 变更, 补证, 换证 and 其他厂商介质证书更换; unlocks; revokes", () => {
    expect(["new", "change", "reissue", "replace", "vendor_swap"].map(windowStep)).toEqual(
      Array(5).fill("issue"),
    );
    expect(windowStep("unlock")).toBe("unlock");
    expect(windowStep("revoke")).toBe("revoke");
    expect(windowStep("renew")).toBe("none");
    expect(windowStep("nonsense")).toBe("none");
  });

  it("reads the old serial, the changes and reason, the reissue cause and the vendor certificate", () => {
    const change = itemFacts("change", {
      targetSerial: "0a1b",
      details: { changes: { name: "新名称", address: "新地址", legalRep: "" }, reason: "更名" },
    });
    expect(change).toMatchObject({
      oldSerial: "0a1b",
      changes: [
        { field: "name", value: "新名称" },
        { field: "address", value: "新地址" },
      ],
      reason: "更名",
    });
    expect(itemFacts("reissue", { targetSerial: "0c", details: { cause: "lost" } }).cause).toBe("lost");
    expect(itemFacts("reissue", { targetSerial: "0c", details: { cause: "stolen" } }).cause).toBeNull();
    const vendor = {
      subject: "CN=x",
      issuer: "CN=y",
      serialHex: "01",
      notBefore: "a",
      notAfter: "b",
      fingerprintSha256: "f",
    };
    const swap = itemFacts("vendor_swap", { targetSerial: "vendor:AB:CD", details: { vendor } });
    expect(swap.oldSerial).toBeNull();
    expect(swap.vendor).toEqual(vendor);
    expect(itemFacts("new", { targetSerial: null, details: null })).toEqual({
      oldSerial: null,
      changes: [],
      reason: null,
      cause: null,
      vendor: null,
    });
  });
});
