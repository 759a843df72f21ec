/**
 * PNG decoder with a hard output budget: the inflated image data may not exceed what the IHDR implies
 * (rows × (1 + row bytes) over every interlace pass), so a small file cannot inflate into gigabytes. The compressed
 * data is fed to the inflater in small slices and inflation stops at the first byte over the budget. Handles every
 * colour type and bit depth (1/2/4/8/16; gray, gray+alpha, palette, RGB, RGBA), tRNS (palette alpha and gray/RGB
 * colour keys) and Adam7 interlacing; critical-chunk CRCs are checked (chunks.ts).
 *
 * Output: interleaved samples, 8-bit for depths up to 8 (gray 1/2/4-bit scaled to 0..255, palette expanded to RGB or
 * RGBA with tRNS), 16-bit for 16-bit files; channels 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA (tRNS adds alpha).
 */
import { Unzlib } from 'fflate';
import type { DecodedImage } from '../types.ts';
import { PngFormatError, readChunks, type Chunk } from './chunks.ts';

interface Ihdr {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlaced: boolean;
}

/** Samples per pixel in the file, by colour type. */
const FILE_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7 passes: x0, y0, dx, dy. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];
/**
 * Compressed bytes per inflate step: deflate expands at most ~1032:1, so a step of at most max(1 KiB, remaining
 * budget / 1032) adds at most ~1 MiB over the budget. Up to 16 KiB per step while the budget allows: every step copies
 * fflate's 32 KiB window and output buffer (~100 KB), so 1 KiB steps left ~140 MB of garbage for a 1.5 MB PNG.
 */
const MIN_INFLATE_SLICE = 1024;
const MAX_INFLATE_SLICE = 16 * 1024;
const MAX_DEFLATE_RATIO = 1032;

const u32 = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);

function parseIhdr(chunk: Chunk | undefined): Ihdr {
  if (!chunk || chunk.type !== 'IHDR' || chunk.data.length !== 13) throw new PngFormatError('the first chunk must be a 13-byte IHDR');
  const d = chunk.data;
  const ihdr = { width: u32(d, 0), height: u32(d, 4), depth: d[8], colorType: d[9], interlaced: d[12] === 1 };
  if (ihdr.width < 1 || ihdr.height < 1) throw new PngFormatError(`IHDR says ${ihdr.width}x${ihdr.height}`);
  if (!DEPTHS[ihdr.colorType]) throw new PngFormatError(`unknown PNG colour type ${ihdr.colorType}`);
  if (!DEPTHS[ihdr.colorType].includes(ihdr.depth)) throw new PngFormatError(`bit depth ${ihdr.depth} is not allowed for colour type ${ihdr.colorType}`);
  if (d[10] !== 0 || d[11] !== 0) throw new PngFormatError('unknown PNG compression or filter method');
  if (d[12] > 1) throw new PngFormatError(`unknown interlace method ${d[12]}`);
  return ihdr;
}

interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
  /** Bytes per row without the filter byte. */
  rowBytes: number;
}

function passesOf(h: Ihdr): Pass[] {
  const bits = h.depth * FILE_CHANNELS[h.colorType];
  const layout = h.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  return layout
    .map(([x0, y0, dx, dy]) => {
      const width = Math.ceil((h.width - x0) / dx);
      const height = Math.ceil((h.height - y0) / dy);
      return { x0, y0, dx, dy, width: Math.max(0, width), height: Math.max(0, height), rowBytes: Math.ceil((Math.max(0, width) * bits) / 8) };
    })
    .filter((p) => p.width > 0 && p.height > 0);
}

/** Inflates the IDAT stream into exactly `size` bytes; more is a bomb (or a broken file), less is truncated data. */
function inflateBudgeted(idat: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let n = 0;
  const z = new Unzlib((chunk) => {
    if (n + chunk.length > size) throw new PngFormatError(`the image data inflates to more than the ${size} bytes its header allows`);
    out.set(chunk, n);
    n += chunk.length;
  });
  try {
    for (const data of idat) {
      for (let i = 0, step = 0; i < data.length; i += step) {
        step = Math.min(MAX_INFLATE_SLICE, Math.max(MIN_INFLATE_SLICE, Math.floor((size - n) / MAX_DEFLATE_RATIO)));
        z.push(data.subarray(i, i + step));
      }
    }
    z.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof PngFormatError) throw err;
    if (n < size) throw new PngFormatError(`corrupt image data: ${(err as Error).message}`);
    // the whole image arrived; a damaged zlib trailer after it does not change the pixels
  }
  if (n < size) throw new PngFormatError(`the image data ends after ${n} of ${size} bytes (truncated?)`);
  return out;
}

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** Reverses the per-row filters of one pass in place; `raw[offset]` is its first filter byte. */
function unfilter(raw: Uint8Array, offset: number, pass: Pass, bpp: number): void {
  const stride = pass.rowBytes + 1;
  for (let y = 0; y < pass.height; y++) {
    const row = offset + y * stride;
    const type = raw[row];
    const cur = row + 1;
    const prev = y > 0 ? cur - stride : -1;
    const n = pass.rowBytes;
    switch (type) {
      case 0:
        break;
      case 1:
        for (let i = bpp; i < n; i++) raw[cur + i] = (raw[cur + i] + raw[cur + i - bpp]) & 0xff;
        break;
      case 2:
        if (prev >= 0) for (let i = 0; i < n; i++) raw[cur + i] = (raw[cur + i] + raw[prev + i]) & 0xff;
        break;
      case 3:
        for (let i = 0; i < n; i++) {
          const a = i >= bpp ? raw[cur + i - bpp] : 0;
          const b = prev >= 0 ? raw[prev + i] : 0;
          raw[cur + i] = (raw[cur + i] + ((a + b) >> 1)) & 0xff;
        }
        break;
      case 4:
        for (let i = 0; i < n; i++) {
          const a = i >= bpp ? raw[cur + i - bpp] : 0;
          const b = prev >= 0 ? raw[prev + i] : 0;
          const c = i >= bpp && prev >= 0 ? raw[prev + i - bpp] : 0;
          raw[cur + i] = (raw[cur + i] + paeth(a, b, c)) & 0xff;
        }
        break;
      default:
        throw new PngFormatError(`unknown row filter ${type}`);
    }
  }
}

