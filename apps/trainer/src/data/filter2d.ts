import type { RgbF } from './float-image.ts';
import type { Kernel } from './kernels.ts';

/** Reflect (no edge repeat) index into [0, n), folding as often as needed so kernels wider than the image still work. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * BasicSR `filter2D`: reflect padding by size/2 then a per-channel correlation with the kernel (F.conv2d). Torch's
 * reflect pad needs the image larger than the pad; here the reflection repeats instead, so tiny patches work too.
 */
export function filter2D(img: RgbF, k: Kernel): RgbF {
  const { width: w, height: h, data } = img;
  const half = (k.size - 1) / 2;
  const out = new Float32Array(data.length);
  const xs = new Int32Array(w * k.size);
  for (let x = 0; x < w; x++) for (let t = 0; t < k.size; t++) xs[x * k.size + t] = reflect(x + t - half, w) * 3;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let ky = 0; ky < k.size; ky++) {
        const row = reflect(y + ky - half, h) * w * 3;
        const kr = ky * k.size;
        for (let kx = 0; kx < k.size; kx++) {
          const wgt = k.data[kr + kx];
          if (wgt === 0) continue;
          const s = row + xs[x * k.size + kx];
          r += wgt * data[s];
          g += wgt * data[s + 1];
          b += wgt * data[s + 2];
        }
      }
      const o = (y * w + x) * 3;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return { width: w, height: h, data: out };
}
