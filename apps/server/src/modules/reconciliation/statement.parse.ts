import ExcelJS from "exceljs";
import { AppError, type FieldError } from "../../errors";
import type { StatementFormat } from "./statement.formats";

/** A statement file larger than this is refused before it is read. */
export const STATEMENT_MAX_BYTES = 10 * 1024 * 1024;
/** A statement with more lines than this is refused: split it by date (a month is far below it). */
export const STATEMENT_MAX_LINES = 20_000;
/** How many of the bad lines an error names; the rest are counted. */
const MAX_LISTED_ERRORS = 20;
/** The header row is looked for among this many first rows (banks put the account and period above it). */
const HEADER_SEARCH_ROWS = 30;

/** One credit of the statement, as read from its line. */
export interface StatementCredit {
  /** The line number in the file (1-based, as a spreadsheet shows it). */
  lineNo: number;
  /** The booking date, YYYY-MM-DD. */
  date: string;
  amountFen: number;
  payerName: string;
  payerAccount: string;
  remark: string;
  reference: string;
}

type Cell = string | number | Date | null;

interface Table {
  rows: { lineNo: number; cells: Cell[] }[];
}

const bad = (detail: string, errors?: FieldError[]) =>
  new AppError("VALIDATION_FAILED", detail, { field: "file", errors });

/**
 * Reads a bank statement (CSV in UTF-8 or GB18030, or XLSX) laid out as `format` says and returns its
 * credits. Anything it cannot read for certain is refused with the line and column named, so nothing is
 * booked from a half-understood file: formulas, unreadable dates or amounts, a missing column.
 */
export async function parseStatement(data: Buffer, format: StatementFormat): Promise<StatementCredit[]> {
  if (data.length === 0) throw bad("对账单文件为空");
  if (data.length > STATEMENT_MAX_BYTES)
    throw bad(`对账单文件不能超过 ${STATEMENT_MAX_BYTES / 1024 / 1024} MB`);
  const table = await readTable(data);
  return creditsOf(table, format);
}

async function readTable(data: Buffer): Promise<Table> {
  const magic = data.subarray(0, 4).toString("hex");
  if (magic === "504b0304") return readXlsx(data);
  if (magic === "d0cf11e0") throw bad("不支持旧版 Excel（.xls）文件，请在网银中导出 XLSX 或 CSV 格式");
  if (magic.startsWith("25504446")) throw bad("对账单须为 CSV 或 XLSX 文件，不能是 PDF");
  const text = decodeText(data);
  if (isBinary(text)) throw bad("对账单须为 CSV 或 XLSX 文件");
  return readCsv(text);
}

/** Control characters other than tab and line breaks: not a text export (an image, an archive, …). */
function isBinary(text: string): boolean {
  for (let i = 0; i < Math.min(text.length, 65_536); i++) {
    const c = text.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return true;
  }
  return false;
}

/** UTF-8 (with or without BOM) when it decodes cleanly, else GB18030, the encoding Chinese banks export. */
function decodeText(data: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    return new TextDecoder("gb18030").decode(data);
  }
}

