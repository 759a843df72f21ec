import type { ImageU8 } from '@sr/metrics';

/**
 * Interleaved 1-4 channel pixels (8 or 16 bit) → RGB 8-bit. Gray is replicated; alpha is flattened
 * on black (colour × alpha), the same as sharp's `flatten({ background: '#000' })`.
 */
export function toRgb(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  maxValue = 255,
): ImageU8 {
  if (channels < 1 || channels > 4) throw new RangeError(`cannot convert ${channels}-channel pixels to RGB`);
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const colour = channels >= 3 ? 3 : 1;
  const hasAlpha = channels === 2 || channels === 4;
  for (let p = 0; p < n; p++) {
    const src = p * channels;
    const a = hasAlpha ? data[src + channels - 1] / maxValue : 1;
    for (let c = 0; c < 3; c++) {
      const v = data[src + (colour === 3 ? c : 0)];
      out[p * 3 + c] = Math.round(((v * a) / maxValue) * 255);
    }
  }
  return { width, height, channels: 3, data: out };
}

/** RGB → RGBA with opaque alpha (what the wasm encoders take). */
export function toRgba(image: ImageU8): Uint8ClampedArray<ArrayBuffer> {
  if (image.channels !== 3) throw new RangeError(`expected an RGB image, got ${image.channels} channels`);
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    out[p * 4] = image.data[p * 3];
    out[p * 4 + 1] = image.data[p * 3 + 1];
    out[p * 4 + 2] = image.data[p * 3 + 2];
    out[p * 4 + 3] = 255;
  }
  return out;
}
