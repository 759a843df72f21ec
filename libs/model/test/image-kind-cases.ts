/**
 * Input-kind cases shared by the end-to-end tests of every runtime (`sr upscale`, the Node API, workerd): one small
 * encoded file per image kind, and what an upscaled output of it must look like. Made with sharp, so tests need no
 * fixture files.
 */
import sharp from 'sharp';
import { applyOrientation, type ExifOrientation, type PixelImage } from '../src/image/index.ts';

export type KindFormat = 'png' | 'jpeg' | 'webp';

export interface ImageKindCase {
  name: string;
  format: KindFormat;
  mime: `image/${KindFormat}`;
  ext: 'png' | 'jpg' | 'webp';
  bytes: Uint8Array;
  /** Displayed size (after EXIF orientation). */
  width: number;
  height: number;
  /** The output, in the input's format: channels and bit depth (size = scale × width, height). */
  out: { channels: 1 | 2 | 3 | 4; bitDepth: 8 | 16 };
  /** The left half is fully transparent, the right half opaque. */
  alpha?: true;
  /** The displayed top-left block is red (orientation marker). */
  marker?: true;
  /** A CMYK JPEG: refused everywhere (HTTP 415, CLI error): `CMYK/YCCK JPEG is not supported; convert it to RGB (sRGB) first`. */
  cmyk?: true;
}

const W = 24;
const H = 16;

/** A colourful 16-bit gradient (displayed orientation), 3 channels. */
function rgb16(width: number, height: number): Uint16Array {
  const d = new Uint16Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      d[i] = Math.round((x / (width - 1)) * 60000) + 1234;
      d[i + 1] = Math.round((y / (height - 1)) * 50000) + 777;
      d[i + 2] = ((x * 7919 + y * 104729) % 40000) + 9000;
    }
  }
  return d;
}

const to8 = (d: Uint16Array): Uint8Array => Uint8Array.from(d, (v) => Math.round(v / 257));

/** Interleaves `alphaMax` (right half) / 0 (left half) after every `colorChannels` samples. */
function withAlpha<T extends Uint8Array | Uint16Array>(color: T, colorChannels: number, width: number, alphaMax: number): T {
  const n = color.length / colorChannels;
  const out = new (color.constructor as { new (n: number): T })(n * (colorChannels + 1));
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < colorChannels; k++) out[p * (colorChannels + 1) + k] = color[p * colorChannels + k];
    out[p * (colorChannels + 1) + colorChannels] = p % width < width / 2 ? 0 : alphaMax;
  }
  return out;
}

function gray<T extends Uint8Array | Uint16Array>(rgb: T): T {
  const out = new (rgb.constructor as { new (n: number): T })(rgb.length / 3);
  for (let p = 0; p < out.length; p++) out[p] = rgb[3 * p + 1];
  return out;
}

/** The displayed image of the orientation cases: a red top-left block on a grey-blue gradient. */
function markerImage(width: number, height: number): PixelImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const red = x < width / 3 && y < height / 3;
      data[i] = red ? 230 : 40 + x;
      data[i + 1] = red ? 20 : 90 + y;
      data[i + 2] = red ? 20 : 160;
    }
  }
  return { width, height, channels: 3, bitDepth: 8, data };
}

/** EXIF 6 and 8 undo each other; every other orientation is its own inverse. */
const inverse = (o: ExifOrientation): ExifOrientation => (o === 6 ? 8 : o === 8 ? 6 : o);

const raw = (data: Uint8Array | Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4) =>
  sharp(data, { raw: { width, height, channels } });

const bytesOf = async (s: sharp.Sharp): Promise<Uint8Array> => new Uint8Array(await s.toBuffer());

const EXT = { png: 'png', jpeg: 'jpg', webp: 'webp' } as const;

function kindCase(name: string, format: KindFormat, bytes: Uint8Array, out: ImageKindCase['out'], extra: Partial<ImageKindCase> = {}): ImageKindCase {
  return { name, format, mime: `image/${format}`, ext: EXT[format], bytes, width: W, height: H, out, ...extra };
}

