// The seal picture an applicant uploads for 电子签章开通. It is stamped onto signed documents, so it
// must be a PNG whose background is really transparent, not a scan on white paper. We decode it
// ourselves (chunks, CRC, zlib, the five scanline filters) rather than trust a file name or a header:
// only 8-bit, non-interlaced images are taken, which every image editor can export.
import crypto from "node:crypto";
import zlib from "node:zlib";
import { AppError } from "../../errors";

export const SEAL_IMAGE_FIELD = "sealImage";
export const SEAL_IMAGE_MAX_BYTES = 1024 * 1024;
export const SEAL_IMAGE_MIN_SIDE = 150;
export const SEAL_IMAGE_MAX_SIDE = 1000;

export const SEAL_IMAGE_MESSAGES = {
  notPng: "印章图片须为 PNG 格式（按文件内容识别，仅修改扩展名无效）",
  tooLarge: "印章图片不能超过 1 MB",
  corrupt: "印章图片文件已损坏或不完整，请重新导出 PNG 后上传",
  badCrc: (chunk: string) => `印章图片文件已损坏（数据块 ${chunk} 校验失败），请重新导出 PNG 后上传`,
  side: (w: number, h: number) => `印章图片的宽和高须在 150 到 1000 像素之间，当前为 ${w}×${h}`,
  aspect: (w: number, h: number) => `印章图片的宽高比不能超过 1:1.5，当前为 ${w}×${h}`,
  depth16: "印章图片不支持 16 位色深，请另存为 8 位 PNG",
  depth: (bits: number) => `印章图片须为 8 位色深的 PNG，当前为 ${bits} 位`,
  interlaced: "印章图片不支持隔行扫描（Adam7）的 PNG，请另存为非隔行 PNG",
  noAlpha: "印章图片须为透明背景的 PNG（带透明通道），当前图片不含透明信息",
  corners: "印章图片的背景须透明：图片四个角的像素须完全透明",
  fewTransparent: (pct: string) => `印章图片的透明背景不足：完全透明的像素占 ${pct}%，至少须占 30%`,
  empty: (pct: string) => `印章图片几乎没有内容：不透明的像素占 ${pct}%，至少须占 2%`,
} as const;

export interface SealImageCheck {
  width: number;
  height: number;
  /** SHA-256 of the uploaded bytes, lower-case hex. */
  sha256: string;
  /** Share of fully transparent pixels (alpha 0), 0..1. */
  transparentRatio: number;
}