/** RFC 4180 CSV: quoted fields with doubled quotes and line breaks inside; comma or tab separated. */
function readCsv(text: string): Table {
  const firstLine = text.slice(0, text.indexOf("\n") === -1 ? text.length : text.indexOf("\n"));
  const sep = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? "\t" : ",";
  const rows: Table["rows"] = [];
  let cells: Cell[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endField = () => {
    cells.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    if (cells.some((c) => c !== "")) rows.push({ lineNo: rowLine, cells });
    if (rows.length > STATEMENT_MAX_LINES + HEADER_SEARCH_ROWS) throw tooManyLines();
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === sep) endField();
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (quoted) throw bad(`第 ${rowLine} 行：引号未闭合，文件不完整`);
  if (field !== "" || cells.length > 0) endRow();
  return { rows };
}

async function readXlsx(data: Buffer): Promise<Table> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw bad("无法读取该 XLSX 文件，请重新从网银导出");
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw bad("XLSX 文件中没有工作表");
  if (sheet.rowCount > STATEMENT_MAX_LINES + HEADER_SEARCH_ROWS) throw tooManyLines();
  const rows: Table["rows"] = [];
  const errors: FieldError[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, lineNo) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      const v = cell.value;
      let out: Cell;
      if (v === null || v === undefined) out = null;
      else if (typeof v === "string" || typeof v === "number" || v instanceof Date) out = v;
      else if (typeof v === "boolean") out = String(v);
      else if ("formula" in v || "sharedFormula" in v) {
        errors.push({ field: `line.${lineNo}.col.${col}`, message: `第 ${lineNo} 行第 ${col} 列含公式` });
        out = null;
      } else if ("richText" in v) out = v.richText.map((t) => t.text).join("");
      else if ("text" in v) out = String(v.text);
      else if ("error" in v) out = null;
      else out = null;
      cells[col - 1] = out;
    });
    rows.push({ lineNo, cells: Array.from(cells, (c) => c ?? null) });
  });
  if (errors.length) throw lineErrors("对账单含公式，请导出为数值后再导入", errors);
  return { rows };
}

const tooManyLines = () => bad(`对账单不能超过 ${STATEMENT_MAX_LINES} 行，请按日期分段导出`);

function lineErrors(detail: string, errors: FieldError[]): AppError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const more = errors.length - listed.length;
  const lines = listed.map((e) => e.message).join("；");
  return bad(`${detail}：${lines}${more > 0 ? `；另有 ${more} 处` : ""}`, listed);
}

const norm = (s: Cell): string =>
  (s instanceof Date ? s.toISOString() : String(s ?? ""))
    .replace(/[\s\u3000]+/g, "")
    .replace(/：/g, ":")
    .trim();

function creditsOf(table: Table, format: StatementFormat): StatementCredit[] {
  const { header, at } = findHeader(table, format);
  const col = (names: readonly string[]) => {
    for (const n of names) {
      const i = header.indexOf(norm(n));
      if (i !== -1) return i;
    }
    return -1;
  };
  const c = format.columns;
  const idx = {
    date: col(c.date),
    credit: col(c.credit),
    debit: col(c.debit),
    payerName: col(c.payerName),
    payerAccount: col(c.payerAccount),
    reference: col(c.reference),
  };
  const remarkCols = c.remark.map((n) => col([n])).filter((i) => i !== -1);
  const missing = (
    [
      ["date", "交易日期"],
      ["credit", "贷方金额"],
      ["reference", "交易流水号"],
    ] as const
  ).filter(([k]) => idx[k] === -1);
  if (missing.length || remarkCols.length === 0) {
    const names = [...missing.map(([, n]) => n), ...(remarkCols.length ? [] : ["摘要/用途"])];
    throw bad(`对账单第 ${table.rows[at]!.lineNo} 行的表头缺少列：${names.join("、")}（${format.name}格式）`);
  }
  const body = table.rows.slice(at + 1);
  if (body.length > STATEMENT_MAX_LINES) throw tooManyLines();
  const errors: FieldError[] = [];
  const credits: StatementCredit[] = [];
  const name = (i: number) => String(table.rows[at]!.cells[i] ?? "").trim();
  const fail = (lineNo: number, i: number, message: string) =>
    errors.push({ field: `line.${lineNo}.${name(i)}`, message: `第 ${lineNo} 行「${name(i)}」${message}` });
  for (const { lineNo, cells } of body) {
    const text = (i: number) => (i === -1 ? "" : cellText(cells[i] ?? null));
    if (cells.some((v) => typeof v === "string" && /^[=+@]/.test(v.trim()) && !/^\+?\d/.test(v.trim()))) {
      const i = cells.findIndex((v) => typeof v === "string" && /^[=+@]/.test(v.trim()));
      fail(lineNo, i, "含公式");
      continue;
    }
    // Summary lines at the foot (合计, 本页小计) carry no date: they are not transactions.
    if (/合计|小计|总计/.test(cells.map(cellText).join(""))) continue;
    const credit = text(idx.credit);
    if (credit === "" || credit === "-" || credit === "0" || credit === "0.00") continue; // a debit line
    const amountFen = parseAmountFen(cells[idx.credit] ?? null);
    if (amountFen === null) {
      fail(lineNo, idx.credit, `金额无法识别：${credit.slice(0, 30)}`);
      continue;
    }
    if (amountFen <= 0) continue;
    const date = parseDate(cells[idx.date] ?? null);
    if (!date) {
      fail(lineNo, idx.date, `日期无法识别：${text(idx.date).slice(0, 30)}`);
      continue;
    }
    const reference = text(idx.reference);
    if (!reference) {
      fail(lineNo, idx.reference, "为空");
      continue;
    }
    credits.push({
      lineNo,
      date,
      amountFen,
      payerName: text(idx.payerName).slice(0, 200),
      payerAccount: text(idx.payerAccount).slice(0, 64),
      remark: remarkCols
        .map((i) => text(i))
        .filter(Boolean)
        .join(" ")
        .slice(0, 500),
      reference: reference.slice(0, 100),
    });
  }
  if (errors.length) throw lineErrors("对账单有无法识别的行，未导入任何一笔", errors);
  if (credits.length === 0) throw bad("对账单中没有收入（贷方）记录");
  return credits;
}

