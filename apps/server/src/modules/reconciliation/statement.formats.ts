/**
 * How a bank lays out its account statement export (流水明细), kept as data: which header names carry
 * the date, the credit amount, the payer, the remark and the bank's own transaction number. A new bank
 * is a new entry here, nothing else. The header row is found among the first rows of the file (banks put
 * the account name and period above it), and each field may be known under several names because the
 * same bank words its corporate and personal exports differently.
 */
export interface StatementFormat {
  code: string;
  name: string;
  /** Column names per field; the first name found in the header row wins. */
  columns: {
    date: readonly string[];
    credit: readonly string[];
    /** Optional: a debit column; rows with a debit and no credit are outgoing and skipped. */
    debit: readonly string[];
    payerName: readonly string[];
    payerAccount: readonly string[];
    /** Every column found is joined: the 汇款识别码 may be in 摘要, 用途 or 附言. */
    remark: readonly string[];
    /** The bank's own number of the transaction: what makes a line unique across imports. */
    reference: readonly string[];
  };
}

export const STATEMENT_FORMATS: readonly StatementFormat[] = [
  {
    // 工商银行企业网银「账户明细查询」导出 (凭证号, 本方账号, 对方账号, 交易时间, 借/贷, 借方发生额, 贷方发生额,
    // 对方行号, 摘要, 用途, 对方单位名称, 余额, 个性化信息).
    code: "icbc",
    name: "中国工商银行",
    columns: {
      date: ["交易时间", "交易日期"],
      credit: ["贷方发生额", "收入金额"],
      debit: ["借方发生额", "支出金额"],
      payerName: ["对方单位名称", "对方户名"],
      payerAccount: ["对方账号"],
      remark: ["摘要", "用途", "个性化信息", "附言"],
      reference: ["凭证号", "交易流水号"],
    },
  },
  {
    // 建设银行企业网银「账户明细」导出 (账号, 账户名称, 交易时间, 借方发生额（支取）, 贷方发生额（收入）, 余额,
    // 币种, 对方户名, 对方账号, 对方开户机构, 记账日期, 摘要, 备注, 账户明细编号-交易流水号, 企业流水号, 凭证种类, 凭证号).
    code: "ccb",
    name: "中国建设银行",
    columns: {
      date: ["交易时间", "记账日期"],
      credit: ["贷方发生额（收入）", "贷方发生额(收入)", "贷方发生额"],
      debit: ["借方发生额（支取）", "借方发生额(支取)", "借方发生额"],
      payerName: ["对方户名"],
      payerAccount: ["对方账号"],
      remark: ["摘要", "备注"],
      reference: ["账户明细编号-交易流水号", "交易流水号"],
    },
  },
];

export function statementFormat(code: string): StatementFormat | undefined {
  return STATEMENT_FORMATS.find((f) => f.code === code);
}
