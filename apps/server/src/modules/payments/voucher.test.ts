import { describe, expect, it } from "vitest";
import { checkVoucher, cleanFilename, sniffVoucherType, VOUCHER_MAX_BYTES } from "./voucher";

describe("voucher checks", () => {
  it("recognises JPEG, PNG and PDF by their first bytes, whatever the name says", () => {
    expect(sniffVoucherType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe("image/jpeg");
    expect(sniffVoucherType(Buffer.from("89504e470d0a1a0a0000", "hex"))).toBe("image/png");
    expect(sniffVoucherType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
    expect(checkVoucher("scan.exe", Buffer.from("%PDF-1.4\n")).mime).toBe("application/pdf");
  });

  it("refuses programs, HTML, SVG, truncated signatures and empty files, naming the field voucher", () => {
    for (const data of [
      Buffer.from("MZ\x90\x00", "latin1"),
      Buffer.from("<html><script>alert(1)</script>"),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from("89504e47", "hex"),
      Buffer.alloc(0),
    ]) {
      expect(() => checkVoucher("a.png", data)).toThrow(
        expect.objectContaining({ field: "voucher", status: 400 }),
      );
    }
  });

  it("refuses a file over 5 MB with 413", () => {
    const big = Buffer.concat([Buffer.from("%PDF-"), Buffer.alloc(VOUCHER_MAX_BYTES)]);
    expect(() => checkVoucher("a.pdf", big)).toThrow(
      expect.objectContaining({ status: 413, field: "voucher" }),
    );
  });

  it("keeps only a safe base name", () => {
    expect(cleanFilename("C:\\Users\\me\\回单 1.png")).toBe("回单 1.png");
    expect(cleanFilename('../../etc/"pass\nwd"')).toBe("passwd");
    expect(cleanFilename(undefined)).toBe("voucher");
  });
});
