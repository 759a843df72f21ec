import { imresize, type ImageF, type ImageU8 } from '@sr/metrics';
import { assertPixelImage, maxSample, type PixelImage } from './pixel-image.ts';

/**
 * MATLAB-compatible bicubic resize (`imresize` from `@sr/metrics`: Keys a = −0.5, antialiased when shrinking) of every
 * channel, clamped and rounded back to the image's bit depth. The input itself when the size does not change.
 */
export function resizePixelImage(image: PixelImage, outWidth: number, outHeight: number): PixelImage {
  assertPixelImage(image);
  if (outWidth === image.width && outHeight === image.height) return image;
  // imresize reads any array of samples; a 16-bit image goes in as float.
  const src: ImageU8 | ImageF =
    image.data instanceof Uint16Array ? { ...image, data: Float32Array.from(image.data) } : { ...image, data: image.data };
  const { data } = imresize(src, { outWidth, outHeight });
  const max = maxSample(image.bitDepth);
  const out = image.bitDepth === 16 ? new Uint16Array(data.length) : new Uint8Array(data.length);
  // Written so NaN maps to 0; v >= 0 so floor(v + 0.5) is MATLAB's round.
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = v > 0 ? (v < max ? Math.floor(v + 0.5) : max) : 0;
  }
  return { ...image, width: outWidth, height: outHeight, data: out };
}

/** The size of an `outscale` result: round(S × input) per side, at least 1 (Real-ESRGAN's `--outscale`). */
export function outscaleSize(width: number, height: number, outscale: number): { width: number; height: number } {
  if (!Number.isFinite(outscale) || outscale <= 0) throw new RangeError(`outscale must be a positive number, got ${outscale}`);
  return { width: Math.max(1, Math.round(width * outscale)), height: Math.max(1, Math.round(height * outscale)) };
}
