// A small PNG encoder for tests (unit and e2e): RGBA (or any colour type) → PNG bytes, with a choice
// of scanline filters so that decoders meet all five. Not imported by production code.
import zlib from "node:zlib";

export type PngFilter = 0 | 1 | 2 | 3 | 4;

export interface EncodePngParams {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  /** 8 (default) or 16 (samples then take two bytes, big-endian). */
  bitDepth?: 8 | 16;
  /** Samples row by row, no filter bytes: width × channels × (bitDepth / 8) bytes a row. */
  samples: Uint8Array;
  /** Adam7 interlacing (the passes are built from `samples`). */
  interlace?: boolean;
  palette?: Uint8Array;
  trns?: Uint8Array;
  /** One filter for every row, or "cycle" (row y uses filter y % 5). Default "cycle". */
  filter?: PngFilter | "cycle";
  /** Extra chunks inserted before IEND, e.g. a tEXt to pad the file. */
  extraChunks?: Buffer[];
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(zlib.crc32(body), body.length + 4);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters rows of `stride` bytes (bpp = bytes per complete pixel) into the stream that is deflated. */
function filterRows(
  rows: Uint8Array,
  stride: number,
  height: number,
  bpp: number,
  filter: PngFilter | "cycle",
): Buffer {
  const out = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = filter === "cycle" ? ((y % 5) as PngFilter) : filter;
    out[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const x = rows[y * stride + i]!;
      const a = i >= bpp ? rows[y * stride + i - bpp]! : 0;
      const b = y > 0 ? rows[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? rows[(y - 1) * stride + i - bpp]! : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]!;
      out[y * (stride + 1) + 1 + i] = (x - predictor) & 0xff;
    }
  }
  return out;
}

// Adam7: [x start, y start, x step, y step] of the seven passes.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export function encodePng(p: EncodePngParams): Buffer {
  const depth = p.bitDepth ?? 8;
  const bpp = CHANNELS[p.colorType] * (depth / 8);
  const stride = p.width * bpp;
  if (p.samples.length !== stride * p.height) throw new Error("encodePng: samples do not match the size");
  const filter = p.filter ?? "cycle";
  let stream: Buffer;
  if (!p.interlace) {
    stream = filterRows(p.samples, stride, p.height, bpp, filter);
  } else {
    const parts: Buffer[] = [];
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = Math.ceil((p.width - x0) / dx);
      const h = Math.ceil((p.height - y0) / dy);
      if (w <= 0 || h <= 0) continue;
      const sub = new Uint8Array(w * h * bpp);
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++) {
          const from = ((y0 + j * dy) * p.width + (x0 + i * dx)) * bpp;
          sub.set(p.samples.subarray(from, from + bpp), (j * w + i) * bpp);
        }
      }
      parts.push(filterRows(sub, w * bpp, h, bpp, filter));
    }
    stream = Buffer.concat(parts);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr[8] = depth;
  ihdr[9] = p.colorType;
  ihdr[12] = p.interlace ? 1 : 0;
  const idat = zlib.deflateSync(stream);
  // Split the image data over several IDAT chunks, as encoders of large images do.
  const idats: Buffer[] = [];
  for (let i = 0; i < idat.length; i += 8192) idats.push(pngChunk("IDAT", idat.subarray(i, i + 8192)));
  return Buffer.concat([
    SIGNATURE,
    pngChunk("IHDR", ihdr),
    ...(p.palette ? [pngChunk("PLTE", p.palette)] : []),
    ...(p.trns ? [pngChunk("tRNS", p.trns)] : []),
    ...idats,
    ...(p.extraChunks ?? []),
    pngChunk("IEND"),
  ]);
}

/** RGBA (4 bytes a pixel, row-major) → an 8-bit RGBA PNG. Rows cycle through filters 0–4 by default. */
export function encodeRgbaPng(
  width: number,
  height: number,
  rgba: Uint8Array,
  filter: PngFilter | "cycle" = "cycle",
): Buffer {
  return encodePng({ width, height, colorType: 6, samples: rgba, filter });
}

export const SEAL_RED = [0xd4, 0x1f, 0x26] as const;

/**
 * A round red seal on a transparent background as RGBA: a ring and a five-pointed star, edges
 * anti-aliased (4×4 samples in each edge pixel, which so gets partial alpha). Corners are transparent.
 */
export function drawSealRgba(size: number): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  const c = size / 2;
  const outer = size * 0.46;
  const inner = size * 0.4;
  const star: [number, number][] = [];
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? size * 0.22 : size * 0.09;
    const angle = -Math.PI / 2 + (k * Math.PI) / 5;
    star.push([c + r * Math.cos(angle), c + r * Math.sin(angle)]);
  }
  const inside = (x: number, y: number) => {
    const d = Math.hypot(x - c, y - c);
    if (d <= outer && d >= inner) return true;
    let odd = false; // even-odd ray casting against the star polygon
    for (let i = 0, j = star.length - 1; i < star.length; j = i++) {
      const [xi, yi] = star[i]!;
      const [xj, yj] = star[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
    }
    return odd;
  };
  // Pixel corners are evaluated once; only pixels whose four corners disagree are supersampled.
  const corner = new Uint8Array((size + 1) * (size + 1));
  for (let y = 0; y <= size; y++)
    for (let x = 0; x <= size; x++) corner[y * (size + 1) + x] = inside(x, y) ? 1 : 0;
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const k = y * (size + 1) + x;
      const sum = corner[k]! + corner[k + 1]! + corner[k + size + 1]! + corner[k + size + 2]!;
      let hits = sum === 4 ? n * n : 0;
      if (sum > 0 && sum < 4) {
        for (let sy = 0; sy < n; sy++) {
          for (let sx = 0; sx < n; sx++) if (inside(x + (sx + 0.5) / n, y + (sy + 0.5) / n)) hits++;
        }
      }
      if (hits === 0) continue;
      const o = (y * size + x) * 4;
      rgba[o] = SEAL_RED[0];
      rgba[o + 1] = SEAL_RED[1];
      rgba[o + 2] = SEAL_RED[2];
      rgba[o + 3] = Math.round((hits * 255) / (n * n));
    }
  }
  return rgba;
}

/** drawSealRgba as a PNG file. */
export function drawSealPng(size: number): Buffer {
  return encodeRgbaPng(size, size, drawSealRgba(size));
}