function findHeader(table: Table, format: StatementFormat): { header: string[]; at: number } {
  const wanted = [...format.columns.date, ...format.columns.credit].map(norm);
  for (let at = 0; at < Math.min(HEADER_SEARCH_ROWS, table.rows.length); at++) {
    const header = table.rows[at]!.cells.map(norm);
    const hasDate = format.columns.date.some((n) => header.includes(norm(n)));
    const hasCredit = format.columns.credit.some((n) => header.includes(norm(n)));
    if (hasDate && hasCredit) return { header, at };
    if (header.filter((h) => wanted.includes(h)).length > 0 && at === HEADER_SEARCH_ROWS - 1) break;
  }
  throw bad(
    `未找到${format.name}对账单的表头（应含「${format.columns.date[0]}」和「${format.columns.credit[0]}」列），请确认所选银行与文件一致`,
  );
}

function cellText(v: Cell): string {
  if (v === null) return "";
  if (v instanceof Date) return v.toISOString();
  return String(v)
    .replace(/\u3000/g, " ")
    .trim();
}

const FULL_WIDTH = /[０-９．，－]/g;
const halfWidth = (s: string) =>
  s.replace(FULL_WIDTH, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));

/**
 * An amount in yuan as fen, exactly (no floating point): "1,234.50", "¥1234.5", "１２３４．５０", "RMB 80"
 * or a spreadsheet number. More than two decimals, or anything else in the cell, is not an amount.
 */
export function parseAmountFen(v: Cell): number | null {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return null;
    const fen = Math.round(v * 100);
    return Math.abs(fen - v * 100) < 1e-6 ? fen : null;
  }
  if (v === null || v instanceof Date) return null;
  const s = halfWidth(v)
    .replace(/^(RMB|CNY|人民币|￥|¥)\s*/i, "")
    .replace(/元$/, "")
    .replace(/\s/g, "");
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const yuan = Number(m[1]!.replace(/,/g, ""));
  const fen = yuan * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return Number.isSafeInteger(fen) ? fen : null;
}

/**
 * A booking date as YYYY-MM-DD: "2026-12-03", "2026/12/3", "20261203", "2026年12月3日", any of them with a
 * time after it, or a spreadsheet date. Spreadsheet dates are read in UTC, as exceljs gives them.
 */
export function parseDate(v: Cell): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10);
  if (v === null || typeof v === "number") return null;
  const s = halfWidth(v).trim();
  const m =
    /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[\sT]+\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s) ??
    /^(\d{4})(\d{2})(\d{2})(?:\s*\d{2}:?\d{2}:?\d{2})?$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}
