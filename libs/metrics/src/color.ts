import { assertImage, type Image, type ImageF } from './image.ts';

export interface YOptions {
  /** Round Y to integers, as MATLAB's `rgb2ycbcr` does on uint8 input. */
  round?: boolean;
}

/**
 * The ITU-R BT.601 Y channel of an RGB image as a one-channel float image, as MATLAB `rgb2ycbcr`:
 * Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 on 0..255 values (16..235).
 */
export function rgbToY(img: Image, opts: YOptions = {}): ImageF {
  assertImage(img);
  assertRgb(img);
  const src = img.data;
  const n = img.width * img.height;
  const out = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = luma(src[j], src[j + 1], src[j + 2], opts.round);
  return { width: img.width, height: img.height, channels: 1, data: out };
}

export function assertRgb(img: Image): void {
  if (img.channels !== 3) throw new RangeError(`the Y channel needs an RGB image, got ${img.channels} channel(s)`);
}

/** BT.601 Y of one 0..255 RGB pixel, as `rgbToY`; rounded to an integer with `round`. */
export function luma(r: number, g: number, b: number, round = false): number {
  const y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
  return round ? Math.round(y) : y;
}
