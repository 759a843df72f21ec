/**
 * Generated PNG corpus: every colour type × bit depth, tRNS (palette alpha, gray and RGB colour keys), Adam7, broken
 * CRCs and inflate bombs, written with node:zlib so the files do not come from the decoder under test. `expected` is the
 * 8-bit RGB the API documents for the engine input: gray replicated, sub-8-bit gray scaled to 0..255, 16-bit rounded
 * (v / 257), alpha flattened on black.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { encodeChunk, PNG_SIGNATURE } from '../src/codecs/png/chunks.ts';

export interface PngCase {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
  /** Engine input after decoding (RGB 8-bit). */
  expected: Uint8Array;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function ihdr(width: number, height: number, depth: number, colorType: number, interlace = 0): Uint8Array {
  const d = new Uint8Array(13);
  new DataView(d.buffer).setUint32(0, width);
  new DataView(d.buffer).setUint32(4, height);
  d.set([depth, colorType, 0, 0, interlace], 8);
  return encodeChunk('IHDR', d);
}

/** Packs one row of samples at `depth` bits, MSB first (16-bit big-endian). */
function packRow(samples: number[], depth: number): number[] {
  if (depth === 8) return samples;
  if (depth === 16) return samples.flatMap((v) => [v >> 8, v & 0xff]);
  const out = new Array(Math.ceil((samples.length * depth) / 8)).fill(0);
  samples.forEach((v, i) => (out[(i * depth) >> 3] |= v << (8 - depth - ((i * depth) & 7))));
  return out;
}

/** Raw scanlines (filter byte 0 or a rotating filter type 0..4 computed naively) for non-interlaced images. */
function scanlines(rows: number[][], bpp: number, rotateFilters: boolean): Uint8Array {
  const out: number[] = [];
  rows.forEach((row, y) => {
    const type = rotateFilters ? y % 5 : 0;
    const prev = y > 0 ? rows[y - 1] : row.map(() => 0);
    out.push(type);
    row.forEach((v, i) => {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const p = a + b - c;
      const pred = [0, a, b, (a + b) >> 1, Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c][type];
      out.push((v - pred) & 0xff);
    });
  });
  return Uint8Array.from(out);
}

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

interface Spec {
  colorType: number;
  depth: number;
  width?: number;
  height?: number;
  interlace?: boolean;
  palette?: number[][];
  trns?: Uint8Array;
}

/** Deterministic samples for pixel (x, y), channel c, within the depth. */
const sampleAt = (x: number, y: number, c: number, max: number) => ((x * 7 + y * 13 + c * 29 + ((x * y) % 5) * 31) * 2654435761) % (max + 1);

function build(spec: Spec): { bytes: Uint8Array<ArrayBuffer>; expected: Uint8Array; width: number; height: number } {
  const { colorType, depth, width = 23, height = 17 } = spec;
  const ch = CHANNELS[colorType];
  const max = colorType === 3 ? spec.palette!.length - 1 : (1 << depth) - 1;
  const px = (x: number, y: number) => Array.from({ length: ch }, (_, c) => sampleAt(x, y, c, max));
  const bpp = Math.max(1, (ch * depth) >> 3);
  let raw: Uint8Array;
  if (spec.interlace) {
    const parts: Uint8Array[] = [];
    for (const [x0, y0, dx, dy] of ADAM7) {
      const rows: number[][] = [];
      for (let y = y0; y < height; y += dy) {
        const samples: number[] = [];
        for (let x = x0; x < width; x += dx) samples.push(...px(x, y));
        if (samples.length) rows.push(packRow(samples, depth));
      }
      if (rows.length) parts.push(scanlines(rows, bpp, true));
    }
    raw = concat(parts);
  } else {
    const rows = Array.from({ length: height }, (_, y) => packRow(Array.from({ length: width }, (_, x) => px(x, y)).flat(), depth));
    raw = scanlines(rows, bpp, true);
  }
  const chunks = [ihdr(width, height, depth, colorType, spec.interlace ? 1 : 0)];
  if (spec.palette) chunks.push(encodeChunk('PLTE', Uint8Array.from(spec.palette.flat())));
  if (spec.trns) chunks.push(encodeChunk('tRNS', spec.trns));
  chunks.push(encodeChunk('IDAT', deflateSync(raw)), encodeChunk('IEND', new Uint8Array(0)));

  // The documented conversion (codecs/rgb.ts): decoded sample V on its scale M (255, or 65535 for 16-bit; sub-8-bit
  // gray first scaled to 0..255), alpha a = A / M (0 or 1 for a tRNS key), channel = round(V · a / M · 255).
  const expected = new Uint8Array(width * height * 3);
  const M = depth === 16 ? 65535 : 255;
  const scaled = (v: number) => (depth < 8 && colorType === 0 ? Math.round((v * 255) / max) : v);
  const key = spec.trns && colorType !== 3 ? Array.from({ length: spec.trns.length / 2 }, (_, i) => (spec.trns![2 * i] << 8) | spec.trns![2 * i + 1]) : null;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = px(x, y);
      let colour: number[];
      let a = 1;
      if (colorType === 3) {
        colour = spec.palette![s[0]];
        if (spec.trns && s[0] < spec.trns.length) a = spec.trns[s[0]] / 255;
      } else {
        colour = (ch >= 3 ? s.slice(0, 3) : [s[0], s[0], s[0]]).map(scaled);
        if (ch === 2 || ch === 4) a = s[ch - 1] / M;
        if (key && s.slice(0, key.length).every((v, i) => v === key[i])) a = 0;
      }
      for (let c = 0; c < 3; c++) expected[(y * width + x) * 3 + c] = Math.round(((colour[c] * a) / (colorType === 3 ? 255 : M)) * 255);
    }
  }
  return { bytes: concat([PNG_SIGNATURE, ...chunks]), expected, width, height };
}

