import type { Image } from './image.ts';
import { preparePair, type MetricOptions, type PlaneRows } from './prepare.ts';

/**
 * SSIM of Wang et al. 2004 as computed by BasicSR/MATLAB: 11x11 Gaussian window, sigma 1.5, valid region only, float64.
 * The filter loops below are unrolled for this window size (taps 0..10, centre 5).
 */
const WINDOW = 11;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Normalized 1-D Gaussian (cv2.getGaussianKernel(11, 1.5)); the 2-D window is its outer product, so filtering is separable. */
export const SSIM_KERNEL: Float64Array = (() => {
  const k = new Float64Array(WINDOW);
  const mid = (WINDOW - 1) / 2;
  let sum = 0;
  for (let i = 0; i < WINDOW; i++) {
    k[i] = Math.exp(-((i - mid) ** 2) / (2 * SIGMA * SIGMA));
    sum += k[i];
  }
  for (let i = 0; i < WINDOW; i++) k[i] /= sum;
  return k;
})();

/**
 * Row `r` of the vertical filtering of `src` (width `w`), for the window covering rows r..r+10, into `out` (length w).
 * The kernel is symmetric, so mirrored taps share one multiplication.
 */
function filterColumn(src: Float64Array, w: number, r: number, out: Float64Array): void {
  const g = SSIM_KERNEL;
  const g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5];
  const o = r * w;
  const r1 = o + w, r2 = r1 + w, r3 = r2 + w, r4 = r3 + w, r5 = r4 + w;
  const r6 = r5 + w, r7 = r6 + w, r8 = r7 + w, r9 = r8 + w, r10 = r9 + w;
  for (let c = 0; c < w; c++) {
    out[c] =
      g5 * src[r5 + c] +
      g4 * (src[r4 + c] + src[r6 + c]) +
      g3 * (src[r3 + c] + src[r7 + c]) +
      g2 * (src[r2 + c] + src[r8 + c]) +
      g1 * (src[r1 + c] + src[r9 + c]) +
      g0 * (src[o + c] + src[r10 + c]);
  }
}

/** Horizontal filtering of one row (length ow + 10) over the valid columns, into `out` (length ow). */
function filterRow(src: Float64Array, ow: number, out: Float64Array): void {
  const g = SSIM_KERNEL;
  const g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5];
  for (let c = 0; c < ow; c++) {
    out[c] =
      g5 * src[c + 5] +
      g4 * (src[c + 4] + src[c + 6]) +
      g3 * (src[c + 3] + src[c + 7]) +
      g2 * (src[c + 2] + src[c + 8]) +
      g1 * (src[c + 1] + src[c + 9]) +
      g0 * (src[c] + src[c + 10]);
  }
}

/**
 * Output rows of the SSIM map per strip. A strip holds its input rows (plus the window's 10-row halo) of the two planes
 * and their three products: 5 × 42 rows of float64, 1.7 MB at 1016 px wide instead of 5 whole-image planes.
 */
export const SSIM_STRIP_ROWS = 32;

/**
 * Sum of the SSIM map of plane `plane` of a pair over the valid region, filtered one output row at a time over strips of
 * `stripRows` output rows. Each strip reuses the last WINDOW - 1 input rows of the one before, and the sum runs over the
 * rows in order, so every strip height gives the same bits as one strip of the whole image.
 */
function ssimMapSum(a: PlaneRows, b: PlaneRows, plane: number, stripRows: number): number {
  const { width: w, height: h } = a;
  const ow = w - WINDOW + 1;
  const oh = h - WINDOW + 1;
  const strip = Math.min(stripRows, oh);
  const held = strip + WINDOW - 1;
  const sources = Array.from({ length: 5 }, () => new Float64Array(held * w));
  const [x, y, xx, yy, xy] = sources;
  const column = new Float64Array(w);
  const filtered = sources.map(() => new Float64Array(ow));
  const [mx, my, mxx, myy, mxy] = filtered;
  let total = 0;
  for (let top = 0; top < oh; top += strip) {
    const rows = Math.min(strip, oh - top);
    let first = 0;
    if (top > 0) {
      // The previous strip was full: its last WINDOW - 1 input rows are this strip's first ones.
      for (const src of sources) src.copyWithin(0, strip * w, held * w);
      first = WINDOW - 1;
    }
    for (let i = first; i < rows + WINDOW - 1; i++) {
      const o = i * w;
      a.read(plane, top + i, x.subarray(o, o + w));
      b.read(plane, top + i, y.subarray(o, o + w));
      for (let k = o; k < o + w; k++) {
        xx[k] = x[k] * x[k];
        yy[k] = y[k] * y[k];
        xy[k] = x[k] * y[k];
      }
    }
    for (let r = 0; r < rows; r++) {
      for (let s = 0; s < sources.length; s++) {
        filterColumn(sources[s], w, r, column);
        filterRow(column, ow, filtered[s]);
      }
      for (let c = 0; c < ow; c++) {
        const mu1 = mx[c];
        const mu2 = my[c];
        const mu12 = mu1 * mu2;
        const mu1sq = mu1 * mu1;
        const mu2sq = mu2 * mu2;
        const num = (2 * mu12 + C1) * (2 * (mxy[c] - mu12) + C2);
        const den = (mu1sq + mu2sq + C1) * (mxx[c] - mu1sq + (myy[c] - mu2sq) + C2);
        total += num / den;
      }
    }
  }
  return total;
}

/**
 * Mean SSIM over the planes of two prepared images (each plane: mean of its SSIM map over the valid region).
 * `stripRows` (output rows per strip) only trades memory for a little copying; the result does not depend on it.
 */
export function ssimRows(a: PlaneRows, b: PlaneRows, stripRows = SSIM_STRIP_ROWS): number {
  const { width, height } = a;
  if (width < WINDOW || height < WINDOW) {
    throw new RangeError(`SSIM needs at least ${WINDOW}x${WINDOW} pixels (after any border crop), got ${width}x${height}`);
  }
  if (!Number.isInteger(stripRows) || stripRows < 1) throw new RangeError(`strip rows must be a positive integer, got ${stripRows}`);
  const validPixels = (width - WINDOW + 1) * (height - WINDOW + 1);
  let sum = 0;
  for (let p = 0; p < a.planes; p++) sum += ssimMapSum(a, b, p, stripRows) / validPixels;
  return sum / a.planes;
}

/** SSIM after the optional border crop and Y conversion; for RGB the mean over the channels. Identical images give 1. */
export function ssim(a: Image, b: Image, opts: MetricOptions = {}): number {
  const [pa, pb] = preparePair(a, b, opts);
  return ssimRows(pa, pb);
}
