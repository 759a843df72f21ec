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
  if (img.channels !== 3) throw new RangeError(`the Y channel needs an RGB image, got ${img.channels} channel(s)`);
  const src = img.data;
  const n = img.width * img.height;
  const out = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const y = 16 + (65.481 * src[j] + 128.553 * src[j + 1] + 24.966 * src[j + 2]) / 255;
    out[i] = opts.round ? Math.round(y) : y;
  }
  return { width: img.width, height: img.height, channels: 1, data: out };
}
