import type { Image } from './image.ts';
import { preparePair, type MetricOptions, type Planes } from './prepare.ts';

/** SSIM of Wang et al. 2004 as computed by BasicSR/MATLAB: 11x11 Gaussian window, sigma 1.5, valid region only. */
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

/** Scratch buffers for the horizontally filtered moments (x, y, x², y², xy), reused across channels. */
class Moments {
  readonly mx: Float64Array;
  readonly my: Float64Array;
  readonly mxx: Float64Array;
  readonly myy: Float64Array;
  readonly mxy: Float64Array;
  constructor(n: number) {
    this.mx = new Float64Array(n);
    this.my = new Float64Array(n);
    this.mxx = new Float64Array(n);
    this.myy = new Float64Array(n);
    this.mxy = new Float64Array(n);
  }
}

/** Filters every row with the kernel, keeping only the columns where the window fits. */
function filterRows(x: Float64Array, y: Float64Array, width: number, height: number, m: Moments): void {
  const ow = width - WINDOW + 1;
  const g = SSIM_KERNEL;
  const { mx, my, mxx, myy, mxy } = m;
  for (let r = 0; r < height; r++) {
    const rowIn = r * width;
    const rowOut = r * ow;
    for (let c = 0; c < ow; c++) {
      let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      const base = rowIn + c;
      for (let k = 0; k < WINDOW; k++) {
        const w = g[k];
        const a = x[base + k];
        const b = y[base + k];
        const wa = w * a;
        const wb = w * b;
        sx += wa;
        sy += wb;
        sxx += wa * a;
        syy += wb * b;
        sxy += wa * b;
      }
      const o = rowOut + c;
      mx[o] = sx;
      my[o] = sy;
      mxx[o] = sxx;
      myy[o] = syy;
      mxy[o] = sxy;
    }
  }
}

/** Filters the moment maps column-wise and returns the sum of the SSIM map over the valid region. */
function filterColumnsAndSum(ow: number, oh: number, m: Moments, acc: Moments): number {
  const g = SSIM_KERNEL;
  const { mx, my, mxx, myy, mxy } = m;
  const ax = acc.mx, ay = acc.my, axx = acc.mxx, ayy = acc.myy, axy = acc.mxy;
  let total = 0;
  for (let r = 0; r < oh; r++) {
    ax.fill(0);
    ay.fill(0);
    axx.fill(0);
    ayy.fill(0);
    axy.fill(0);
    for (let k = 0; k < WINDOW; k++) {
      const w = g[k];
      const row = (r + k) * ow;
      for (let c = 0; c < ow; c++) {
        ax[c] += w * mx[row + c];
        ay[c] += w * my[row + c];
        axx[c] += w * mxx[row + c];
        ayy[c] += w * myy[row + c];
        axy[c] += w * mxy[row + c];
      }
    }
    for (let c = 0; c < ow; c++) {
      const mu1 = ax[c];
      const mu2 = ay[c];
      const mu12 = mu1 * mu2;
      const mu1sq = mu1 * mu1;
      const mu2sq = mu2 * mu2;
      const num = (2 * mu12 + C1) * (2 * (axy[c] - mu12) + C2);
      const den = (mu1sq + mu2sq + C1) * (axx[c] - mu1sq + (ayy[c] - mu2sq) + C2);
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
  const ow = width - WINDOW + 1;
  const oh = height - WINDOW + 1;
  const moments = new Moments(ow * height);
  const acc = new Moments(ow);
  let sum = 0;
  for (let c = 0; c < a.planes.length; c++) {
    filterRows(a.planes[c], b.planes[c], width, height, moments);
    sum += filterColumnsAndSum(ow, oh, moments, acc) / (ow * oh);
  }
  return sum / a.planes.length;
}

/** SSIM after the optional border crop and Y conversion; for RGB the mean over the channels. Identical images give 1. */
export function ssim(a: Image, b: Image, opts: MetricOptions = {}): number {
  const [pa, pb] = preparePair(a, b, opts);
  return ssimPlanes(pa, pb);
}
