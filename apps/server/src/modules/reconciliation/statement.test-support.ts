import ExcelJS from "exceljs";

/** One credit as a test writes it into a bank's layout. */
export interface TestCredit {
  date: string;
  yuan: string;
  payer: string;
  account?: string;
  remark: string;
  reference: string;
}

let gbTable: Map<string, Buffer> | null = null;

/**
 * Encodes text as GB18030 (what Chinese online banking writes its CSV in). Node only encodes UTF-8, so
 * the two-byte table is built once by decoding every two-byte sequence with the platform's decoder.
 */
export function gb18030(text: string): Buffer {
  if (!gbTable) {
    gbTable = new Map();
    const dec = new TextDecoder("gb18030");
    for (let a = 0x81; a <= 0xfe; a++) {
      for (let b = 0x40; b <= 0xfe; b++) {
        if (b === 0x7f) continue;
        const bytes = Buffer.from([a, b]);
        const ch = dec.decode(bytes);
        if (ch.length === 1 && ch !== "\ufffd" && !gbTable.has(ch)) gbTable.set(ch, bytes);
      }
    }
  }
  const out: Buffer[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(Buffer.from([code]));
    else {
      const bytes = gbTable.get(ch);
      if (!bytes) throw new Error(`no GB18030 two-byte code for ${ch}`);
      out.push(bytes);
    }
  }
  return Buffer.concat(out);
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * An 工商银行 account-detail export as CSV: title lines above the header, debits mixed in, a 合计 line at
 * the foot, GB18030-encoded unless `utf8`.
 */
export function icbcCsv(
  credits: readonly TestCredit[],
  opts: { utf8?: boolean; extraRows?: string[][] } = {},
) {
  const header = [
    "凭证号",
    "本方账号",
    "对方账号",
    "交易时间",
    "借/贷",
    "借方发生额",
    "贷方发生额",
    "对方行号",
    "摘要",
    "用途",
    "对方单位名称",
    "余额",
    "个性化信息",
  ];
  const rows: string[][] = [
    ["中国工商银行 账户明细"],
    ["账号：1402020109000012345", "户名：福建省数字证书认证中心"],
    header,
    [
      "WD0000001",
      "1402020109000012345",
      "6222020000001111",
      "2026-11-30 09:12:03",
      "借",
      "1,200.00",
      "",
      "",
      "手续费",
      "",
      "工商银行",
      "100000.00",
      "",
    ],
  ];
  for (const c of credits) {
    rows.push([
      c.reference,
      "1402020109000012345",
      c.account ?? "6222020200112233",
      `${c.date} 10:20:30`,
      "贷",
      "",
      c.yuan,
      "102391000016",
      "网银跨行汇款",
      c.remark,
      c.payer,
      "100000.00",
      "",
    ]);
  }
  rows.push(...(opts.extraRows ?? []));
  rows.push(["合计", "", "", "", "", "1,200.00", "", "", "", "", "", "", ""]);
  const text = `${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
  return opts.utf8 ? Buffer.from(`\ufeff${text}`, "utf8") : gb18030(text);
}

/** A 建设银行 account-detail export as XLSX, with real spreadsheet numbers and dates in its cells. */
export async function ccbXlsx(
  credits: readonly TestCredit[],
  opts: { formulaAt?: number; textAmounts?: boolean } = {},
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("账户明细");
  sheet.addRow(["中国建设银行单位客户账户明细"]);
  sheet.addRow(["账号", "35050100000000001234", "账户名称", "福建省数字证书认证中心"]);
  sheet.addRow([
    "账号",
    "账户名称",
    "交易时间",
    "借方发生额（支取）",
    "贷方发生额（收入）",
    "余额",
    "币种",
    "对方户名",
    "对方账号",
    "对方开户机构",
    "记账日期",
    "摘要",
    "备注",
    "账户明细编号-交易流水号",
  ]);
  credits.forEach((c, i) => {
    const amount = opts.textAmounts ? `¥${c.yuan}` : Number(c.yuan.replace(/,/g, ""));
    const row = sheet.addRow([
      "35050100000000001234",
      "福建省数字证书认证中心",
      new Date(`${c.date}T10:20:30Z`),
      null,
      amount,
      100000,
      "人民币",
      c.payer,
      c.account ?? "6217000010012345678",
      "中国建设银行福州分行",
      c.date.replace(/-/g, ""),
      "转账存入",
      c.remark,
      c.reference,
    ]);
    if (opts.formulaAt === i) row.getCell(5).value = { formula: "100+200", result: 300 };
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}