interface Palette {
  rgb: Uint8Array;
  alpha: Uint8Array | null;
  size: number;
}

/** tRNS: palette alpha (colour type 3) or the colour key as raw samples (types 0 and 2); null when absent. */
function transparency(h: Ihdr, chunk: Chunk | undefined): { alpha: Uint8Array | null; key: number[] | null } {
  if (!chunk) return { alpha: null, key: null };
  const d = chunk.data;
  if (h.colorType === 3) return { alpha: d, key: null };
  const mask = (1 << h.depth) - 1;
  if (h.colorType === 0 && d.length >= 2) return { alpha: null, key: [((d[0] << 8) | d[1]) & mask] };
  if (h.colorType === 2 && d.length >= 6) return { alpha: null, key: [0, 2, 4].map((i) => ((d[i] << 8) | d[i + 1]) & mask) };
  return { alpha: null, key: null }; // tRNS is not allowed with an alpha channel: ignored, as libpng does
}

export function decodePng(bytes: Uint8Array): DecodedImage {
  const chunks = readChunks(bytes);
  const h = parseIhdr(chunks[0]);
  const idat: Uint8Array[] = [];
  let plte: Chunk | undefined;
  let trns: Chunk | undefined;
  for (const c of chunks.slice(1)) {
    if (c.type === 'IDAT') idat.push(c.data);
    else if (c.type === 'PLTE') plte = c;
    else if (c.type === 'tRNS') trns = c;
    else if (c.type === 'IHDR') throw new PngFormatError('a second IHDR chunk');
    else if (c.type !== 'IEND' && c.type.charCodeAt(0) < 0x60) throw new PngFormatError(`unknown critical chunk ${c.type}`);
  }
  if (idat.length === 0) throw new PngFormatError('no IDAT chunk');
  let palette: Palette | null = null;
  if (h.colorType === 3) {
    if (!plte || plte.data.length % 3 !== 0 || plte.data.length === 0 || plte.data.length > 768) throw new PngFormatError('a palette image needs a PLTE chunk of 1..256 entries');
    palette = { rgb: plte.data, alpha: transparency(h, trns).alpha, size: plte.data.length / 3 };
  }
  const key = transparency(h, trns).key;
  const passes = passesOf(h);
  const raw = inflateBudgeted(idat, passes.reduce((s, p) => s + p.height * (p.rowBytes + 1), 0));

  const fileChannels = FILE_CHANNELS[h.colorType];
  const bpp = Math.max(1, (h.depth * fileChannels) >> 3);
  const withAlpha = h.colorType === 4 || h.colorType === 6 || (palette?.alpha != null) || key != null;
  const colour = h.colorType === 2 || h.colorType === 3 || h.colorType === 6 ? 3 : 1;
  const channels = (colour + (withAlpha ? 1 : 0)) as DecodedImage['channels'];
  const bitDepth = h.depth === 16 ? 16 : 8;
  const data = bitDepth === 16 ? new Uint16Array(h.width * h.height * channels) : new Uint8Array(h.width * h.height * channels);
  const max = bitDepth === 16 ? 65535 : 255;
  /** Scales a sub-8-bit gray sample to 0..255 (1-bit ×255, 2-bit ×85, 4-bit ×17). */
  const scale = h.colorType === 0 && h.depth < 8 ? 255 / ((1 << h.depth) - 1) : 1;
  const sample = (row: number, index: number): number => {
    if (h.depth === 8) return raw[row + index];
    if (h.depth === 16) return (raw[row + 2 * index] << 8) | raw[row + 2 * index + 1];
    const bit = index * h.depth;
    return (raw[row + (bit >> 3)] >> (8 - h.depth - (bit & 7))) & ((1 << h.depth) - 1);
  };

  let offset = 0;
  for (const pass of passes) {
    unfilter(raw, offset, pass, bpp);
    for (let y = 0; y < pass.height; y++) {
      const row = offset + y * (pass.rowBytes + 1) + 1;
      const outRow = (pass.y0 + y * pass.dy) * h.width;
      for (let x = 0; x < pass.width; x++) {
        const o = (outRow + pass.x0 + x * pass.dx) * channels;
        if (palette) {
          const idx = sample(row, x);
          if (idx >= palette.size) throw new PngFormatError(`palette index ${idx} beyond the ${palette.size} PLTE entries`);
          data[o] = palette.rgb[3 * idx];
          data[o + 1] = palette.rgb[3 * idx + 1];
          data[o + 2] = palette.rgb[3 * idx + 2];
          if (withAlpha) data[o + 3] = idx < palette.alpha!.length ? palette.alpha![idx] : 255;
          continue;
        }
        let keyed = key != null;
        for (let c = 0; c < fileChannels; c++) {
          const v = sample(row, x * fileChannels + c);
          if (keyed && v !== key![c]) keyed = false;
          data[o + c] = scale === 1 ? v : Math.round(v * scale);
        }
        if (key) data[o + fileChannels] = keyed ? 0 : max;
      }
    }
    offset += pass.height * (pass.rowBytes + 1);
  }
  return { width: h.width, height: h.height, channels, bitDepth, data };
}
