import { assertImage, describeShape, ImageShapeError, modCrop, roundU8, type Image, type ImageU8 } from './image.ts';
import { imresizeRows } from './imresize.ts';

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer, got ${scale}`);
}

/** `toU8(imresize(img, size))` without the float image: each output row is rounded as it is resized. */
function resizeToU8(img: Image, outWidth: number, outHeight: number): ImageU8 {
  assertImage(img);
  const rowLen = outWidth * img.channels;
  const data = new Uint8Array(outHeight * rowLen);
  imresizeRows(img, { outWidth, outHeight }, (row, values) => {
    for (let k = 0, o = row * rowLen; k < rowLen; k++, o++) data[o] = roundU8(values[k]);
  });
  return { width: outWidth, height: outHeight, channels: img.channels, data };
}

/** The standard SR degradation: mod-crop to a multiple of `scale`, MATLAB bicubic downscale by 1/scale, round to uint8. */
export function downscaleBicubic(hr: Image, scale: number): ImageU8 {
  checkScale(scale);
  const cropped = modCrop(hr, scale);
  // An explicit output size gives exactly width/scale pixels and the scale factor (w/scale)/w, which equals 1/scale.
  return resizeToU8(cropped, cropped.width / scale, cropped.height / scale);
}

/** The bicubic baseline: MATLAB bicubic upscale by `scale`, rounded to uint8. */
export function upscaleBicubic(lr: Image, scale: number): ImageU8 {
  checkScale(scale);
  return resizeToU8(lr, lr.width * scale, lr.height * scale);
}

export interface SrPair {
  /** The HR image mod-cropped to a multiple of the scale. */
  hr: ImageU8;
  lr: ImageU8;
}

/**
 * The evaluation pair for one image: mod-cropped HR and its LR, either the given one (which must be exactly HR/scale in size)
 * or made with `downscaleBicubic`.
 */
export function makeSrPair(hr: ImageU8, scale: number, lr?: ImageU8): SrPair {
  checkScale(scale);
  const croppedHr = modCrop(hr, scale);
  if (!lr) return { hr: croppedHr, lr: downscaleBicubic(croppedHr, scale) };
  const w = croppedHr.width / scale;
  const h = croppedHr.height / scale;
  if (lr.width !== w || lr.height !== h || lr.channels !== hr.channels) {
    throw new ImageShapeError(
      `LR is ${describeShape(lr)} but the mod-cropped HR ${describeShape(croppedHr)} needs ${w}x${h}x${hr.channels} at x${scale}`,
    );
  }
  return { hr: croppedHr, lr };
}
