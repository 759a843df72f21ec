import type { ImageU16, ImageU8 } from '@sr/metrics';
import type { Tile, TilePlan } from './plan.ts';

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
 * Writes the network input window of `tile` (values in [0, 1], no rounding) into `dst` at element `offset`, NHWC.
 * Window pixels outside the image (alignment rows/columns, reflect padding) are reflected from inside it.
 */
export function fillWindow(image: ImageU8 | ImageU16, plan: TilePlan, tile: Tile, dst: Float32Array, offset: number): void {
  const { width, height, channels: c, data } = image;
  const max = maxValueOf(data);
  const colBase = new Int32Array(plan.windowWidth);
  for (let x = 0; x < plan.windowWidth; x++) colBase[x] = reflectIndex(tile.inX + x, width) * c;
  let o = offset;
  for (let y = 0; y < plan.windowHeight; y++) {
    const rowBase = reflectIndex(tile.inY + y, height) * width * c;
    for (let x = 0; x < plan.windowWidth; x++) {
      const s = rowBase + colBase[x];
      for (let k = 0; k < c; k++) dst[o++] = data[s + k] / max;
    }
  }
}

/**
 * Copies the part of a network output window that `tile` owns into an output band (rows `bandY` .. of the HR image,
 * full HR width), clamping to [0, 1] and rounding to the band's depth (8 or 16 bits). `src` holds the window at
 * element `offset`.
 */
export function writeTile(
  src: Float32Array,
  offset: number,
  plan: TilePlan,
  tile: Tile,
  scale: number,
  channels: number,
  band: PixelData,
  bandY: number,
): void {
  const max = maxValueOf(band);
  const outW = plan.width * scale;
  const winW = plan.windowWidth * scale;
  const xFrom = tile.x0 * scale;
  const xTo = tile.x1 * scale;
  const rowLen = (xTo - xFrom) * channels;
  for (let y = tile.y0 * scale; y < tile.y1 * scale; y++) {
    let s = offset + ((y - tile.inY * scale) * winW + (xFrom - tile.inX * scale)) * channels;
    let d = ((y - bandY) * outW + xFrom) * channels;
    const end = d + rowLen;
    while (d < end) {
      const v = src[s++];
      // Written so NaN maps to 0.
      band[d++] = v > 0 ? (v < 1 ? Math.round(v * max) : max) : 0;
    }
  }
}
