import crypto from "node:crypto";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { checkSealImage, decodePng, SEAL_IMAGE_MESSAGES as M } from "./seal-image";
import {
  drawSealPng,
  drawSealRgba,
  encodePng,
  encodeRgbaPng,
  type PngFilter,
  pngChunk,
  SEAL_RED,
} from "./seal-image.test-support";

function refusal(bytes: Buffer): string {
  try {
    checkSealImage(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect([e.code, e.status, e.field]).toEqual(["VALIDATION_FAILED", 400, "sealImage"]);
    return e.message;
  }
  throw new Error("expected the seal image to be refused");
}

const transparentShare = (rgba: Uint8Array) => {
  let n = 0;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] === 0) n++;
  return n / (rgba.length / 4);
};

/** A seal drawn on an arbitrary canvas: the round seal centred, the rest transparent. */
function sealOn(width: number, height: number): Uint8Array {
  const side = Math.min(width, height);
  const seal = drawSealRgba(side);
  const out = new Uint8Array(width * height * 4);
  const x0 = Math.floor((width - side) / 2);
  const y0 = Math.floor((height - side) / 2);
  for (let y = 0; y < side; y++)
    out.set(seal.subarray(y * side * 4, (y + 1) * side * 4), ((y + y0) * width + x0) * 4);
  return out;
}

/** Byte offset of the first chunk of `type`. */
function chunkAt(png: Buffer, type: string): number {
  let pos = 8;
  while (pos < png.length) {
    if (png.toString("latin1", pos + 4, pos + 8) === type) return pos;
    pos += 12 + png.readUInt32BE(pos);
  }
  throw new Error(`no ${type}`);
}

