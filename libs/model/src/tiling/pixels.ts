import type { ImageU16, ImageU8 } from '@sr/metrics';
import type { Tile } from './plan.ts';

/** A rectangle of LR pixel coordinates (a network input window, or the region its output covers). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Samples the engine reads and writes: 8-bit or 16-bit, mapped to [0, 1] by dividing by `maxValue`. */
export type PixelData = Uint8Array | Uint16Array;

export const maxValueOf = (data: PixelData): number => (data instanceof Uint16Array ? 65535 : 255);

/**
 * Index into [0, n) for any integer i, reflecting without repeating the edge (PyTorch/NumPy "reflect"), repeatedly
 * when i is further out than n: ... 2 1 | 0 1 2 3 | 2 1 0 1 ... For n = 1 every index maps to 0.
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const r = ((i % period) + period) % period;
  return r < n ? r : period - r;
}

/**
 * Writes the network input `window` (values in [0, 1], no rounding) into `dst` at element `offset`, NHWC. Window
 * pixels outside the image (alignment rows/columns, reflect padding) are reflected from inside it.
 */
export function fillWindow(image: ImageU8 | ImageU16, window: Rect, dst: Float32Array, offset: number): void {
  const { width, height, channels: c, data } = image;
  const max = maxValueOf(data);
  const colBase = new Int32Array(window.width);
  for (let x = 0; x < window.width; x++) colBase[x] = reflectIndex(window.x + x, width) * c;
  let o = offset;
  for (let y = 0; y < window.height; y++) {
    const rowBase = reflectIndex(window.y + y, height) * width * c;
    for (let x = 0; x < window.width; x++) {
      const s = rowBase + colBase[x];
      for (let k = 0; k < c; k++) dst[o++] = data[s + k] / max;
    }
  }
}

/**
 * Copies the part of a network output that `tile` owns into an output band (rows `bandY` .. of the HR image of
 * `imageWidth` LR pixels, full HR width), clamping to [0, 1] and rounding to the band's depth (8 or 16 bits), NaN to 0.
 * `src` holds at element `offset` the output for the LR region `from` (its top-left corner and width are what matter).
 */
export function writeTile(
  src: Float32Array,
  offset: number,
  from: Rect,
  imageWidth: number,
  tile: Tile,
  scale: number,
  channels: number,
  band: PixelData,
  bandY: number,
): void {
  const outW = imageWidth * scale;
  const winW = from.width * scale;
  const xFrom = tile.x0 * scale;
  const rowLen = (tile.x1 - tile.x0) * scale * channels;
  const store = band instanceof Uint8Array ? storeRow8(band) : storeRow16(band);
  for (let y = tile.y0 * scale; y < tile.y1 * scale; y++) {
    const s = offset + ((y - from.y * scale) * winW + (xFrom - from.x * scale)) * channels;
    store(src, s, ((y - bandY) * outW + xFrom) * channels, rowLen);
  }
}

type StoreRow = (src: Float32Array, s: number, d: number, length: number) => void;

/**
 * 8-bit: a Uint8ClampedArray store clamps to [0, 255], maps NaN to 0 and rounds half to even, which equals
 * Math.round(v · 255) for every float32 v: v · 255 is exact in a double, and the only float32 with a half-way product
 * in range is 0.5 (127.5, to 128 either way). One store per sample instead of two compares and a Math.round.
 */
function storeRow8(band: Uint8Array): StoreRow {
  const out = new Uint8ClampedArray(band.buffer, band.byteOffset, band.length);
  return (src, s, d, length) => {
    for (const end = d + length; d < end; ) out[d++] = src[s++] * 255;
  };
}

function storeRow16(band: Uint16Array): StoreRow {
  return (src, s, d, length) => {
    for (const end = d + length; d < end; ) {
      const v = src[s++];
      // Written so NaN maps to 0.
      band[d++] = v > 0 ? (v < 1 ? Math.round(v * 65535) : 65535) : 0;
    }
  };
}
