import { assertRgb, luma } from './color.ts';
import { assertCropBorder, assertSameShape, type Image } from './image.ts';

export interface MetricOptions {
  /** Compare the BT.601 Y channel (MATLAB `rgb2ycbcr`) instead of all channels. */
  yChannel?: boolean;
  /** Round Y to integers first (MATLAB `rgb2ycbcr` on uint8); needs `yChannel`. */
  roundY?: boolean;
  /** Pixels removed from every edge before comparing. */
  cropBorder?: number;
}

/**
 * One image as the float64 planes PSNR/SSIM compare (after the border crop; the Y channel or each channel), read one row
 * at a time, so that scoring needs a few rows of scratch memory instead of whole-image planes.
 */
export interface PlaneRows {
  width: number;
  height: number;
  planes: number;
  /** Writes row `row` of plane `plane` into `out` (`width` values on the 0..255 scale). */
  read(plane: number, row: number, out: Float64Array): void;
}

function planeRows(img: Image, opts: MetricOptions): PlaneRows {
  const border = opts.cropBorder ?? 0;
  assertCropBorder(img, border);
  if (opts.yChannel) assertRgb(img);
  const { channels, data } = img;
  const width = img.width - 2 * border;
  const height = img.height - 2 * border;
  const start = (row: number) => ((row + border) * img.width + border) * channels;
  const round = opts.roundY ?? false;
  const read = opts.yChannel
    ? (_plane: number, row: number, out: Float64Array) => {
        for (let c = 0, j = start(row); c < width; c++, j += 3) out[c] = luma(data[j], data[j + 1], data[j + 2], round);
      }
    : (plane: number, row: number, out: Float64Array) => {
        for (let c = 0, j = start(row) + plane; c < width; c++, j += channels) out[c] = data[j];
      };
  return { width, height, planes: opts.yChannel ? 1 : channels, read };
}

/** Validates the pair (same shape) and the options, then crops and converts both images the same way. */
export function preparePair(a: Image, b: Image, opts: MetricOptions = {}): [PlaneRows, PlaneRows] {
  assertSameShape(a, b);
  if (opts.roundY && !opts.yChannel) throw new RangeError('roundY applies to the Y channel: set yChannel too');
  return [planeRows(a, opts), planeRows(b, opts)];
}