describe("checkSealImage: a good seal", () => {
  it("accepts a red round seal on a transparent background and reports what it measured", () => {
    const png = drawSealPng(300);
    const r = checkSealImage(png);
    expect(r.width).toBe(300);
    expect(r.height).toBe(300);
    expect(r.sha256).toBe(crypto.createHash("sha256").update(png).digest("hex"));
    // The ratio is measured on the decoded image: it must equal the one of the pixels we encoded.
    expect(r.transparentRatio).toBe(transparentShare(drawSealRgba(300)));
    expect(r.transparentRatio).toBeGreaterThan(0.6);
    expect(r.transparentRatio).toBeLessThan(0.9);
  });

  it("decodes every scanline filter (0–4, one per image and cycling) to the pixels encoded", () => {
    const rgba = new Uint8Array(crypto.randomBytes(37 * 23 * 4));
    for (const filter of [0, 1, 2, 3, 4, "cycle"] as const) {
      const { header, pixels, alpha } = decodePng(encodeRgbaPng(37, 23, rgba, filter));
      expect([header.width, header.height, header.colorType]).toEqual([37, 23, 6]);
      expect(Buffer.from(pixels).equals(Buffer.from(rgba))).toBe(true);
      expect(alpha[5]).toBe(rgba[5 * 4 + 3]);
    }
    const seal = drawSealRgba(200);
    const ratios = ([0, 1, 2, 3, 4] as PngFilter[]).map((f) =>
      checkSealImage(encodeRgbaPng(200, 200, seal, f)),
    );
    expect(new Set(ratios.map((r) => r.transparentRatio)).size).toBe(1);
  });

  it("decodes PNGs written by another encoder (pngjs, one fixed filter per file)", () => {
    // 9×7 RGBA images made once with pngjs (filterType 0..4) from the formula below.
    for (const [filter, b64] of Object.entries(PNGJS_FIXTURES)) {
      const bytes = Buffer.from(b64, "base64");
      const at = chunkAt(bytes, "IDAT");
      const idat = zlib.inflateSync(bytes.subarray(at + 8, at + 8 + bytes.readUInt32BE(at)));
      expect(idat[0]).toBe(Number(filter)); // the file really uses that filter
      const { pixels } = decodePng(bytes);
      for (let y = 0; y < 7; y++) {
        for (let x = 0; x < 9; x++) {
          const o = (y * 9 + x) * 4;
          const want = [(x * 37 + y * 11) & 255, (x * x + 3 * y) & 255, (x * y * 7) & 255];
          want.push((x + y) % 3 === 0 ? 0 : (x * 29 + y * 53) & 255);
          expect([...pixels.subarray(o, o + 4)]).toEqual(want);
        }
      }
    }
  });

  it("accepts a palette PNG with tRNS, RGB with a tRNS colour key and grey+alpha", () => {
    const seal = drawSealRgba(160);
    const n = 160 * 160;
    // Palette: index 0 transparent, 1..4 the red at rising alpha.
    const indices = new Uint8Array(n);
    for (let i = 0; i < n; i++) indices[i] = Math.round((seal[i * 4 + 3]! / 255) * 4);
    const palette = new Uint8Array(15);
    for (let k = 1; k < 5; k++) palette.set(SEAL_RED, k * 3);
    const p8 = encodePng({
      width: 160,
      height: 160,
      colorType: 3,
      samples: indices,
      palette,
      trns: new Uint8Array([0, 64, 128, 191, 255]),
    });
    const zeros = indices.filter((v) => v === 0).length;
    expect(checkSealImage(p8).transparentRatio).toBe(zeros / n);

    // RGB with a colour key: white (0xffff… at 16 bits, low byte 0xff at 8) is transparent.
    const rgb = new Uint8Array(n * 3).fill(255);
    for (let i = 0; i < n; i++) if (seal[i * 4 + 3]! > 127) rgb.set(SEAL_RED, i * 3);
    const keyed = encodePng({
      width: 160,
      height: 160,
      colorType: 2,
      samples: rgb,
      trns: new Uint8Array([0, 255, 0, 255, 0, 255]),
    });
    const white = Array.from({ length: n }, (_, i) => rgb[i * 3] === 255).filter(Boolean).length;
    expect(checkSealImage(keyed).transparentRatio).toBe(white / n);

    const ga = new Uint8Array(n * 2);
    for (let i = 0; i < n; i++) {
      ga[i * 2] = 40;
      ga[i * 2 + 1] = seal[i * 4 + 3]!;
    }
    expect(checkSealImage(encodePng({ width: 160, height: 160, colorType: 4, samples: ga })).width).toBe(160);
  });

  it("accepts the size limits: 150 and 1000 px, 1:1.5, exactly 1 MB", () => {
    expect(checkSealImage(encodeRgbaPng(150, 225, sealOn(150, 225))).height).toBe(225);
    expect(checkSealImage(encodeRgbaPng(1000, 1000, drawSealRgba(1000))).width).toBe(1000);
    expect(checkSealImage(encodeRgbaPng(450, 300, sealOn(450, 300))).width).toBe(450);
    const base = drawSealPng(200);
    const pad = (total: number) => {
      // A tEXt chunk takes the file to `total` bytes (12 bytes of chunk framing).
      const text = Buffer.alloc(total - base.length - 12, 0x61);
      text.write("Comment\0", 0, "latin1");
      return encodePng({
        width: 200,
        height: 200,
        colorType: 6,
        samples: drawSealRgba(200),
        extraChunks: [pngChunk("tEXt", text)],
      });
    };
    expect(pad(1024 * 1024).length).toBe(1024 * 1024);
    expect(checkSealImage(pad(1024 * 1024)).width).toBe(200);
    expect(refusal(pad(1024 * 1024 + 1))).toBe(M.tooLarge);
  });
});