/** Every image kind: RGB/RGBA/gray/gray+alpha at 8 and 16 bits, palette with and without tRNS, WebP with alpha, JPEG in all 8 EXIF orientations, CMYK JPEG. */
export async function imageKindCases(): Promise<ImageKindCase[]> {
  const c16 = rgb16(W, H);
  const c8 = to8(c16);
  const cases: ImageKindCase[] = [
    kindCase('rgb8.png', 'png', await bytesOf(raw(c8, W, H, 3).png()), { channels: 3, bitDepth: 8 }),
    kindCase('rgba8.png', 'png', await bytesOf(raw(withAlpha(c8, 3, W, 255), W, H, 4).png()), { channels: 4, bitDepth: 8 }, { alpha: true }),
    kindCase('rgb16.png', 'png', await bytesOf(raw(c16, W, H, 3).toColourspace('rgb16').png()), { channels: 3, bitDepth: 16 }),
    kindCase('rgba16.png', 'png', await bytesOf(raw(withAlpha(c16, 3, W, 65535), W, H, 4).toColourspace('rgb16').png()), { channels: 4, bitDepth: 16 }, { alpha: true }),
    kindCase('gray8.png', 'png', await bytesOf(raw(gray(c8), W, H, 1).toColourspace('b-w').png()), { channels: 1, bitDepth: 8 }),
    kindCase('graya8.png', 'png', await bytesOf(raw(withAlpha(gray(c8), 1, W, 255), W, H, 2).toColourspace('b-w').png()), { channels: 2, bitDepth: 8 }, { alpha: true }),
    kindCase('gray16.png', 'png', await bytesOf(raw(gray(c16), W, H, 1).toColourspace('grey16').png()), { channels: 1, bitDepth: 16 }),
    kindCase('palette.png', 'png', await bytesOf(raw(c8, W, H, 3).png({ palette: true, colours: 16 })), { channels: 3, bitDepth: 8 }),
    kindCase('palette-trns.png', 'png', await bytesOf(raw(withAlpha(c8, 3, W, 255), W, H, 4).png({ palette: true, colours: 16 })), { channels: 4, bitDepth: 8 }, { alpha: true }),
    kindCase('rgba8.webp', 'webp', await bytesOf(raw(withAlpha(c8, 3, W, 255), W, H, 4).webp({ lossless: true })), { channels: 4, bitDepth: 8 }, { alpha: true }),
    kindCase('cmyk.jpg', 'jpeg', await bytesOf(raw(c8, W, H, 3).toColourspace('cmyk').jpeg({ quality: 95 })), { channels: 3, bitDepth: 8 }, { cmyk: true }),
  ];
  for (const o of [1, 2, 3, 4, 5, 6, 7, 8] as const) {
    const shown = markerImage(W, H);
    const stored = applyOrientation(shown, inverse(o));
    const bytes = await bytesOf(raw(stored.data, stored.width, stored.height, 3).jpeg({ quality: 95 }).withMetadata({ orientation: o }));
    cases.push(kindCase(`exif-${o}.jpg`, 'jpeg', bytes, { channels: 3, bitDepth: 8 }, { marker: true }));
  }
  return cases;
}

/** Checks a decoded output against its case; returns a list of problems (empty = fine). Pixels are interleaved. */
export function checkKindOutput(c: ImageKindCase, scale: number, out: PixelImage): string[] {
  const problems: string[] = [];
  const want = { width: c.width * scale, height: c.height * scale, channels: c.out.channels, bitDepth: c.out.bitDepth };
  const got = { width: out.width, height: out.height, channels: out.channels, bitDepth: out.bitDepth };
  if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`${c.name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  if (problems.length) return problems;
  const at = (fx: number, fy: number, k: number) => out.data[(Math.floor(fy * out.height) * out.width + Math.floor(fx * out.width)) * out.channels + k];
  const max = out.bitDepth === 16 ? 65535 : 255;
  if (c.alpha) {
    const a = out.channels - 1;
    if (at(0.2, 0.5, a) !== 0 || at(0.8, 0.5, a) !== max) problems.push(`${c.name}: alpha not kept (left ${at(0.2, 0.5, a)}, right ${at(0.8, 0.5, a)})`);
  }
  if (c.marker) {
    const red = (fx: number, fy: number) => at(fx, fy, 0) > 150 && at(fx, fy, 1) < 100 && at(fx, fy, 2) < 100;
    if (!red(0.12, 0.12) || red(0.88, 0.88) || red(0.88, 0.12) || red(0.12, 0.88)) problems.push(`${c.name}: orientation not applied (red block not top-left)`);
  }
  if (out.bitDepth === 16 && !Array.from(out.data).some((v) => v % 257 !== 0)) problems.push(`${c.name}: 16-bit output holds only 8-bit values`);
  return problems;
}
