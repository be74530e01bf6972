import { describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { statementFormat } from "./statement.formats";
import { parseAmountFen, parseDate, parseStatement, STATEMENT_MAX_LINES } from "./statement.parse";
import { ccbXlsx, icbcCsv, type TestCredit } from "./statement.test-support";

const icbc = statementFormat("icbc")!;
const ccb = statementFormat("ccb")!;

const credit = (i: number, over: Partial<TestCredit> = {}): TestCredit => ({
  date: "2026-12-01",
  yuan: "580.00",
  payer: `福州某某科技有限公司${i}`,
  remark: `证书费 K7M2Q9R${i % 10}`,
  reference: `HQ2026120100${String(i).padStart(4, "0")}`,
  ...over,
});

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("parseStatement", () => {
  it("reads an 工商银行 CSV in GB18030 below its title lines, skipping debits and the 合计 line", async () => {
    const credits = await parseStatement(icbcCsv([credit(1), credit(2, { yuan: "1,234.50" })]), icbc);
    expect(credits).toHaveLength(2);
    expect(credits[0]).toMatchObject({
      lineNo: 5,
      date: "2026-12-01",
      amountFen: 58_000,
      payerName: "福州某某科技有限公司1",
      reference: "HQ20261201000001",
    });
    expect(credits[0]!.remark).toContain("K7M2Q9R1");
    expect(credits[1]!.amountFen).toBe(123_450);
  });

  it("reads the same layout saved as UTF-8 with a BOM", async () => {
    const credits = await parseStatement(icbcCsv([credit(1)], { utf8: true }), icbc);
    expect(credits[0]!.payerName).toBe("福州某某科技有限公司1");
  });

  it("reads a 建设银行 XLSX with spreadsheet numbers and dates", async () => {
    const credits = await parseStatement(await ccbXlsx([credit(1), credit(2, { yuan: "80" })]), ccb);
    expect(credits.map((c) => [c.lineNo, c.date, c.amountFen])).toEqual([
      [4, "2026-12-01", 58_000],
      [5, "2026-12-01", 8_000],
    ]);
  });

  it("refuses a formula in a spreadsheet cell, naming the line and column", async () => {
    const err = await refusal(parseStatement(await ccbXlsx([credit(1), credit(2)], { formulaAt: 1 }), ccb));
    expect(err.message).toContain("第 5 行第 5 列含公式");
    expect(err.field).toBe("file");
  });

  it("refuses a CSV cell that a spreadsheet would run as a formula", async () => {
    const csv = icbcCsv([credit(1, { remark: '=HYPERLINK("http://x","y")' })], { utf8: true });
    const err = await refusal(parseStatement(csv, icbc));
    expect(err.message).toMatch(/第 5 行「用途」含公式/);
  });

  it("names the line and column of an unreadable amount or date, and books nothing of the file", async () => {
    const csv = icbcCsv([credit(1), credit(2, { yuan: "5８0.0.0" }), credit(3, { date: "2026-13-45" })], {
      utf8: true,
    });
    const err = await refusal(parseStatement(csv, icbc));
    expect(err.message).toContain("未导入任何一笔");
    expect(err.message).toContain("第 6 行「贷方发生额」金额无法识别");
    expect(err.message).toContain("第 7 行「交易时间」日期无法识别");
    expect(err.errors?.map((e) => e.field)).toEqual(["line.6.贷方发生额", "line.7.交易时间"]);
  });

  it("refuses a file whose header lacks the bank's columns, or that belongs to another bank", async () => {
    const wrong = Buffer.from("日期,金额,备注\n2026-12-01,580.00,K7M2Q9R1\n", "utf8");
    expect((await refusal(parseStatement(wrong, icbc))).message).toContain("未找到中国工商银行对账单的表头");
    // 建设银行's XLSX read as 工商银行: its 贷方 column is named differently.
    const other = await refusal(parseStatement(await ccbXlsx([credit(1)]), icbc));
    expect(other.message).toMatch(/表头|缺少列/);
  });

  it("refuses files that are not CSV or XLSX", async () => {
    const pdf = Buffer.from("%PDF-1.7\n...", "latin1");
    expect((await refusal(parseStatement(pdf, icbc))).message).toContain("不能是 PDF");
    const xls = Buffer.from("d0cf11e0a1b11ae1000000", "hex");
    expect((await refusal(parseStatement(xls, icbc))).message).toContain(".xls");
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    expect((await refusal(parseStatement(png, icbc))).message).toContain("CSV 或 XLSX");
    expect((await refusal(parseStatement(Buffer.alloc(0), icbc))).message).toContain("为空");
    const zip = Buffer.from("504b030414000000080000000000", "hex");
    expect((await refusal(parseStatement(zip, icbc))).message).toContain("无法读取该 XLSX");
  });

  it(`refuses more than ${STATEMENT_MAX_LINES} lines before reading them all`, async () => {
    const many = Array.from({ length: STATEMENT_MAX_LINES + 50 }, (_, i) => credit(i));
    const err = await refusal(parseStatement(icbcCsv(many, { utf8: true }), icbc));
    expect(err.message).toContain(`不能超过 ${STATEMENT_MAX_LINES} 行`);
  });

  it("says so when a statement holds no credit at all", async () => {
    const err = await refusal(parseStatement(icbcCsv([], { utf8: true }), icbc));
    expect(err.message).toContain("没有收入");
  });
});

describe("amounts and dates in the formats banks write them", () => {
  it("reads yuan to exact fen", () => {
    expect(parseAmountFen("1,234.56")).toBe(123_456);
    expect(parseAmountFen("¥580")).toBe(58_000);
    expect(parseAmountFen("RMB 80.5")).toBe(8_050);
    expect(parseAmountFen("１２３４．５０")).toBe(123_450);
    expect(parseAmountFen("580.00元")).toBe(58_000);
    expect(parseAmountFen(580.1)).toBe(58_010);
    expect(parseAmountFen(0.1 + 0.2)).toBe(30);
  });

  it("refuses what is not an exact amount", () => {
    for (const v of ["1.234", "12,34.00", "abc", "1e3", "", "--5", "5.", 580.001]) {
      expect(parseAmountFen(v), String(v)).toBeNull();
    }
  });

  it("reads dates with or without time and in Chinese", () => {
    expect(parseDate("2026-12-03")).toBe("2026-12-03");
    expect(parseDate("2026/12/3 09:05:00")).toBe("2026-12-03");
    expect(parseDate("20261203")).toBe("2026-12-03");
    expect(parseDate("20261203 093012")).toBe("2026-12-03");
    expect(parseDate("2026年12月3日")).toBe("2026-12-03");
    expect(parseDate(new Date("2026-12-03T10:00:00Z"))).toBe("2026-12-03");
  });

  it("refuses impossible dates", () => {
    for (const v of ["2026-02-30", "2026-13-01", "03/12/2026", "昨天", "2026-12"]) {
      expect(parseDate(v), v).toBeNull();
    }
  });
});