describe("checkSealImage: refusals", () => {
  it("refuses what is not a PNG by its bytes, whatever the name", () => {
    const jpeg = Buffer.concat([
      Buffer.from("ffd8ffe000104a46494600010100000100010000ffdb004300", "hex"),
      Buffer.alloc(64, 8),
      Buffer.from("ffd9", "hex"),
    ]);
    expect(refusal(jpeg)).toBe(M.notPng);
    expect(refusal(Buffer.from("GIF89a\x01\x00\x01\x00"))).toBe(M.notPng);
    expect(refusal(Buffer.alloc(0))).toBe(M.notPng);
    expect(refusal(drawSealPng(200).subarray(1))).toBe(M.notPng);
  });

  it("refuses a file over 1 MB (a real PNG of noise)", () => {
    const noise = new Uint8Array(crypto.randomBytes(1000 * 1000 * 4));
    const png = encodeRgbaPng(1000, 1000, noise, 0);
    expect(png.length).toBeGreaterThan(1024 * 1024);
    expect(refusal(png)).toBe(M.tooLarge);
  });

  it("refuses too small, too big and too elongated images", () => {
    expect(refusal(encodeRgbaPng(149, 200, sealOn(149, 200)))).toBe(M.side(149, 200));
    expect(refusal(encodeRgbaPng(200, 149, sealOn(200, 149)))).toBe(M.side(200, 149));
    expect(refusal(encodeRgbaPng(1001, 1001, new Uint8Array(1001 * 1001 * 4)))).toBe(M.side(1001, 1001));
    expect(refusal(encodeRgbaPng(451, 300, sealOn(451, 300)))).toBe(M.aspect(451, 300));
    expect(refusal(encodeRgbaPng(200, 301, sealOn(200, 301)))).toBe(M.aspect(200, 301));
  });

  it("refuses a seal on a white background, and a PNG without any transparency", () => {
    const onWhite = drawSealRgba(240);
    for (let i = 0; i < onWhite.length; i += 4) {
      const a = onWhite[i + 3]! / 255;
      for (let k = 0; k < 3; k++) onWhite[i + k] = Math.round(onWhite[i + k]! * a + 255 * (1 - a));
      onWhite[i + 3] = 255;
    }
    expect(refusal(encodeRgbaPng(240, 240, onWhite))).toBe(M.corners);
    const rgb = new Uint8Array(240 * 240 * 3);
    for (let i = 0; i < 240 * 240; i++) rgb.set(onWhite.subarray(i * 4, i * 4 + 3), i * 3);
    expect(refusal(encodePng({ width: 240, height: 240, colorType: 2, samples: rgb }))).toBe(M.noAlpha);
  });

  it("refuses one opaque corner", () => {
    const seal = drawSealRgba(200);
    seal.set([0, 0, 0, 1], (199 * 200 + 199) * 4); // bottom-right, barely visible
    expect(refusal(encodeRgbaPng(200, 200, seal))).toBe(M.corners);
  });

  it("refuses an empty (all transparent) image and a seal too faint to count", () => {
    expect(refusal(encodeRgbaPng(200, 200, new Uint8Array(200 * 200 * 4)))).toBe(M.empty("0.0"));
    const faint = drawSealRgba(200);
    for (let i = 3; i < faint.length; i += 4) faint[i] = Math.min(faint[i]!, 199);
    expect(refusal(encodeRgbaPng(200, 200, faint))).toMatch(/^印章图片几乎没有内容：不透明的像素占 0\.0%/);
  });

  it("refuses a background that is mostly not transparent (needs 30%)", () => {
    // A filled disc: corners transparent, but only ~21% of the pixels.
    const size = 200;
    const disc = new Uint8Array(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (Math.hypot(x + 0.5 - 100, y + 0.5 - 100) <= 100) disc.set([...SEAL_RED, 255], (y * size + x) * 4);
      }
    }
    const share = transparentShare(disc);
    expect(share).toBeLessThan(0.3);
    expect(refusal(encodeRgbaPng(size, size, disc))).toBe(
      M.fewTransparent((Math.floor(share * 1000) / 10).toFixed(1)),
    );
  });

  it("refuses 16-bit and interlaced PNGs with their own messages", () => {
    const seal = drawSealRgba(160);
    const s16 = new Uint8Array(seal.length * 2);
    for (let i = 0; i < seal.length; i++) s16[2 * i] = s16[2 * i + 1] = seal[i]!;
    expect(refusal(encodePng({ width: 160, height: 160, colorType: 6, bitDepth: 16, samples: s16 }))).toBe(
      M.depth16,
    );
    expect(
      refusal(encodePng({ width: 160, height: 160, colorType: 6, samples: seal, interlace: true })),
    ).toBe(M.interlaced);
  });

  it("refuses a corrupted CRC, naming the chunk", () => {
    const png = drawSealPng(200);
    const idat = Buffer.from(png);
    idat[chunkAt(idat, "IDAT") + 40]! ^= 0x01;
    expect(refusal(idat)).toBe(M.badCrc("IDAT"));
    const ihdr = Buffer.from(png);
    ihdr[8 + 8 + 13 + 3]! ^= 0xff; // last byte of IHDR's CRC
    expect(refusal(ihdr)).toBe(M.badCrc("IHDR"));
  });

  it("refuses truncated files and data after IEND", () => {
    const png = drawSealPng(200);
    expect(refusal(png.subarray(0, png.length >> 1))).toBe(M.corrupt);
    expect(refusal(png.subarray(0, png.length - 12))).toBe(M.corrupt); // IEND cut off
    expect(refusal(png.subarray(0, 20))).toBe(M.corrupt);
    expect(refusal(Buffer.concat([png, Buffer.from("<?php echo 1; ?>")]))).toBe(M.corrupt);
  });

  it("refuses image data that does not match the header (too long, too short, bad filter type)", () => {
    const seal = drawSealRgba(200);
    const big = encodeRgbaPng(200, 200, seal);
    // Claim 160×160 for 200×200 data: the inflated stream is longer than the header allows.
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(160, 0);
    ihdr.writeUInt32BE(160, 4);
    ihdr.set([8, 6, 0, 0, 0], 8);
    const lying = Buffer.concat([big.subarray(0, 8), pngChunk("IHDR", ihdr), big.subarray(8 + 25)]);
    expect(refusal(lying)).toBe(M.corrupt);
    ihdr.writeUInt32BE(240, 0);
    ihdr.writeUInt32BE(240, 4);
    const short = Buffer.concat([big.subarray(0, 8), pngChunk("IHDR", ihdr), big.subarray(8 + 25)]);
    expect(refusal(short)).toBe(M.corrupt);
    // Filter type 5 does not exist.
    const stream = Buffer.alloc(200 * 801);
    stream[0] = 5;
    const bad = Buffer.concat([
      big.subarray(0, 8 + 25),
      pngChunk("IDAT", zlib.deflateSync(stream)),
      pngChunk("IEND"),
    ]);
    expect(refusal(bad)).toBe(M.corrupt);
    // Not zlib at all.
    const garbage = Buffer.concat([
      big.subarray(0, 8 + 25),
      pngChunk("IDAT", Buffer.from("not zlib")),
      pngChunk("IEND"),
    ]);
    expect(refusal(garbage)).toBe(M.corrupt);
  });

  it("refuses a small file that would inflate far beyond its header (zip bomb)", () => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(200, 0);
    ihdr.writeUInt32BE(200, 4);
    ihdr.set([8, 6, 0, 0, 0], 8);
    const bomb = zlib.deflateSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const png = Buffer.concat([
      drawSealPng(200).subarray(0, 8),
      pngChunk("IHDR", ihdr),
      pngChunk("IDAT", bomb),
      pngChunk("IEND"),
    ]);
    expect(refusal(png)).toBe(M.corrupt);
  });
});

