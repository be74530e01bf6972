import ExcelJS from "exceljs";
import type { Report } from "./reports.service";

/**
 * A cell as a spreadsheet must not run it: text starting with = + - @ (or a tab/CR) is prefixed with
 * an apostrophe (OWASP's CSV-injection advice), numbers stay numbers.
 */
function safeText(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** CSV for Excel in China: UTF-8 with a BOM (else Excel reads GBK), CRLF, RFC 4180 quoting. */
export function reportCsv(report: Report): Buffer {
  const field = (v: string | number | undefined) => {
    const s = typeof v === "number" ? String(v) : safeText(v ?? "");
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [
    report.columns.map((c) => field(c.label)).join(","),
    ...report.rows.map((r) => report.columns.map((c) => field(r[c.key])).join(",")),
  ];
  return Buffer.from(`\ufeff${lines.join("\r\n")}\r\n`, "utf8");
}

/** XLSX with a header row, numbers as numbers (yuan with two decimals), a frozen header. */
export async function reportXlsx(report: Report, subtitle: string): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "certhall";
  const sheet = book.addWorksheet(report.title.slice(0, 31).replace(/[\\/?*[\]:]/g, " "));
  sheet.addRow([report.title]).font = { bold: true, size: 14 };
  sheet.addRow([subtitle]);
  const header = sheet.addRow(report.columns.map((c) => c.label));
  header.font = { bold: true };
  sheet.views = [{ state: "frozen", ySplit: 3 }];
  for (const r of report.rows) {
    sheet.addRow(
      report.columns.map((c) => {
        const v = r[c.key];
        return typeof v === "number" ? v : safeText(String(v ?? ""));
      }),
    );
  }
  report.columns.forEach((c, i) => {
    const col = sheet.getColumn(i + 1);
    col.width = c.kind === "text" ? 24 : 14;
    if (c.kind === "yuan") col.numFmt = "#,##0.00";
    if (c.kind === "hours") col.numFmt = "0.0";
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}
