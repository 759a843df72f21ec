import type { ImageF, ImageU8 } from '../src/index.ts';

/** Deterministic pseudo-random 8-bit image (LCG), so failures reproduce. */
export function noiseImage(width: number, height: number, channels = 3, seed = 1): ImageU8 {
  const data = new Uint8Array(width * height * channels);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, channels, data };
}

/** A smooth float image: low-frequency sinusoids per channel, values inside 0..255. */
export function smoothImage(width: number, height: number, channels = 3): ImageF {
  const data = new Float64Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        data[(y * width + x) * channels + c] = 128 + 60 * Math.sin((x + 3 * c) / 9) * Math.cos((y - 2 * c) / 11);
      }
    }
  }
  return { width, height, channels, data };
}

export function constantImage(width: number, height: number, value: number, channels = 3): ImageU8 {
  return { width, height, channels, data: new Uint8Array(width * height * channels).fill(value) };
}
