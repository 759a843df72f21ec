import type { RgbF } from './float-image.ts';
import type { Rng } from './rng.ts';

/**
 * BasicSR `random_add_gaussian_noise_pt` for one image with its draws given: `normals` (3 per pixel, HWC) are the
 * colour noise, `grayNormals` (1 per pixel) the gray noise shared by the channels; sigma on the 0..255 scale; clipped.
 */
export function addGaussianNoise(img: RgbF, sigma: number, gray: boolean, normals: Float32Array, grayNormals: Float32Array): RgbF {
  const out = new Float32Array(img.data.length);
  const s = sigma / 255;
  for (let i = 0; i < out.length; i++) {
    const n = gray ? grayNormals[(i / 3) | 0] : normals[i];
    out[i] = Math.min(1, Math.max(0, img.data[i] + n * s));
  }
  return { ...img, data: out };
}

/** A Poisson(λ) sample: Knuth's product method for small λ, Hörmann's PTRS transformed rejection otherwise. */
export function poissonSample(lambda: number, rng: Rng): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const logLam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLam - logGamma(k + 1)) return k;
  }
}

/** ln Γ(x) (Lanczos, g = 7), for the PTRS acceptance test. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

const quantize = (v: number) => Math.min(255, Math.max(0, Math.round(v * 255))) / 255;

/** 2^ceil(log2(number of distinct values)), BasicSR's `vals` for Poisson noise. */
function levels(values: Float32Array): number {
  return 2 ** Math.ceil(Math.log2(new Set(values).size));
}

/**
 * BasicSR `generate_poisson_noise_pt` + add + clip for one image: the image is quantized to 8 bits, counts are
 * Poisson(img·vals)/vals with vals the distinct-value count rounded up to a power of two; noise = (counts - img)·scale.
 * Gray noise works on torchvision's rgb_to_grayscale (0.2989, 0.587, 0.114) and is shared by the channels.
 */
export function addPoissonNoise(img: RgbF, scale: number, gray: boolean, rng: Rng): RgbF {
  const n = img.width * img.height;
  const noise = new Float32Array(img.data.length);
  if (gray) {
    const g = new Float32Array(n);
    for (let p = 0; p < n; p++) g[p] = quantize(0.2989 * img.data[p * 3] + 0.587 * img.data[p * 3 + 1] + 0.114 * img.data[p * 3 + 2]);
    const vals = levels(g);
    for (let p = 0; p < n; p++) noise.fill(poissonSample(g[p] * vals, rng) / vals - g[p], p * 3, p * 3 + 3);
  } else {
    const q = img.data.map(quantize);
    const vals = levels(q);
    for (let i = 0; i < q.length; i++) noise[i] = poissonSample(q[i] * vals, rng) / vals - q[i];
  }
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, img.data[i] + noise[i] * scale));
  return { ...img, data: out };
}