const PNGJS_FIXTURES: Record<string, string> = {
  0: "iVBORw0KGgoAAAANSUhEUgAAAAkAAAAHCAYAAADam2dgAAABDklEQVR4AQEDAfz+AAAAAAAlAQAdSgQAOm8JAACUEAB0uRkAkd4kAAADMQDLKEAA6AALAwA1MAQHUlUHDgB6DBWMnxMcqcQcIwDpJyrjDjQxADNDOAAAFgYAajsHDgBgChykhQ8qwaoWOADPH0b79CpUGBk3YgA+RnBSACEJAABGChW8aw0q2ZASPwC1GVQT2iJpMP8tfgAkOpNqSUmohwAsDADUUQ0c8XYQOACbFVQrwBxwSOUljAAKMKiCLz3En1RM4AAANw8ACVwQIwCBE0ZDphhpYMsfjADwKK+aFTPStzpA9QBfTxjxAEISAABnEypbjBZUeLEbfgDWIqiy+yvSzyA2/ABFQyYJalJQJqQnSXh4KI16AAAAAElFTkSuQmCC",
  1: "iVBORw0KGgoAAAANSUhEUgAAAAkAAAAHCAYAAADam2dgAAAA1UlEQVR4AQ3BoS/wQRjA8efZ7Ty7nd/dxk66J9jtO9tRBBNtJFURJFVR/AWSIAuSIAuSICuK4D9QVOkNb+HzUfmDihPEifKGyRVJnCyXLPJOFdccZA81J9gT0W4xc5Kdku2LxZxqohsrcoGWO0J5JBbHygGp/CcXZynf1HKim0kEba+E5sS2hbV1UnNy+2BpF9TmurMqn2h3Qq/Evo11J/UXcr9m6U7t57pfJaHjH2EcEYdj44E07snDWcYxdfzo4ZoIOs8I04nzBpvPpOnkucsyE3X6L+HrJXaogHJmAAAAAElFTkSuQmCC",
  2: "iVBORw0KGgoAAAANSUhEUgAAAAkAAAAHCAYAAADam2dgAAAAzklEQVR4AQ3BISwGcRjA4df9bLdvv+3Y7Da2k46xk/7h3W4Km0RUBElVvqKosmIzQRJkQWKTFUWQFeWrkqDwPFX8W5+L1YP52J5OIq4X4+x5Ja4+1yIo8ba5G7NKIqVOaV6lvZQupZ/K8CUlZVyuJFLqB2nupU3pjqT/lSGlhIyHlcSN1C/SpLQ70i1JnzLMpJzKmJXEh9QpzYa0W9Kl9O8yXEhJGc8riZR6QZo9aVO6J+lvZUgpJzJ+VxI/Uh9Lk9LeSfcofcqwL2UiY/4BcMElbvscaqQAAAAASUVORK5CYII=",
  3: "iVBORw0KGgoAAAANSUhEUgAAAAkAAAAHCAYAAADam2dgAAAA80lEQVR4AQ3BLUsEURQG4OM995ORgR0ZeQeveGWQ8YyyICJYTDYtIohBTDZBLP6C3bpxw2ARxLKwySRitG012vYXCDYN+jxM/zYWaHVf0/aRo/nlIt3d9uh8AHoZr9Gs2aQhZ0x7UE7A2St0PoIpBLa8gqvmnY+CkEbcM3QClT2C8yfoQmDKY9jqBy5K59M3Qn3Ky5ZmUPkbuBDochemWoKNE7j02fn6GqERjp4+oAoBlyvQ1RZMFNj0DlcP4BtBaG94PdADVDkEV4fQUWDSFLa+71wj8O0ZQv+Lm4x+oaoLcBToNIapn2Eb6Vx7AN8PCDuTP4eCLRKX6SlaAAAAAElFTkSuQmCC",
  4: "iVBORw0KGgoAAAANSUhEUgAAAAkAAAAHCAYAAADam2dgAAAAyUlEQVR4AQ3BoU5DQRCG0dn8SybNF6aCrNtRN5smRSFugkOgsBgECovB8AQoRHUFCoFGoBBoDJY3wGBRFRg4p9q/USyHLMeevQ+327GwHNjN2LePsbSsyGaKJ/Jn5BvkifwC+RfyRG4V2UzxLYonFIniBMUvikRhKM4rsi3F31AkaivUDlCbUftG7Rq1rMg+KZ4olqgdop6ov6J+N9QT9auKbKb4DsUpaon6I5oe0JRoOkPTT0W2o/glikTtHvUXNCVaH6H1Ah3Pf9wIHvTML34qAAAAAElFTkSuQmCC",
};
