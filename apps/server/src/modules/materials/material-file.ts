// The content check of an uploaded material (issue 16): a photo or scan (JPEG, PNG) or a PDF. The type is
// read from the bytes (sniffVoucherType: magic numbers), never from the name or the browser's
// Content-Type, and the name's extension must agree with it, so an HTML page, an SVG or an .exe renamed
// .jpg is refused. Images must be a readable size (pixel dimensions from the JPEG SOF / PNG IHDR
// header); a PDF is parsed (pdf-lib) to count its pages and to refuse active content (JavaScript,
// launch actions, embedded files, XFA forms). Any upload holding markup or script text is refused.
import { createHash } from "node:crypto";
import { PDFDict, PDFDocument, PDFName, PDFRawStream } from "pdf-lib";
import { AppError } from "../../errors";
import { cleanFilename, sniffVoucherType } from "../payments/voucher";

export const MATERIAL_FILE_FIELD = "file";
export const MATERIAL_MAX_BYTES = 10 * 1024 * 1024;
export const MATERIAL_MAX_PAGES = 20;
/** A licence or ID card photographed or scanned below this is unreadable at the window. */
export const MATERIAL_MIN_SIDE = 400;
export const MATERIAL_MAX_SIDE = 12_000;
export const MATERIAL_MAX_PIXELS = 60_000_000;

export type MaterialMime = "image/jpeg" | "image/png" | "application/pdf";

export interface CheckedMaterialFile {
  filename: string;
  mime: MaterialMime;
  data: Buffer;
  sha256: string;
  width: number | null;
  height: number | null;
  pages: number | null;
}

const EXTENSIONS: Record<MaterialMime, readonly string[]> = {
  "image/jpeg": ["jpg", "jpeg"],
  "image/png": ["png"],
  "application/pdf": ["pdf"],
};

const TYPE_NAMES: Record<MaterialMime, string> = {
  "image/jpeg": "JPEG 图片",
  "image/png": "PNG 图片",
  "application/pdf": "PDF 文件",
};

/** Markup or script that has no business in a photo or a scan (polyglot files, SVG, HTML, PHP). */
const ACTIVE_TEXT = /<\s*(script|svg|html|iframe|object|embed|\?php)\b|javascript:/i;

/** Keys of a PDF dictionary that run or carry something beyond the printed page. */
const PDF_ACTIVE_KEYS = ["JS", "JavaScript", "Launch", "EmbeddedFiles", "EmbeddedFile", "XFA", "RichMedia"];
const PDF_ACTIVE_ACTIONS = ["JavaScript", "Launch", "ImportData", "SubmitForm", "GoToE", "RichMediaExecute"];

export const materialTooLarge = (label: string) =>
  new AppError("PAYLOAD_TOO_LARGE", `「${label}」文件不能超过 ${MATERIAL_MAX_BYTES / 1024 / 1024} MB`, {
    field: MATERIAL_FILE_FIELD,
  });

function refuse(label: string, why: string): never {
  throw new AppError("VALIDATION_FAILED", `「${label}」${why}`, { field: MATERIAL_FILE_FIELD });
}

/** Width and height of a PNG from its IHDR chunk (RFC 2083 §4.1.1), which must come first. */
function pngSize(data: Buffer): { width: number; height: number } | null {
  if (data.length < 33 || data.subarray(12, 16).toString("latin1") !== "IHDR") return null;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Width and height of a JPEG from its first SOFn marker (ITU T.81 B.2.2), walking the segments. */
function jpegSize(data: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < data.length) {
    if (data[i] !== 0xff) return null;
    const marker = data[i + 1]!;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    // Standalone markers carry no length.
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = data.readUInt16BE(i + 2);
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) return { height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
    if (marker === 0xda || len < 2) return null;
    i += 2 + len;
  }
  return null;
}

