import { assertPixelImage, type PixelImage } from './pixel-image.ts';

export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export function isExifOrientation(v: unknown): v is ExifOrientation {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 8;
}

/** Orientations 5..8 swap width and height. */
export const swapsAxes = (orientation: ExifOrientation): boolean => orientation >= 5;

/**
 * Source pixel (sx, sy) of display pixel (x, y) for a stored image of `w`×`h`, per EXIF orientation:
 * 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
 */
function sourceOf(orientation: ExifOrientation, w: number, h: number): (x: number, y: number) => [number, number] {
  switch (orientation) {
    case 1: return (x, y) => [x, y];
    case 2: return (x, y) => [w - 1 - x, y];
    case 3: return (x, y) => [w - 1 - x, h - 1 - y];
    case 4: return (x, y) => [x, h - 1 - y];
    case 5: return (x, y) => [y, x];
    case 6: return (x, y) => [y, h - 1 - x];
    case 7: return (x, y) => [w - 1 - y, h - 1 - x];
    case 8: return (x, y) => [w - 1 - y, x];
  }
}

/**
 * The image as it is meant to be displayed for an EXIF orientation tag (1..8): a pure pixel transform, so the result
 * needs no tag. Orientation 1 returns the input itself.
 */
export function applyOrientation(image: PixelImage, orientation: number): PixelImage {
  if (!isExifOrientation(orientation)) throw new RangeError(`EXIF orientation must be an integer 1..8, got ${orientation}`);
  assertPixelImage(image);
  if (orientation === 1) return image;
  const { width: w, height: h, channels: c, data } = image;
  const [ow, oh] = swapsAxes(orientation) ? [h, w] : [w, h];
  const out = new (data.constructor as { new (n: number): Uint8Array | Uint16Array })(data.length);
  const src = sourceOf(orientation, w, h);
  let o = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const [sx, sy] = src(x, y);
      const s = (sy * w + sx) * c;
      for (let k = 0; k < c; k++) out[o++] = data[s + k];
    }
  }
  return { ...image, width: ow, height: oh, data: out };
}
