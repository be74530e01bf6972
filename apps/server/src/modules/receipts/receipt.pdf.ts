import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { formatFen, shanghaiDate, shanghaiMinutes } from "@certhall/domain";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { Receipt } from "./receipt.service";

// The 回执单 as an A4 PDF. The Chinese font is embedded (pdfkit subsets it and writes a ToUnicode map),
// so the text reads right in any viewer and comes out of `pdftotext` as real text, not glyph soup.

export interface CjkFont {
  path: string;
  /** The face inside a TrueType/OpenType collection (.ttc); pdfkit/fontkit need it to pick one. */
  family?: string;
}

// Debian's fonts-noto-cjk first (what CI installs), then other common distribution paths.
const KNOWN_FONTS: CjkFont[] = [
  { path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", family: "NotoSansCJKsc-Regular" },
  { path: "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", family: "NotoSansCJKsc-Regular" },
  { path: "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", family: "NotoSansCJKsc-Regular" },
  { path: "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf" },
  { path: "/usr/share/fonts/noto-cjk/NotoSansSC-Regular.otf" },
  { path: "/System/Library/Fonts/PingFang.ttc", family: "PingFangSC-Regular" },
];

function familyFor(path: string): string | undefined {
  if (!path.toLowerCase().endsWith(".ttc")) return undefined;
  return /noto/i.test(path) ? "NotoSansCJKsc-Regular" : undefined;
}

let cached: { font: CjkFont; data: Buffer } | null = null;

/** Finds a Simplified Chinese font: the known paths, then fontconfig. Throws a clear error when none. */
export function findCjkFont(): CjkFont {
  for (const f of KNOWN_FONTS) if (existsSync(f.path)) return f;
  try {
    const file = execFileSync("fc-match", ["-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"], {
      encoding: "utf8",
      timeout: 5000,
    }).trim();
    // fc-match always answers something; only accept a font that is actually CJK.
    if (file && existsSync(file) && /cjk|sc|han|pingfang|wqy|droid/i.test(file)) {
      return { path: file, family: familyFor(file) };
    }
  } catch {
    // fontconfig missing: fall through to the error below.
  }
  throw new Error(
    "No Chinese font for the receipt PDF: install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk), " +
      `which provides ${KNOWN_FONTS[0]!.path}`,
  );
}

/** The CJK font, read once (the receipt, the forms and the demo invoices share it). */
export function loadCjkFont(): { font: CjkFont; data: Buffer } {
  if (!cached) {
    const font = findCjkFont();
    cached = { font, data: readFileSync(font.path) };
  }
  return cached;
}

/** "2026-11-25T02:00:00.000Z" → "2026-11-25 10:00" (Asia/Shanghai, as people read it). */
export function shanghaiDateTime(isoText: string | null): string {
  if (!isoText) return "—";
  const d = new Date(isoText);
  const m = shanghaiMinutes(d);
  return `${shanghaiDate(d)} ${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

const yuan = (fen: number) => formatFen(fen).replace("¥", "¥ ");

/** The thin grey line under a section title, across the text width. */
export function sectionRule(doc: PDFKit.PDFDocument, left: number, width: number): void {
  doc
    .moveTo(left, doc.y + 1)
    .lineTo(left + width, doc.y + 1)
    .lineWidth(0.5)
    .strokeColor("#999")
    .stroke();
}

/**
 * A pdfkit document (A4 unless `page` says otherwise) writing in the embedded CJK font; `done`
 * resolves to the file after `doc.end()`.
 */
export function cjkDocument(
  info: PDFKit.DocumentInfo,
  page: Pick<PDFKit.PDFDocumentOptions, "size" | "layout" | "margins"> = {},
): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const { font, data } = loadCjkFont();
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 48, bottom: 48, left: 50, right: 50 },
    ...page,
    info,
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  if (font.family) doc.registerFont("cjk", data, font.family);
  else doc.registerFont("cjk", data);
  doc.font("cjk");
  return { doc, done };
}

export async function renderReceiptPdf(r: Receipt): Promise<Buffer> {
  const { doc, done } = cjkDocument({
    Title: `${r.title} ${r.orderNo}`,
    Author: r.issuer,
    Subject: r.businessName,
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const qrSize = 110;

  // Header: title on the left, the verification QR code on the right.
  const top = doc.y;
  const qr = await QRCode.toBuffer(r.verification.url, { errorCorrectionLevel: "M", margin: 1, width: 330 });
  doc.image(qr, left + width - qrSize, top, { width: qrSize });
  doc
    .fontSize(11)
    .fillColor("#555")
    .text(r.issuer, left, top, { width: width - qrSize - 10 });
  doc
    .fontSize(22)
    .fillColor("#000")
    .text(r.title, { width: width - qrSize - 10 });
  doc.moveDown(0.3);
  doc.fontSize(11);
  const head: [string, string][] = [
    ["订单号", r.orderNo],
    ["业务类型", `${r.businessName}（${r.subjectKindLabel}）`],
    ["订单状态", r.stateLabel],
    ["回执日期", shanghaiDateTime(r.issuedAt)],
  ];
  for (const [k, v] of head) doc.text(`${k}：${v}`, { width: width - qrSize - 10 });
  doc
    .fontSize(8)
    .fillColor("#555")
    .text("扫码核验回执单", left + width - qrSize, top + qrSize + 2, {
      width: qrSize,
      align: "center",
    });
  doc.fillColor("#000");
  doc.x = left;
  doc.y = Math.max(doc.y, top + qrSize + 16);

  const section = (title: string) => {
    doc.moveDown(0.45);
    if (doc.y > doc.page.height - doc.page.margins.bottom - 60) doc.addPage();
    const y = doc.y;
    doc.fontSize(12.5).fillColor("#000").text(title, left, y);
    sectionRule(doc, left, width);
    doc.moveDown(0.25);
    doc.fontSize(10);
  };
  const line = (text: string, opts: PDFKit.Mixins.TextOptions = {}) =>
    doc.text(text, left, doc.y, { width, ...opts });

  section("申请主体");
  for (const s of r.subjects) {
    line(`${s.name}    ${s.identityLabel}：${s.identity}`);
    if (s.kind === "company" && (s.legalRep || s.address)) {
      line(`法定代表人：${s.legalRep ?? "—"}    地址：${s.address ?? "—"}`, { indent: 12 });
    }
  }

  section("经办人");
  line(`${r.handler.name}    身份证号：${r.handler.idNumberMasked}    手机：${r.handler.phoneMasked}`);

  section("证书及费用");
  for (const i of r.items) {
    line(
      `${i.position}. ${i.caTypeName} — ${i.subjectName}，${i.years} 年${i.eseal ? "，含电子签章" : ""}    ${yuan(i.amountFen)}`,
    );
    if (i.what) line(i.what, { indent: 14 });
    if (i.feeLines.length) {
      line(i.feeLines.map((l) => `${l.labelZh} ${yuan(l.amount)}`).join("；"), { indent: 14 });
    }
  }
  line(`合计：${yuan(r.totalFen)}    已缴：${yuan(r.paidFen)}`);
  for (const p of r.payments) {
    line(
      `${p.methodLabel} ${yuan(p.amountFen)}，${p.statusLabel}，支付时间 ${shanghaiDateTime(p.paidAt)}${p.bookedAt ? `，记账时间 ${shanghaiDateTime(p.bookedAt)}` : ""}`,
      { indent: 14 },
    );
  }

  section("需准备的材料");
  r.materials.forEach((m, i) => {
    line(`□ ${i + 1}. ${m.zh}`);
  });

  section("办理方式（邮寄或现场办理，任选其一）");
  if (r.delivery.method === "window" && r.delivery.window) {
    line(`已选择：现场办理 — ${r.delivery.window.name}，${r.delivery.appointmentDate}`);
  } else if (r.delivery.method === "mail") {
    line("已选择：邮寄材料（证书办结后按您填写的回寄地址寄回）");
  } else {
    line("尚未选择：可在“我的订单”中选择邮寄材料或预约网点现场办理。");
  }
  doc.moveDown(0.3);
  line(`邮寄地址：${r.mailing.address}`);
  line(`收件人：${r.mailing.recipient}    电话：${r.mailing.phone}`);

  section("办证网点");
  for (const w of r.windows) {
    line(`【${w.city}】${w.name}`);
    line(`地址：${w.address}`, { indent: 12 });
    line(`时间：${w.hoursText}    电话：${w.phone}`, { indent: 12 });
  }

  doc.moveDown(0.6);
  doc.fontSize(9).fillColor("#333");
  for (const n of r.notes) line(n);
  doc.fontSize(8).fillColor("#555");
  line(`核验地址：${r.verification.url}`);
  line(`打印时间：${shanghaiDateTime(r.printedAt)}`);

  doc.end();
  return done;
}