function checkImage(label: string, mime: MaterialMime, data: Buffer) {
  const size = mime === "image/png" ? pngSize(data) : jpegSize(data);
  if (!size || size.width === 0 || size.height === 0)
    refuse(label, "图片文件已损坏或不完整，请重新拍摄或扫描后上传");
  const { width, height } = size;
  if (Math.min(width, height) < MATERIAL_MIN_SIDE) {
    refuse(
      label,
      `图片太小（${width}×${height} 像素），短边至少 ${MATERIAL_MIN_SIDE} 像素，请上传清晰的照片或扫描件`,
    );
  }
  if (Math.max(width, height) > MATERIAL_MAX_SIDE || width * height > MATERIAL_MAX_PIXELS) {
    refuse(label, `图片尺寸过大（${width}×${height} 像素），长边不能超过 ${MATERIAL_MAX_SIDE} 像素`);
  }
  return { width, height };
}

function pdfDictIsActive(dict: PDFDict): boolean {
  for (const key of PDF_ACTIVE_KEYS) if (dict.has(PDFName.of(key))) return true;
  const s = dict.get(PDFName.of("S"));
  return s instanceof PDFName && PDF_ACTIVE_ACTIONS.includes(s.decodeText());
}

async function checkPdf(label: string, data: Buffer): Promise<number> {
  let doc: PDFDocument;
  let pages: number;
  try {
    doc = await PDFDocument.load(data, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: true,
    });
    pages = doc.getPageCount();
  } catch {
    return refuse(label, "PDF 文件已损坏或无法读取，请重新导出后上传");
  }
  if (doc.isEncrypted) refuse(label, "PDF 文件已加密，请上传未加密的 PDF");
  // Every object, including those inside object streams, which pdf-lib has unpacked.
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    const dict = obj instanceof PDFDict ? obj : obj instanceof PDFRawStream ? obj.dict : null;
    if (dict && pdfDictIsActive(dict))
      refuse(label, "PDF 文件含有脚本、附件或其他可执行内容，请打印后重新扫描为 PDF");
  }
  if (pages === 0) refuse(label, "PDF 文件没有页面");
  if (pages > MATERIAL_MAX_PAGES)
    refuse(label, `PDF 文件页数过多（${pages} 页），最多 ${MATERIAL_MAX_PAGES} 页`);
  return pages;
}

/**
 * Checks one uploaded file for the material named `label` (its Chinese name, which every message
 * names). Throws AppError (field "file") when refused; nothing is stored before this returns.
 */
export async function checkMaterialFile(
  label: string,
  filename: string | undefined,
  data: Buffer,
): Promise<CheckedMaterialFile> {
  if (data.length === 0) refuse(label, "文件为空，请重新选择");
  if (data.length > MATERIAL_MAX_BYTES) throw materialTooLarge(label);
  const mime = sniffVoucherType(data);
  const head = data.subarray(0, 512).toString("latin1").trimStart();
  if (!mime) {
    if (/^(<\?xml|<svg|<!doctype svg)/i.test(head) || /<svg\b/i.test(head)) {
      refuse(label, "不支持 SVG 文件，请上传 JPEG、PNG 图片或 PDF 文件");
    }
    refuse(label, "文件内容不是 JPEG、PNG 图片或 PDF 文件（按文件内容识别，仅修改扩展名无效）");
  }
  const name = cleanFilename(filename);
  const ext = /\.([a-z0-9]{1,8})$/i.exec(name)?.[1]?.toLowerCase();
  if (ext && !EXTENSIONS[mime].includes(ext)) {
    refuse(label, `文件扩展名为 .${ext}，但内容是${TYPE_NAMES[mime]}，请上传与扩展名相符的文件`);
  }
  if (ACTIVE_TEXT.test(data.toString("latin1"))) {
    refuse(label, "文件中含有脚本或网页代码，不能作为材料上传");
  }
  let width: number | null = null;
  let height: number | null = null;
  let pages: number | null = null;
  if (mime === "application/pdf") pages = await checkPdf(label, data);
  else ({ width, height } = checkImage(label, mime, data));
  const sha256 = createHash("sha256").update(data).digest("hex");
  return {
    filename: name === "voucher" ? `material.${EXTENSIONS[mime][0]}` : name,
    mime,
    data,
    sha256,
    width,
    height,
    pages,
  };
}
