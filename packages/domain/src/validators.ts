// Identity and account validators shared by the web forms (checked as the person types) and the
// server (wrapped in zod .superRefine). Pure and dependency-free. Reasons are Chinese, name the field
// and say what is wrong (DESIGN §4).

import { isValidIsoDate, shanghaiDate } from "./calendar";

export type ValidationResult<T = string> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): ValidationResult<T> => ({ ok: true, value });
const fail = (reason: string): ValidationResult<never> => ({ ok: false, reason });

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码 — GB 32100-2015
// ---------------------------------------------------------------------------------------------

/** The 31 code characters of GB 32100-2015: digits and capitals without I, O, Z, S, V. */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** Trims and upper-cases, so "91350100m000100y43 " is read as typed on a phone keyboard. */
export function normalizeUscc(code: string): string {
  return code.trim().toUpperCase();
}

/** The check character (position 18) for the first 17 characters, which must be over the alphabet. */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i] ?? "");
    if (value < 0) throw new RangeError("not a USCC body");
    sum += value * USCC_WEIGHTS[i]!;
  }
  // GB 32100-2015 §5: C18 = 31 − (Σ Ci×Wi mod 31); a result of 31 is written as 0.
  const check = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[check]!;
}

export function validateUscc(code: string): ValidationResult {
  const value = normalizeUscc(code);
  if (value.length === 0) return fail("请输入统一社会信用代码");
  if (value.length !== 18) return fail(`统一社会信用代码应为 18 位，当前为 ${value.length} 位`);
  for (const ch of value) {
    if (!USCC_ALPHABET.includes(ch)) {
      return /[IOZSV]/.test(ch)
        ? fail(
            `统一社会信用代码不使用字母 ${ch}（I、O、Z、S、V 均不使用，请检查是否为数字 1、0、2、5 或字母 U）`,
          )
        : fail(`统一社会信用代码含有无效字符“${ch}”，只能由数字和大写字母组成`);
    }
  }
  const expected = usccCheckChar(value.slice(0, 17));
  if (value[17] !== expected) return fail(`统一社会信用代码校验位错误，应为 ${expected}`);
  return ok(value);
}

// ---------------------------------------------------------------------------------------------
// 居民身份证号 — GB 11643-1999
// ---------------------------------------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = "10X98765432";

/** Trims and writes the check character x as X (GB 11643-1999 uses the Roman numeral X for 10). */
export function normalizeIdCard(id: string): string {
  return id.trim().toUpperCase();
}

/** The check character for the first 17 digits. */
export function idCardCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError("not an ID card body");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export interface IdCardOptions {
  /** Today in Asia/Shanghai ("YYYY-MM-DD"); defaults to the current date. For tests and replays. */
  today?: string;
  /**
   * Earliest accepted birth date, default "1800-01-01": the standard's own example 440524188001010014
   * (born 1880) is a valid number, and the issue lists it as known good. Callers that register living
   * persons may pass a later bound.
   */
  minBirthDate?: string;
}

export function validateIdCard(id: string, options: IdCardOptions = {}): ValidationResult {
  const value = normalizeIdCard(id);
  if (value.length === 0) return fail("请输入身份证号");
  if (value.length !== 18) return fail(`身份证号应为 18 位，当前为 ${value.length} 位`);
  if (!/^\d{17}[\dX]$/.test(value)) return fail("身份证号前 17 位应为数字，最后一位为数字或 X");
  // Characters 7–14 are the birth date YYYYMMDD (GB 11643-1999 §4.2).
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isValidIsoDate(birth)) return fail(`身份证号出生日期无效（${value.slice(6, 14)} 不是真实日期）`);
  const minBirth = options.minBirthDate ?? "1800-01-01";
  if (birth < minBirth) return fail(`身份证号出生日期无效（早于 ${minBirth.slice(0, 4)} 年）`);
  const today = options.today ?? shanghaiDate(new Date());
  if (birth > today) return fail("身份证号出生日期无效（晚于今天）");
  const expected = idCardCheckChar(value.slice(0, 17));
  if (value[17] !== expected) return fail(`身份证号校验位错误，应为 ${expected}`);
  return ok(value);
}

// ---------------------------------------------------------------------------------------------
// 手机号
// ---------------------------------------------------------------------------------------------

/** Mainland mobile numbers: 11 digits starting 13–19 (DESIGN §4). No +86 prefix, no separators. */
export function validateMobile(phone: string): ValidationResult {
  const value = phone.trim();
  if (value.length === 0) return fail("请输入手机号");
  if (!/^1[3-9]\d{9}$/.test(value)) return fail("手机号应为 11 位数字，以 13–19 开头");
  return ok(value);
}

// ---------------------------------------------------------------------------------------------
// 密码
// ---------------------------------------------------------------------------------------------

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 64;

/**
 * The one password rule, for display next to the field. Chosen over "letters+digits and ≥ 10" because
 * a single rule is easier to explain and to check as the person types.
 */
export const PASSWORD_RULE =
  "密码长度 8–64 位，需包含大写字母、小写字母、数字、符号中的至少 3 类，且不能包含手机号";

export interface PasswordOptions {
  /** The account's mobile number; a password containing it is refused. */
  phone?: string;
}

/**
 * Rule: 8–64 characters (counted as Unicode code points), at least 3 of the 4 classes lower-case
 * letter, upper-case letter, digit, symbol (anything else that is printable, including non-ASCII),
 * no control characters, and not containing the account's mobile number. Not trimmed: spaces count.
 */
export function validatePassword(pw: string, options: PasswordOptions = {}): ValidationResult {
  const length = [...pw].length;
  if (length === 0) return fail("请输入密码");
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    return fail(`密码长度应为 ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} 位，当前为 ${length} 位`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(pw)) return fail("密码不能包含控制字符（如换行、制表符）");
  const phone = options.phone?.trim();
  if (phone && phone.length >= 5 && pw.includes(phone)) return fail("密码不能包含手机号");
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(pw)).length;
  if (classes < 3) {
    return fail(`密码需包含大写字母、小写字母、数字、符号中的至少 3 类，当前只有 ${classes} 类`);
  }
  return ok(pw);
}

// ---------------------------------------------------------------------------------------------
// Masking for lists, logs and receipts (DESIGN §7: PII masked in lists and logs)
// ---------------------------------------------------------------------------------------------

function maskMiddle(value: string, keepStart: number, keepEnd: number): string {
  const chars = [...value];
  if (chars.length <= keepStart + keepEnd) return "*".repeat(chars.length);
  return (
    chars.slice(0, keepStart).join("") +
    "*".repeat(chars.length - keepStart - keepEnd) +
    chars.slice(chars.length - keepEnd).join("")
  );
}

/** "13800138000" → "138****8000". */
export function maskPhone(phone: string): string {
  return maskMiddle(phone.trim(), 3, 4);
}

/** "11010519491231002X" → "110105********002X": region kept, birth date and sequence hidden. */
export function maskIdCard(id: string): string {
  return maskMiddle(normalizeIdCard(id), 6, 4);
}

/** "张三丰" → "张**", "张三" → "张*": only the surname (first character) is shown. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return "*".repeat(chars.length);
  return chars[0] + "*".repeat(chars.length - 1);
}
