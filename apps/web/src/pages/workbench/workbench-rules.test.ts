import { describe, expect, it } from "vitest";
import { MEDIA_SERIAL } from "../../api/staff-orders";
import { blockersToComplete, completeBody, looksLikeCsr, sameSet } from "./workbench-rules";

const item = (id: string, cert: string | null, media: string | null) =>
  ({ id, certificateSerial: cert, mediaSerial: media }) as never;

describe("materials ticks", () => {
  it("treat the same codes in another order as the same set", () => {
    expect(sameSet(["a", "b"], ["b", "a"])).toBe(true);
    expect(sameSet(["a"], ["a", "b"])).toBe(false);
    expect(sameSet([], [])).toBe(true);
  });
});

describe("completing an order at the window", () => {
  it("is blocked by an item without a certificate or without a media serial", () => {
    const b = blockersToComplete({
      items: [item("1", "0A", "K1"), item("2", null, "K2"), item("3", "0B", null)],
    });
    expect(b).toEqual([
      { itemId: "2", issue: true, media: false },
      { itemId: "3", issue: false, media: true },
    ]);
  });

  it("is ready when every item is issued on a recorded key", () => {
    expect(blockersToComplete({ items: [item("1", "0A", "K1")] })).toEqual([]);
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
