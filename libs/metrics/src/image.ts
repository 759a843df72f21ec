/** 8-bit image, interleaved HWC, row-major. RGB unless stated. */
export interface ImageU8 {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** 16-bit image with the same layout as `ImageU8` (values 0..65535, e.g. from a 16-bit PNG). */
export interface ImageU16 {
  width: number;
  height: number;
  channels: number;
  data: Uint16Array;
}

/** Float image with the same layout as `ImageU8`; unrounded values on the 0..255 scale. */
export interface ImageF {
  width: number;
  height: number;
  channels: number;
  data: Float64Array | Float32Array;
}

export type Image = ImageU8 | ImageF;

/** The two images of a comparison have different shapes (the message names both). */
export class ImageShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageShapeError';
  }
}

export function describeShape(img: Image | ImageU16): string {
  return `${img.width}x${img.height}x${img.channels}`;
}

/** Throws unless the dimensions are positive integers and `data` holds exactly width*height*channels values. */
export function assertImage(img: Image | ImageU16, what = 'image'): void {
  const { width, height, channels, data } = img;
  for (const [name, v] of [['width', width], ['height', height], ['channels', channels]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what}: ${name} must be a positive integer, got ${v}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`${what}: data has ${data.length} values, expected ${width}x${height}x${channels} = ${width * height * channels}`);
  }
}

export function assertSameShape(a: Image, b: Image): void {
  assertImage(a, 'first image');
  assertImage(b, 'second image');
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new ImageShapeError(`images differ in size: ${describeShape(a)} vs ${describeShape(b)} (width x height x channels)`);
  }
}

/** One value as `toU8` rounds it: half away from zero (MATLAB `round`), clamped to 0..255. */
export function roundU8(v: number): number {
  // Assigning to a Uint8Array wraps modulo 256, so clamp explicitly; on v >= 0, floor(v + 0.5) is MATLAB's round.
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5);
}

/** Round half away from zero (MATLAB `round`) and clamp to 0..255. An 8-bit input is returned as is (same object). */
export function toU8(img: Image): ImageU8 {
  if (img.data instanceof Uint8Array) return img as ImageU8;
  const src = img.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = roundU8(src[i]);
  return { width: img.width, height: img.height, channels: img.channels, data: out };
}

/** The rectangle [x, x+width) x [y, y+height) as a new image of the same element type; the input itself if that is all of it. */
export function cropImage<T extends Image>(img: T, x: number, y: number, width: number, height: number): T {
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > img.width || y + height > img.height) {
    throw new RangeError(`crop ${width}x${height}+${x}+${y} does not fit in a ${img.width}x${img.height} image`);
  }
  if (x === 0 && y === 0 && width === img.width && height === img.height) return img;
  const c = img.channels;
  const Ctor = img.data.constructor as { new (n: number): T['data'] };
  const out = new Ctor(width * height * c);
  const rowLen = width * c;
  for (let r = 0; r < height; r++) {
    const start = ((y + r) * img.width + x) * c;
    out.set(img.data.subarray(start, start + rowLen) as never, r * rowLen);
  }
  return { ...img, width, height, data: out };
}

/** Throws unless removing `border` pixels from every edge leaves at least one pixel. */
export function assertCropBorder(img: Image, border: number): void {
  if (!Number.isInteger(border) || border < 0) throw new RangeError(`crop border must be a non-negative integer, got ${border}`);
  if (border > 0 && (2 * border >= img.width || 2 * border >= img.height)) {
    throw new RangeError(`crop border ${border} leaves nothing of a ${img.width}x${img.height} image`);
  }
}

/** Removes `border` pixels from every edge. */
export function cropBorder<T extends Image>(img: T, border: number): T {
  assertCropBorder(img, border);
  if (border === 0) return img;
  return cropImage(img, border, border, img.width - 2 * border, img.height - 2 * border);
}

/** MATLAB `modcrop`: keeps the top-left part whose width and height are multiples of `scale`. */
export function modCrop<T extends Image>(img: T, scale: number): T {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`mod-crop scale must be a positive integer, got ${scale}`);
  const width = img.width - (img.width % scale);
  const height = img.height - (img.height % scale);
  if (width === 0 || height === 0) {
    throw new RangeError(`a ${img.width}x${img.height} image is smaller than the scale ${scale}`);
  }
  return cropImage(img, 0, 0, width, height);
}
