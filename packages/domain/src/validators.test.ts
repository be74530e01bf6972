import { describe, expect, it } from "vitest";
import {
  idCardCheckChar,
  maskIdCard,
  maskName,
  maskPhone,
  normalizeUscc,
  usccCheckChar,
  validateIdCard,
  validateMobile,
  validatePassword,
  validateUscc,
} from "./validators";

describe("validateUscc", () => {
  it.each(["91350100M000100Y43", "914403001922038216", "9144030071526726XG", "91330100716105852F"])(
    "accepts the real code %s",
    (code) => {
      expect(validateUscc(code)).toEqual({ ok: true, value: code });
    },
  );

  it("writes a check value of 31 as the digit 0", () => {
    expect(usccCheckChar("91350100M00010NY4")).toBe("0");
    expect(validateUscc("91350100M00010NY40").ok).toBe(true);
  });

  it("accepts lower case and surrounding spaces and returns the normalised code", () => {
    expect(normalizeUscc(" 91350100m000100y43\t")).toBe("91350100M000100Y43");
    expect(validateUscc(" 91350100m000100y43 ")).toEqual({ ok: true, value: "91350100M000100Y43" });
  });

  it("names the expected check character when the last one is wrong", () => {
    expect(validateUscc("91350100M000100Y44")).toEqual({
      ok: false,
      reason: "统一社会信用代码校验位错误，应为 3",
    });
    expect(validateUscc("914403001922038210")).toEqual({
      ok: false,
      reason: "统一社会信用代码校验位错误，应为 6",
    });
  });

  it("rejects a code that is not 18 characters long and says how long it is", () => {
    const short = validateUscc("91350100M000100Y4");
    expect(short).toEqual({ ok: false, reason: "统一社会信用代码应为 18 位，当前为 17 位" });
    expect(validateUscc("91350100M000100Y433").ok).toBe(false);
    expect(validateUscc("   ")).toEqual({ ok: false, reason: "请输入统一社会信用代码" });
  });

  it.each(["I", "O", "Z", "S", "V"])("rejects the letter %s, which GB 32100-2015 leaves out", (letter) => {
    const result = validateUscc(`91350100${letter}000100Y43`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(`不使用字母 ${letter}`);
  });

  it("rejects punctuation and non-ASCII characters", () => {
    const result = validateUscc("91350100-000100Y43");
    expect(result).toEqual({
      ok: false,
      reason: "统一社会信用代码含有无效字符“-”，只能由数字和大写字母组成",
    });
    expect(validateUscc("91350100Ｍ000100Y43").ok).toBe(false);
  });
});

describe("validateIdCard", () => {
  const today = "2025-06-01";

  it("accepts the GB 11643-1999 example with check character X", () => {
    expect(validateIdCard("11010519491231002X", { today })).toEqual({
      ok: true,
      value: "11010519491231002X",
    });
  });

  it("normalises a lower-case x to X", () => {
    expect(validateIdCard(" 11010519491231002x ", { today })).toEqual({
      ok: true,
      value: "11010519491231002X",
    });
  });

  it("accepts the standard's 1880 example by default and refuses it under a later bound", () => {
    expect(idCardCheckChar("44052418800101001")).toBe("4");
    expect(validateIdCard("440524188001010014", { today }).ok).toBe(true);
    expect(validateIdCard("440524188001010014", { today, minBirthDate: "1900-01-01" })).toEqual({
      ok: false,
      reason: "身份证号出生日期无效（早于 1900 年）",
    });
    expect(validateIdCard("440524179901010014", { today }).ok).toBe(false);
  });

  it("names the expected check character when the last one is wrong", () => {
    expect(validateIdCard("110105194912310021", { today })).toEqual({
      ok: false,
      reason: "身份证号校验位错误，应为 X",
    });
  });

  it("rejects a birth date that does not exist, even with a correct check digit", () => {
    // 1999-02-30; check digit 5 is right for the first 17 digits.
    expect(idCardCheckChar("11010519990230001")).toBe("5");
    expect(validateIdCard("110105199902300015", { today })).toEqual({
      ok: false,
      reason: "身份证号出生日期无效（19990230 不是真实日期）",
    });
  });

  it("knows 2000 was a leap year and 1900 was not", () => {
    expect(validateIdCard("110105200002290013", { today }).ok).toBe(true);
    const r = validateIdCard("110105190002290017", { today });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("不是真实日期");
  });

  it("rejects a birth date in the future", () => {
    expect(validateIdCard("110105209912310010", { today })).toEqual({
      ok: false,
      reason: "身份证号出生日期无效（晚于今天）",
    });
  });

  it("accepts a person born today and not one born tomorrow", () => {
    const body = "11010520250601001";
    expect(validateIdCard(body + idCardCheckChar(body), { today }).ok).toBe(true);
    const tomorrow = "11010520250602001";
    expect(validateIdCard(tomorrow + idCardCheckChar(tomorrow), { today }).ok).toBe(false);
  });

  it("rejects the old 15-digit numbers and letters inside the number", () => {
    expect(validateIdCard("110105491231002", { today })).toEqual({
      ok: false,
      reason: "身份证号应为 18 位，当前为 15 位",
    });
    expect(validateIdCard("1101051949123100X2", { today })).toEqual({
      ok: false,
      reason: "身份证号前 17 位应为数字，最后一位为数字或 X",
    });
  });
});

describe("validateMobile", () => {
  it.each(["13800138000", "19912345678", "15300000001"])("accepts %s", (phone) => {
    expect(validateMobile(phone)).toEqual({ ok: true, value: phone });
  });

  it.each(["12800138000", "1380013800", "138001380000", "+8613800138000", "138 0013 8000", "10086"])(
    "rejects %s with the rule in the message",
    (phone) => {
      expect(validateMobile(phone)).toEqual({ ok: false, reason: "手机号应为 11 位数字，以 13–19 开头" });
    },
  );
});

describe("validatePassword", () => {
  it("accepts 8 characters from three classes", () => {
    expect(validatePassword("abcDEF12")).toEqual({ ok: true, value: "abcDEF12" });
    expect(validatePassword("abcdef1!").ok).toBe(true);
  });

  it("rejects two classes however long the password is", () => {
    expect(validatePassword("abcdefgh12345678")).toEqual({
      ok: false,
      reason: "密码需包含大写字母、小写字母、数字、符号中的至少 3 类，当前只有 2 类",
    });
  });

  it("rejects fewer than 8 and more than 64 characters", () => {
    expect(validatePassword("aB1!aB1")).toEqual({ ok: false, reason: "密码长度应为 8–64 位，当前为 7 位" });
    expect(validatePassword(`aB1!${"x".repeat(61)}`).ok).toBe(false);
    expect(validatePassword(`aB1!${"x".repeat(60)}`).ok).toBe(true);
  });

  it("counts Chinese characters as symbols and by code point", () => {
    expect(validatePassword("密码abc123").ok).toBe(true);
    expect(validatePassword("😀😀😀😀aB1")).toEqual({
      ok: false,
      reason: "密码长度应为 8–64 位，当前为 7 位",
    });
  });

  it("refuses the phone number itself and passwords containing it", () => {
    expect(validatePassword("13800138000", { phone: "13800138000" })).toEqual({
      ok: false,
      reason: "密码不能包含手机号",
    });
    expect(validatePassword("Ab!13800138000", { phone: "13800138000" }).ok).toBe(false);
    expect(validatePassword("Ab!13800138000", { phone: "13900139000" }).ok).toBe(true);
  });

  it("rejects control characters and keeps spaces as typed", () => {
    expect(validatePassword("abcDEF12\n").ok).toBe(false);
    expect(validatePassword(" abc DEF12 ")).toEqual({ ok: true, value: " abc DEF12 " });
  });
});

describe("masking", () => {
  it("shows the first 3 and last 4 digits of a phone number", () => {
    expect(maskPhone("13800138000")).toBe("138****8000");
  });

  it("shows the region and the last 4 characters of an ID number", () => {
    expect(maskIdCard("11010519491231002X")).toBe("110105********002X");
    expect(maskIdCard("11010519491231002x")).toBe("110105********002X");
  });

  it("shows only the surname of a name", () => {
    expect(maskName("张三丰")).toBe("张**");
    expect(maskName("张三")).toBe("张*");
    expect(maskName("欧阳娜娜")).toBe("欧***");
  });

  it("hides short values completely instead of revealing them", () => {
    expect(maskPhone("1234567")).toBe("*******");
    expect(maskIdCard("12345")).toBe("*****");
    expect(maskName("张")).toBe("*");
    expect(maskName("")).toBe("");
  });
});
