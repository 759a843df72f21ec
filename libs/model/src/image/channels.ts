import { assertPixelImage, colorChannels, hasAlpha, maxSample, type PixelImage } from './pixel-image.ts';

function allocLike(image: PixelImage, channels: number): Uint8Array | Uint16Array {
  const n = image.width * image.height * channels;
  return image.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
}

/** The colour part (gray or RGB) and, when there is one, the alpha channel as a 1-channel image. */
export function splitAlpha(image: PixelImage): { color: PixelImage; alpha?: PixelImage } {
  assertPixelImage(image);
  if (!hasAlpha(image)) return { color: image };
  const cc = colorChannels(image);
  const color = allocLike(image, cc);
  const alpha = allocLike(image, 1);
  const { data, channels } = image;
  for (let p = 0, s = 0; p < alpha.length; p++, s += channels) {
    for (let k = 0; k < cc; k++) color[p * cc + k] = data[s + k];
    alpha[p] = data[s + cc];
  }
  return { color: { ...image, channels: cc, data: color }, alpha: { ...image, channels: 1, data: alpha } };
}

/** Re-attaches an alpha channel of the same size and depth to a gray or RGB image. */
export function joinAlpha(color: PixelImage, alpha: PixelImage): PixelImage {
  if (color.channels !== 1 && color.channels !== 3) throw new RangeError(`joinAlpha: colour image has ${color.channels} channels`);
  if (alpha.channels !== 1 || alpha.width !== color.width || alpha.height !== color.height || alpha.bitDepth !== color.bitDepth) {
    throw new RangeError(
      `joinAlpha: alpha ${alpha.width}x${alpha.height}x${alpha.channels} ${alpha.bitDepth}-bit does not fit colour ${color.width}x${color.height} ${color.bitDepth}-bit`,
    );
  }
  const cc = color.channels;
  const out = allocLike(color, cc + 1);
  for (let p = 0, o = 0; p < alpha.data.length; p++) {
    for (let k = 0; k < cc; k++) out[o++] = color.data[p * cc + k];
    out[o++] = alpha.data[p];
  }
  return { ...color, channels: (cc + 1) as 2 | 4, data: out };
}

/** Gray (1 channel) replicated to RGB; RGB returned as is. */
export function grayToRgb(image: PixelImage): PixelImage {
  if (image.channels === 3) return image;
  if (image.channels !== 1) throw new RangeError(`grayToRgb: expected 1 or 3 channels, got ${image.channels}`);
  const out = allocLike(image, 3);
  for (let p = 0; p < image.data.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = image.data[p];
  return { ...image, channels: 3, data: out };
}

/** RGB to gray as round(0.299 R + 0.587 G + 0.114 B) (BT.601, OpenCV's RGB2GRAY as Real-ESRGAN uses it). */
export function rgbToGray(image: PixelImage): PixelImage {
  if (image.channels !== 3) throw new RangeError(`rgbToGray: expected 3 channels, got ${image.channels}`);
  const out = allocLike(image, 1);
  const d = image.data;
  for (let p = 0; p < out.length; p++) out[p] = Math.round(0.299 * d[3 * p] + 0.587 * d[3 * p + 1] + 0.114 * d[3 * p + 2]);
  return { ...image, channels: 1, data: out };
}

/** Alpha composited onto white and dropped (for JPEG output): c·a + max·(1 − a), rounded. Opaque kinds returned as is. */
export function compositeOnWhite(image: PixelImage): PixelImage {
  const { color, alpha } = splitAlpha(image);
  if (!alpha) return image;
  const max = maxSample(image.bitDepth);
  const cc = color.channels;
  const out = allocLike(image, cc);
  for (let p = 0; p < alpha.data.length; p++) {
    const a = alpha.data[p] / max;
    for (let k = 0; k < cc; k++) out[p * cc + k] = Math.round(color.data[p * cc + k] * a + max * (1 - a));
  }
  return { ...color, data: out };
}
