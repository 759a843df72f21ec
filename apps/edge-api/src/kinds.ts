import { compositeOnWhite, grayToRgb, joinAlpha, splitAlpha, toBitDepth8, type PixelImage } from '@sr/model';
import type { ImageU8 } from '@sr/metrics';
import type { BufferedFormat, DecodedImage } from './codecs/types.ts';

/** 8-bit RGB goes through the streamed pipeline; every other kind (gray, alpha, 16-bit) through `upscaleImage`, whole. */
export const isPlainRgb = (image: DecodedImage): boolean => image.channels === 3 && image.bitDepth === 8;

export const describeKind = (image: DecodedImage): string =>
  `${image.bitDepth}-bit ${['gray', 'gray+alpha', 'RGB', 'RGBA'][image.channels - 1]}`;

/**
 * What the JPEG/WebP encoders take of any result: 8 bits (16-bit rounded), gray replicated to RGB; JPEG has no alpha,
 * so an alpha result is composited on white, WebP keeps it (RGBA).
 */
export function forBufferedFormat(out: PixelImage, format: BufferedFormat): ImageU8 {
  let img = toBitDepth8(out);
  if (format === 'jpeg') img = compositeOnWhite(img);
  if (img.channels <= 2) {
    const { color, alpha } = splitAlpha(img);
    img = alpha ? joinAlpha(grayToRgb(color), alpha) : grayToRgb(color);
  }
  return img as ImageU8;
}
