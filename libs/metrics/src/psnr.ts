import type { Image } from './image.ts';
import { preparePair, type MetricOptions, type PlaneRows } from './prepare.ts';

/** PSNR in dB of two prepared images on the 0..255 scale; Infinity when they are identical. Two rows of scratch memory. */
export function psnrRows(a: PlaneRows, b: PlaneRows): number {
  const x = new Float64Array(a.width);
  const y = new Float64Array(a.width);
  let sum = 0;
  for (let p = 0; p < a.planes; p++) {
    for (let r = 0; r < a.height; r++) {
      a.read(p, r, x);
      b.read(p, r, y);
      for (let c = 0; c < x.length; c++) {
        const d = x[c] - y[c];
        sum += d * d;
      }
    }
  }
  const mse = sum / (a.planes * a.width * a.height);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** PSNR in dB (peak 255) over all pixels and channels, after the optional border crop and Y conversion. */
export function psnr(a: Image, b: Image, opts: MetricOptions = {}): number {
  const [pa, pb] = preparePair(a, b, opts);
  return psnrRows(pa, pb);
}
