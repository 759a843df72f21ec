import type { ImageU16, ImageU8 } from '@sr/metrics';

export type BitDepth = 8 | 16;
/** 1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA. */
export type ChannelCount = 1 | 2 | 3 | 4;

/**
 * A decoded image of any kind the toolkit handles: interleaved HWC, row-major, 8 or 16 bits per sample
 * (`data` is a `Uint16Array` exactly when `bitDepth` is 16).
 */
export interface PixelImage {
  width: number;
  height: number;
  channels: ChannelCount;
  bitDepth: BitDepth;
  data: Uint8Array | Uint16Array;
}

export const maxSample = (bitDepth: BitDepth): number => (bitDepth === 16 ? 65535 : 255);

export const hasAlpha = (image: Pick<PixelImage, 'channels'>): boolean => image.channels === 2 || image.channels === 4;

/** The colour channels without alpha: 1 (gray) or 3 (RGB). */
export const colorChannels = (image: Pick<PixelImage, 'channels'>): 1 | 3 => (image.channels <= 2 ? 1 : 3);

export function createPixelImage(width: number, height: number, channels: ChannelCount, bitDepth: BitDepth): PixelImage {
  const n = width * height * channels;
  return { width, height, channels, bitDepth, data: bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n) };
}

/** Throws a RangeError unless sizes, channel count, bit depth and the data array agree. */
export function assertPixelImage(image: PixelImage, what = 'image'): void {
  const { width, height, channels, bitDepth, data } = image;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what}: ${name} must be a positive integer, got ${v}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new RangeError(`${what}: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (bitDepth !== 8 && bitDepth !== 16) throw new RangeError(`${what}: bitDepth must be 8 or 16, got ${bitDepth}`);
  const ok = bitDepth === 16 ? data instanceof Uint16Array : data instanceof Uint8Array;
  if (!ok) throw new RangeError(`${what}: a ${bitDepth}-bit image needs a ${bitDepth === 16 ? 'Uint16Array' : 'Uint8Array'}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`${what}: data has ${data.length} values, expected ${width}x${height}x${channels} = ${width * height * channels}`);
  }
}

/** A PixelImage view of an `@sr/metrics` image (same buffer): Uint16Array data means 16 bits. */
export function fromMetricsImage(image: ImageU8 | ImageU16): PixelImage {
  const bitDepth = image.data instanceof Uint16Array ? 16 : 8;
  const p = { ...image, bitDepth, channels: image.channels } as PixelImage;
  assertPixelImage(p);
  return p;
}

/** The `@sr/metrics` view (same buffer) of a PixelImage. */
export function toMetricsImage(image: PixelImage): ImageU8 | ImageU16 {
  const { width, height, channels, data } = image;
  return { width, height, channels, data } as ImageU8 | ImageU16;
}

/** Rounds 16-bit samples to 8 bits (v·255/65535, exact inverse of the 8→16 expansion by 257). 8-bit images are returned as is. */
export function toBitDepth8(image: PixelImage): PixelImage {
  if (image.bitDepth === 8) return image;
  const src = image.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.round(src[i] / 257);
  return { ...image, bitDepth: 8, data: out };
}

/** Expands 8-bit samples to 16 bits (v·257, so 255 → 65535). 16-bit images are returned as is. */
export function toBitDepth16(image: PixelImage): PixelImage {
  if (image.bitDepth === 16) return image;
  const src = image.data;
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] * 257;
  return { ...image, bitDepth: 16, data: out };
}