const PALETTE = Array.from({ length: 16 }, (_, i) => [(i * 53) & 255, (i * 97 + 40) & 255, (255 - i * 15) & 255]);

/** Every colour type × bit depth (some interlaced), with and without tRNS. */
export function pngKindCases(): PngCase[] {
  const specs: Array<[string, Spec]> = [];
  for (const depth of [1, 2, 4, 8, 16]) specs.push([`gray ${depth}-bit`, { colorType: 0, depth }]);
  for (const depth of [8, 16]) {
    specs.push([`gray+alpha ${depth}-bit`, { colorType: 4, depth }], [`RGB ${depth}-bit`, { colorType: 2, depth }], [`RGBA ${depth}-bit`, { colorType: 6, depth }]);
  }
  for (const depth of [1, 2, 4, 8]) specs.push([`palette ${depth}-bit`, { colorType: 3, depth, palette: PALETTE.slice(0, Math.min(16, 1 << depth)) }]);
  specs.push(
    ['palette 8-bit with tRNS', { colorType: 3, depth: 8, palette: PALETTE, trns: Uint8Array.from([0, 64, 128, 200]) }],
    ['gray 4-bit with a tRNS key', { colorType: 0, depth: 4, trns: Uint8Array.from([0, 5]) }],
    ['RGB 8-bit with a tRNS key', { colorType: 2, depth: 8, trns: Uint8Array.from([0, sampleAt(0, 0, 0, 255), 0, sampleAt(0, 0, 1, 255), 0, sampleAt(0, 0, 2, 255)]) }],
    ['RGB 16-bit with a tRNS key', { colorType: 2, depth: 16, trns: Uint8Array.from([sampleAt(0, 0, 0, 65535) >> 8, sampleAt(0, 0, 0, 65535) & 255, sampleAt(0, 0, 1, 65535) >> 8, sampleAt(0, 0, 1, 65535) & 255, sampleAt(0, 0, 2, 65535) >> 8, sampleAt(0, 0, 2, 65535) & 255]) }],
    ['RGB 8-bit Adam7', { colorType: 2, depth: 8, interlace: true }],
    ['gray 2-bit Adam7', { colorType: 0, depth: 2, interlace: true }],
    ['RGBA 16-bit Adam7', { colorType: 6, depth: 16, interlace: true }],
  );
  return specs.map(([name, spec]) => ({ name, ...build(spec) }));
}

/** A 1x1 RGB PNG whose IDAT inflates to `inflated` bytes (a valid first row, then zeros). */
export function inflateBomb(inflated: number, width = 1, height = 1): Uint8Array<ArrayBuffer> {
  return concat([PNG_SIGNATURE, ihdr(width, height, 8, 2), encodeChunk('IDAT', deflateSync(new Uint8Array(inflated), { level: 9 })), encodeChunk('IEND', new Uint8Array(0))]);
}

/**
 * Milliseconds this process takes to inflate the whole IDAT of an `inflateBomb`, what a decoder without a budget would
 * spend: the yardstick that "refused fast" is measured against, so the check holds on a loaded machine too.
 */
export function fullInflateMs(bomb: Uint8Array): number {
  const idatAt = PNG_SIGNATURE.length + 8 + 13 + 4;
  const payload = bomb.subarray(idatAt + 8, idatAt + 8 + new DataView(bomb.buffer, bomb.byteOffset).getUint32(idatAt));
  const t0 = performance.now();
  inflateSync(payload);
  return performance.now() - t0;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The RGB 8-bit case with one bit of the IHDR's (or the IDAT's) CRC flipped. */
export function badCrc(chunk: 'IHDR' | 'IDAT'): Uint8Array<ArrayBuffer> {
  const { bytes } = build({ colorType: 2, depth: 8 });
  const out = bytes.slice();
  const at = chunk === 'IHDR' ? 8 + 8 + 13 : 33 + 8 + new DataView(out.buffer).getUint32(33);
  out[at] ^= 1;
  return out;
}
