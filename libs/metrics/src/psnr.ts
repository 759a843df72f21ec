import type { Image } from './image.ts';
import { preparePair, type MetricOptions, type Planes } from './prepare.ts';

/** PSNR in dB of two prepared images on the 0..255 scale; Infinity when they are identical. */
export function psnrPlanes(a: Planes, b: Planes): number {
  let sum = 0;
  let count = 0;
  for (let c = 0; c < a.planes.length; c++) {
    const x = a.planes[c];
    const y = b.planes[c];
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      sum += d * d;
    }
    count += x.length;
  }
  const mse = sum / count;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** PSNR in dB (peak 255) over all pixels and channels, after the optional border crop and Y conversion. */
export function psnr(a: Image, b: Image, opts: MetricOptions = {}): number {
  const [pa, pb] = preparePair(a, b, opts);
  return psnrPlanes(pa, pb);
}
