import type { RgbF } from './float-image.ts';
import type { Kernel } from './kernels.ts';

/** Reflect (no edge repeat) index into [0, n), folding as often as needed so kernels wider than the image still work. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** The image with `pad` reflected pixels on every side. */
function reflectPad(img: RgbF, pad: number): Float32Array {
  const { width: w, height: h, data } = img;
  const pw = w + 2 * pad;
  const out = new Float32Array(pw * (h + 2 * pad) * 3);
  for (let y = 0; y < h + 2 * pad; y++) {
    const sy = reflect(y - pad, h) * w;
    for (let x = 0; x < pw; x++) {
      const s = (sy + reflect(x - pad, w)) * 3;
      const o = (y * pw + x) * 3;
      out[o] = data[s];
      out[o + 1] = data[s + 1];
      out[o + 2] = data[s + 2];
    }
  }
  return out;
}

/**
 * BasicSR `filter2D`: reflect padding by size/2 then a per-channel correlation with the kernel (F.conv2d). Torch's
 * reflect pad needs the image larger than the pad; here the reflection repeats instead, so tiny patches work too.
 */
export function filter2D(img: RgbF, k: Kernel): RgbF {
  const { width: w, height: h } = img;
  const half = (k.size - 1) / 2;
  const padded = reflectPad(img, half);
  const pw = w + 2 * half;
  const factors = separable(k);
  if (factors) return separableFilter(padded, w, h, half, factors);
  const taps: { offset: number; weight: number }[] = [];
  for (let ky = 0; ky < k.size; ky++)
    for (let kx = 0; kx < k.size; kx++) if (k.data[ky * k.size + kx] !== 0) taps.push({ offset: (ky * pw + kx) * 3, weight: k.data[ky * k.size + kx] });
  const offsets = Int32Array.from(taps, (t) => t.offset);
  const weights = Float64Array.from(taps, (t) => t.weight);
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = (y * pw + x) * 3;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = 0; t < offsets.length; t++) {
        const s = base + offsets[t];
        const wgt = weights[t];
        r += wgt * padded[s];
        g += wgt * padded[s + 1];
        b += wgt * padded[s + 2];
      }
      const o = (y * w + x) * 3;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return { width: w, height: h, data: out };
}

/** (column, row) with k = column · rowᵀ when the kernel has rank 1 (isotropic Gaussians), else undefined. */
function separable(k: Kernel): { col: Float64Array; row: Float64Array } | undefined {
  const n = k.size;
  const c = (n - 1) / 2;
  const m = k.data[c * n + c];
  if (!(m > 0)) return undefined;
  const row = k.data.slice(c * n, c * n + n);
  const col = Float64Array.from({ length: n }, (_, i) => k.data[i * n + c] / m);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (Math.abs(k.data[i * n + j] - col[i] * row[j]) > 1e-9 * m) return undefined;
  return { col, row };
}

/** Rows then columns: 2·size taps per pixel instead of size². */
function separableFilter(padded: Float32Array, w: number, h: number, half: number, { col, row }: { col: Float64Array; row: Float64Array }): RgbF {
  const pw = w + 2 * half;
  const ph = h + 2 * half;
  const n = row.length;
  const mid = new Float64Array(ph * w * 3);
  for (let y = 0; y < ph; y++)
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = 0; t < n; t++) {
        const s = (y * pw + x + t) * 3;
        r += row[t] * padded[s];
        g += row[t] * padded[s + 1];
        b += row[t] * padded[s + 2];
      }
      const o = (y * w + x) * 3;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
    }
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let t = 0; t < n; t++) {
      const src = (y + t) * w * 3;
      const dst = y * w * 3;
      for (let i = 0; i < w * 3; i++) out[dst + i] += col[t] * mid[src + i];
    }
  return { width: w, height: h, data: out };
}