const fail = (message: string): never => {
  throw new AppError("VALIDATION_FAILED", message, { field: SEAL_IMAGE_FIELD });
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Opaque enough to count as the seal's ink. */
const OPAQUE_ALPHA = 200;

/** Checks an uploaded seal picture; throws AppError VALIDATION_FAILED (field "sealImage") when refused. */
export function checkSealImage(bytes: Buffer): SealImageCheck {
  if (bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    fail(SEAL_IMAGE_MESSAGES.notPng);
  }
  if (bytes.length > SEAL_IMAGE_MAX_BYTES) fail(SEAL_IMAGE_MESSAGES.tooLarge);

  const png = readChunks(bytes);
  const { width, height } = png.header;
  const inRange = (n: number) => n >= SEAL_IMAGE_MIN_SIDE && n <= SEAL_IMAGE_MAX_SIDE;
  if (!inRange(width) || !inRange(height)) fail(SEAL_IMAGE_MESSAGES.side(width, height));
  if (2 * Math.max(width, height) > 3 * Math.min(width, height))
    fail(SEAL_IMAGE_MESSAGES.aspect(width, height));
  if (png.header.bitDepth === 16) fail(SEAL_IMAGE_MESSAGES.depth16);
  if (png.header.bitDepth !== 8) fail(SEAL_IMAGE_MESSAGES.depth(png.header.bitDepth));
  if (png.header.interlace !== 0) fail(SEAL_IMAGE_MESSAGES.interlaced);
  const ct = png.header.colorType;
  if (ct !== 6 && ct !== 4 && !png.trns) fail(SEAL_IMAGE_MESSAGES.noAlpha);

  const alpha = alphaOf(png, unfilter(png));
  const at = (x: number, y: number) => alpha[y * width + x]!;
  if (
    at(0, 0) !== 0 ||
    at(width - 1, 0) !== 0 ||
    at(0, height - 1) !== 0 ||
    at(width - 1, height - 1) !== 0
  ) {
    fail(SEAL_IMAGE_MESSAGES.corners);
  }
  let transparent = 0;
  let opaque = 0;
  for (const a of alpha) {
    if (a === 0) transparent++;
    else if (a >= OPAQUE_ALPHA) opaque++;
  }
  const total = width * height;
  // Integer comparisons: exactly 30% / 2% pass, whatever floating point says.
  if (transparent * 10 < total * 3) fail(SEAL_IMAGE_MESSAGES.fewTransparent(percent(transparent, total)));
  if (opaque * 50 < total) fail(SEAL_IMAGE_MESSAGES.empty(percent(opaque, total)));

  return {
    width,
    height,
    sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    transparentRatio: transparent / total,
  };
}

/** Rounded down, so "29.9" is never shown as "30" next to "at least 30%". */
const percent = (n: number, total: number) => (Math.floor((n * 1000) / total) / 10).toFixed(1);

// --- Decoding ---------------------------------------------------------------------------------

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

interface PngParts {
  header: PngHeader;
  palette: Buffer | null;
  trns: Buffer | null;
  idat: Buffer;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** Walks the chunks: IHDR first, CRC of every chunk, IEND last with nothing after it. */
function readChunks(bytes: Buffer): PngParts {
  let pos = 8;
  let header: PngHeader | null = null;
  let palette: Buffer | null = null;
  let trns: Buffer | null = null;
  const idat: Buffer[] = [];
  let idatDone = false;
  for (;;) {
    if (pos + 12 > bytes.length) return fail(SEAL_IMAGE_MESSAGES.corrupt);
    const length = bytes.readUInt32BE(pos);
    const type = bytes.toString("latin1", pos + 4, pos + 8);
    if (length > 0x7fffffff || pos + 12 + length > bytes.length || !/^[A-Za-z]{4}$/.test(type)) {
      return fail(SEAL_IMAGE_MESSAGES.corrupt);
    }
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    const crc = bytes.readUInt32BE(pos + 8 + length);
    if (zlib.crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== crc) fail(SEAL_IMAGE_MESSAGES.badCrc(type));
    pos += 12 + length;

    if (!header && type !== "IHDR") return fail(SEAL_IMAGE_MESSAGES.corrupt);
    if (type !== "IDAT" && idat.length > 0) idatDone = true;
    switch (type) {
      case "IHDR":
        if (header || length !== 13) return fail(SEAL_IMAGE_MESSAGES.corrupt);
        header = readHeader(data);
        break;
      case "PLTE":
        if (idat.length > 0 || length === 0 || length % 3 !== 0 || length > 768)
          fail(SEAL_IMAGE_MESSAGES.corrupt);
        palette = data;
        break;
      case "tRNS":
        if (idat.length > 0) fail(SEAL_IMAGE_MESSAGES.corrupt);
        trns = data;
        break;
      case "IDAT":
        if (idatDone) fail(SEAL_IMAGE_MESSAGES.corrupt); // IDAT chunks must be consecutive
        idat.push(data);
        break;
      case "IEND":
        if (pos !== bytes.length || idat.length === 0) return fail(SEAL_IMAGE_MESSAGES.corrupt);
        return checkParts({ header: header!, palette, trns, idat: Buffer.concat(idat) });
      default:
        // An unknown critical chunk (upper-case first letter) cannot be safely ignored.
        if (type.charCodeAt(0) < 0x61) fail(SEAL_IMAGE_MESSAGES.corrupt);
    }
  }
}

function readHeader(data: Buffer): PngHeader {
  const header = {
    width: data.readUInt32BE(0),
    height: data.readUInt32BE(4),
    bitDepth: data[8]!,
    colorType: data[9]!,
    interlace: data[12]!,
  };
  const depths = VALID_DEPTHS[header.colorType];
  if (
    header.width === 0 ||
    header.height === 0 ||
    !depths?.includes(header.bitDepth) ||
    data[10] !== 0 || // compression method
    data[11] !== 0 || // filter method
    header.interlace > 1
  ) {
    fail(SEAL_IMAGE_MESSAGES.corrupt);
  }
  return header;
}

function checkParts(p: PngParts): PngParts {
  const ct = p.header.colorType;
  if (ct === 3 && !p.palette) fail(SEAL_IMAGE_MESSAGES.corrupt);
  if (p.trns) {
    const ok =
      (ct === 0 && p.trns.length === 2) ||
      (ct === 2 && p.trns.length === 6) ||
      (ct === 3 && p.trns.length <= (p.palette?.length ?? 0) / 3);
    if (!ok) fail(SEAL_IMAGE_MESSAGES.corrupt); // tRNS is not allowed with an alpha channel either
  }
  return p;
}

/** Inflates the image data and undoes the five PNG filters; returns rows without their filter byte. */
function unfilter(png: PngParts): Buffer {
  const { width, height, colorType } = png.header;
  const bpp = CHANNELS[colorType]!; // bytes per pixel at 8 bits per sample
  const stride = width * bpp;
  const expected = height * (stride + 1);
  let raw: Buffer;
  try {
    // The limit stops a small file that inflates to gigabytes.
    raw = zlib.inflateSync(png.idat, { maxOutputLength: expected });
  } catch {
    return fail(SEAL_IMAGE_MESSAGES.corrupt);
  }
  if (raw.length !== expected) fail(SEAL_IMAGE_MESSAGES.corrupt);

  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride; // only read when y > 0
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[row + i - bpp]! : 0;
      const b = y > 0 ? out[prev + i]! : 0;
      const c = i >= bpp && y > 0 ? out[prev + i - bpp]! : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          return fail(SEAL_IMAGE_MESSAGES.corrupt);
      }
      out[row + i] = (raw[src + i]! + predictor) & 0xff;
    }
  }
  return out;
}

