import { rgbToY } from './color.ts';
import { assertSameShape, cropBorder, type Image } from './image.ts';

export interface MetricOptions {
  /** Compare the BT.601 Y channel (MATLAB `rgb2ycbcr`) instead of all channels. */
  yChannel?: boolean;
  /** Round Y to integers first (MATLAB `rgb2ycbcr` on uint8); needs `yChannel`. */
  roundY?: boolean;
  /** Pixels removed from every edge before comparing. */
  cropBorder?: number;
}

/** One image split into float64 channel planes (row-major), ready for PSNR/SSIM. */
export interface Planes {
  width: number;
  height: number;
  planes: Float64Array[];
}

function toPlanes(img: Image): Planes {
  const { width, height, channels, data } = img;
  const n = width * height;
  const planes: Float64Array[] = [];
  for (let c = 0; c < channels; c++) {
    const plane = new Float64Array(n);
    for (let i = 0, j = c; i < n; i++, j += channels) plane[i] = data[j];
    planes.push(plane);
  }
  return { width, height, planes };
}

function prepareOne(img: Image, opts: MetricOptions): Planes {
  const cropped = cropBorder(img, opts.cropBorder ?? 0);
  return toPlanes(opts.yChannel ? rgbToY(cropped, { round: opts.roundY }) : cropped);
}

/** Validates the pair (same shape) and the options, then crops and converts both images the same way. */
export function preparePair(a: Image, b: Image, opts: MetricOptions = {}): [Planes, Planes] {
  assertSameShape(a, b);
  if (opts.roundY && !opts.yChannel) throw new RangeError('roundY applies to the Y channel: set yChannel too');
  return [prepareOne(a, opts), prepareOne(b, opts)];
}
