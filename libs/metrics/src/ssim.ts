import type { Image } from './image.ts';
import { preparePair, type MetricOptions, type Planes } from './prepare.ts';

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

function products(x: Float64Array, y: Float64Array): [Float64Array, Float64Array, Float64Array] {
  const xx = new Float64Array(x.length);
  const yy = new Float64Array(x.length);
  const xy = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  return [xx, yy, xy];
}

/** Sum of the SSIM map of one plane pair over the valid region (one output row at a time, O(width) scratch). */
function ssimMapSum(x: Float64Array, y: Float64Array, w: number, h: number): number {
  const ow = w - WINDOW + 1;
  const oh = h - WINDOW + 1;
  const sources = [x, y, ...products(x, y)];
  const column = new Float64Array(w);
  const [mx, my, mxx, myy, mxy] = sources.map(() => new Float64Array(ow));
  const filtered = [mx, my, mxx, myy, mxy];
  let total = 0;
  for (let r = 0; r < oh; r++) {
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
  return total;
}

/** Mean SSIM over the planes of two prepared images (each plane: mean of its SSIM map over the valid region). */
export function ssimPlanes(a: Planes, b: Planes): number {
  const { width, height } = a;
  if (width < WINDOW || height < WINDOW) {
    throw new RangeError(`SSIM needs at least ${WINDOW}x${WINDOW} pixels (after any border crop), got ${width}x${height}`);
  }
  const validPixels = (width - WINDOW + 1) * (height - WINDOW + 1);
  let sum = 0;
  for (let c = 0; c < a.planes.length; c++) sum += ssimMapSum(a.planes[c], b.planes[c], width, height) / validPixels;
  return sum / a.planes.length;
}

/** SSIM after the optional border crop and Y conversion; for RGB the mean over the channels. Identical images give 1. */
export function ssim(a: Image, b: Image, opts: MetricOptions = {}): number {
  const [pa, pb] = preparePair(a, b, opts);
  return ssimPlanes(pa, pb);
}