/** One alpha value per pixel, from the alpha channel, the palette's tRNS table or the tRNS colour key. */
function alphaOf(png: PngParts, pixels: Buffer): Uint8Array {
  const { width, height, colorType } = png.header;
  const n = width * height;
  const alpha = new Uint8Array(n);
  const trns = png.trns;
  switch (colorType) {
    case 6:
      for (let i = 0; i < n; i++) alpha[i] = pixels[i * 4 + 3]!;
      break;
    case 4:
      for (let i = 0; i < n; i++) alpha[i] = pixels[i * 2 + 1]!;
      break;
    case 3: {
      const entries = png.palette!.length / 3;
      for (let i = 0; i < n; i++) {
        const index = pixels[i]!;
        if (index >= entries) fail(SEAL_IMAGE_MESSAGES.corrupt);
        alpha[i] = trns && index < trns.length ? trns[index]! : 255;
      }
      break;
    }
    case 2: {
      // tRNS holds one RGB colour as three 16-bit samples; at 8 bits only the low byte is used.
      const [r, g, b] = [trns!.readUInt16BE(0), trns!.readUInt16BE(2), trns!.readUInt16BE(4)];
      for (let i = 0; i < n; i++) {
        const k = i * 3;
        alpha[i] = pixels[k] === r && pixels[k + 1] === g && pixels[k + 2] === b ? 0 : 255;
      }
      break;
    }
    case 0: {
      const grey = trns!.readUInt16BE(0);
      for (let i = 0; i < n; i++) alpha[i] = pixels[i] === grey ? 0 : 255;
      break;
    }
  }
  return alpha;
}

/**
 * Decodes an 8-bit, non-interlaced PNG: the unfiltered samples (row-major, no filter bytes) and one
 * alpha value per pixel. Same refusals as checkSealImage minus the seal rules; exposed for tests.
 */
export function decodePng(bytes: Buffer): { header: PngHeader; pixels: Buffer; alpha: Uint8Array } {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) fail(SEAL_IMAGE_MESSAGES.notPng);
  const png = readChunks(bytes);
  if (png.header.bitDepth === 16) fail(SEAL_IMAGE_MESSAGES.depth16);
  if (png.header.bitDepth !== 8) fail(SEAL_IMAGE_MESSAGES.depth(png.header.bitDepth));
  if (png.header.interlace !== 0) fail(SEAL_IMAGE_MESSAGES.interlaced);
  const pixels = unfilter(png);
  return { header: png.header, pixels, alpha: alphaOf(png, pixels) };
}
