import { describe, expect, it } from "vitest";
import { displaySerials, formatSerial, serialGroups } from "./serial";

const SERIAL = "3fa1b2c3d4e5f60718293a4b5c6d7e8f";

describe("serials as people read them", () => {
  it("prints openssl's colon pairs in upper case, padding an odd length", () => {
    expect(formatSerial("abc")).toBe("0A:BC");
    expect(formatSerial(SERIAL)).toBe("3F:A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F");
  });

  it("groups a 16-byte serial into two halves of eight pairs", () => {
    expect(serialGroups(SERIAL)).toEqual(["3F:A1:B2:C3:D4:E5:F6:07:", "18:29:3A:4B:5C:6D:7E:8F"]);
    expect(serialGroups("0a1b")).toEqual(["0A:1B"]);
    expect(serialGroups(SERIAL, 8).join("")).toBe(formatSerial(SERIAL));
  });

  it("rewrites the serials in a server sentence and nothing else", () => {
    expect(displaySerials(`证书 ${SERIAL} 已在订单 CH202612030001（待支付）中办理`)).toBe(
      "证书 3F:A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F 已在订单 CH202612030001（待支付）中办理",
    );
    // An ID number, a date and an all-digit run are not serials; neither is upper-case hex.
    expect(displaySerials("身份证 11010519491231002X 于 2026-12-03 到期")).toBe(
      "身份证 11010519491231002X 于 2026-12-03 到期",
    );
    expect(displaySerials("汇款码 1234567890123456789")).toBe("汇款码 1234567890123456789");
    expect(displaySerials("3FA1B2C3D4E5F60718293A4B")).toBe("3FA1B2C3D4E5F60718293A4B");
  });
});
