import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { psnr } from '@sr/metrics';
import { parseConfig } from '../src/config/load.ts';
import { BatchSource } from '../src/data/batches.ts';
import { openTrainingSet } from '../src/data/dataset.ts';
import { jpegCodec } from '../src/data/degrade.ts';
import { filter2D } from '../src/data/filter2d.ts';
import { toImageU8, type RgbF } from '../src/data/float-image.ts';
import { besselJ1, blurKernel, padKernel, sincKernel, type KernelKind } from '../src/data/kernels.ts';
import { addGaussianNoise, addPoissonNoise, poissonSample } from '../src/data/noise.ts';
import { applyRealEsrgan, drawRealEsrgan, type RealEsrganDraw } from '../src/data/realesrgan.ts';
import { resizeByFactor, resizeTo, type ResizeMode } from '../src/data/resize-torch.ts';
import { Rng } from '../src/data/rng.ts';

/** Written by tools/pytorch/make_degradation_fixtures.py (BasicSR / Real-ESRGAN formulas in torch 1.13, draws as inputs). */
const F = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/degradations.json'), 'utf8'));
const image: RgbF = { width: F.image.width, height: F.image.height, data: Float32Array.from(F.image.data) };
const f32 = (a: number[]) => Float32Array.from(a);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const realConfig = () =>
  parseConfig({
    scale: 4,
    data: { train: { synthetic: { count: 1, width: 64, height: 64 } }, val: { synthetic: { count: 1, width: 32, height: 32 } }, lrPatch: 8, batchSize: 1, degradation: { type: 'realesrgan' } },
    generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 4 } },
    phases: { psnr: { iterations: 1, optimizer: { lr: 1e-3 } } },
  });
const defaults = () => realConfig().data.degradation!;

describe('Real-ESRGAN degradation vs the PyTorch reference (fixed draws)', () => {
  it('blur kernels: iso / aniso / generalized / plateau, padded to 21', () => {
    for (const k of F.kernels as { kind: KernelKind; size: number; sigmaX: number; sigmaY: number; theta: number; beta: number; kernel: number[] }[]) {
      const ours = padKernel(blurKernel(k), 21);
      expect(maxDiff(ours.data, k.kernel), k.kind).toBeLessThan(1e-12);
    }
  });
  it('circular low-pass (sinc) kernels', () => {
    for (const k of F.sinc) expect(maxDiff(padKernel(sincKernel(k.omega, k.size), 21).data, k.kernel)).toBeLessThan(1e-7);
    expect(Math.abs(besselJ1(3.8317059702))).toBeLessThan(1e-7); // the first zero of J1
  });
  it('filter2D with reflect padding', () => {
    const k = { size: 21, data: Float64Array.from(F.filter2D.kernel) };
    expect(maxDiff(filter2D(image, k).data, F.filter2D.out)).toBeLessThan(2e-6);
    // An isotropic Gaussian takes the separable path; it must equal the full 2-D correlation.
    const iso = padKernel(blurKernel({ kind: 'iso', size: 9, sigmaX: 1.4, sigmaY: 1.4, theta: 0, beta: 1 }), 21);
    const perturbed = { size: 21, data: iso.data.map((v, i) => (i === 0 ? v + 1e-7 : v)) }; // rank 2: the full path
    expect(maxDiff(filter2D(image, iso).data, filter2D(image, perturbed).data)).toBeLessThan(1e-6);
  });
  it('F.interpolate area / bilinear / bicubic by factor and by size', () => {
    for (const r of F.resize as { mode: ResizeMode; scale?: number; width: number; height: number; out: number[] }[]) {
      const ours = r.scale !== undefined ? resizeByFactor(image, r.scale, r.mode) : resizeTo(image, r.width, r.height, r.mode);
      expect([ours.width, ours.height], `${r.mode} ${r.scale}`).toEqual([r.width, r.height]);
      expect(maxDiff(ours.data, r.out), `${r.mode} ${r.scale ?? `${r.width}x${r.height}`}`).toBeLessThan(2e-6);
    }
  });
  it('Gaussian colour and gray noise from the same normals', () => {
    const g = F.gaussianNoise;
    expect(maxDiff(addGaussianNoise(image, g.sigma, false, f32(g.normals), f32(g.grayNormals)).data, g.color)).toBeLessThan(1e-6);
    expect(maxDiff(addGaussianNoise(image, g.sigma, true, f32(g.normals), f32(g.grayNormals)).data, g.gray)).toBeLessThan(1e-6);
  });
  it('the whole second-order chain (JPEG as clamp only), quantized to 8 bits', async () => {
    const c = F.chain;
    const kernel = (data: number[]) => ({ size: 21, data: Float64Array.from(data) });
    // Drive the chain with the reference's kernels by giving a draw whose kernels are replaced below.
    const draw: RealEsrganDraw = {
      kernel1: { blur: { kind: 'generalized_aniso', size: 13, sigmaX: 2.2, sigmaY: 1.1, theta: 1.9, beta: 3.5 } },
      kernel2: { blur: { kind: 'iso', size: 9, sigmaX: 0.9, sigmaY: 0.9, theta: 0, beta: 1 } },
      finalSinc: { omega: 1.7, size: 11 },
      first: { resize: c.resize1, noise: { kind: 'gaussian', amount: c.sigma1, gray: c.gray1, seed: 0 }, jpegQuality: 50 },
      secondBlur: c.secondBlur,
      second: { resize: { factor: c.resize2.scale, mode: c.resize2.mode }, noise: { kind: 'gaussian', amount: c.sigma2, gray: c.gray2, seed: 0 }, jpegQuality: 50 },
      finalResizeMode: c.finalResizeMode,
      sincFirst: c.sincFirst,
    };
    draw.first.resize = { factor: c.resize1.scale, mode: c.resize1.mode };
    expect(maxDiff(padKernel(blurKernel((draw.kernel1 as { blur: never }).blur), 21).data, kernel(c.kernel1).data)).toBeLessThan(1e-12);
    const lr = await applyRealEsrgan(image, draw, {
      scale: c.scale,
      jpeg: async (img) => img,
      noise: (img, n, order) => addGaussianNoise(img, n.amount, n.gray, f32(order === 1 ? c.normals1 : c.normals2), f32(order === 1 ? c.grayNormals1 : c.grayNormals2)),
    });
    expect([lr.width, lr.height]).toEqual([c.width, c.height]);
    const ref = c.out.map((v: number) => Math.round(v * 255));
    // 8-bit output: a float32 rounding difference can only flip a value sitting on a .5 boundary by one level.
    expect(maxDiff(lr.data, ref)).toBeLessThanOrEqual(1);
    expect(lr.data.filter((v, i) => v !== ref[i]).length).toBeLessThanOrEqual(2);
  });
});

describe('Real-ESRGAN degradation statistics', () => {
  it('Poisson samples have mean = variance = λ over the PTRS and Knuth ranges', () => {
    const rng = Rng.fromSeed(5);
    for (const lambda of [0.7, 4, 25, 180]) {
      const xs = Array.from({ length: 6000 }, () => poissonSample(lambda, rng));
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
      expect(Math.abs(mean - lambda) / Math.sqrt(lambda / xs.length)).toBeLessThan(4);
      expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.1);
    }
  });
  it('Poisson noise: zero mean, variance img/vals·scale², gray noise equal across channels', () => {
    // 128 gray levels 40..167 → vals = 128: noise variance at level v is (v/255)/128 · scale²; far enough from 0 and 1 not to clip.
    const w = 128;
    const h = 48;
    const data = new Float32Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.fill((40 + (i % w)) / 255, i * 3, i * 3 + 3);
    const img = { width: w, height: h, data };
    const scale = 1;
    const out = addPoissonNoise(img, scale, false, Rng.fromSeed(1));
    let sum = 0;
    let sq = 0;
    let expected = 0;
    for (let i = 0; i < data.length; i++) {
      const n = out.data[i] - data[i];
      sum += n;
      sq += n * n;
      expected += (data[i] / 128) * scale * scale;
    }
    expect(Math.abs(sum / data.length)).toBeLessThan(1e-3);
    expect(sq / expected).toBeGreaterThan(0.95);
    expect(sq / expected).toBeLessThan(1.05);
    const gray = addPoissonNoise(img, scale, true, Rng.fromSeed(1));
    for (let p = 0; p < w * h; p++) expect(gray.data[p * 3]).toBe(gray.data[p * 3 + 2]);
  });
  it('JPEG through libjpeg at the drawn quality: PSNR vs the input rises with quality like DiffJPEG', async () => {
    const jpeg = jpegCodec();
    const u8 = toImageU8(image);
    const at = async (q: number) => psnr(toImageU8(await jpeg(image, q)), u8, { cropBorder: 0, yChannel: false });
    const [p30, p60, p95] = [await at(30), await at(60), await at(95)];
    expect(p30).toBeGreaterThan(20);
    expect(p60).toBeGreaterThan(p30);
    expect(p95).toBeGreaterThan(p60 + 1);
  });
  it('draws follow the configured probabilities and ranges, and are reproducible', () => {
    const c = defaults();
    expect(c.kernel_prob).toEqual([0.45, 0.25, 0.12, 0.03, 0.12, 0.03]);
    const rng = Rng.fromSeed(3);
    const draws = Array.from({ length: 3000 }, () => drawRealEsrgan(rng, c));
    const share = (f: (d: RealEsrganDraw) => boolean) => draws.filter(f).length / draws.length;
    expect(share((d) => 'sinc' in d.kernel1)).toBeCloseTo(0.1, 1);
    expect(share((d) => d.finalSinc !== undefined)).toBeCloseTo(0.8, 1);
    expect(share((d) => d.secondBlur)).toBeCloseTo(0.8, 1);
    expect(share((d) => d.first.resize.factor < 1)).toBeCloseTo(0.7, 1);
    expect(share((d) => d.first.noise.kind === 'gaussian')).toBeCloseTo(0.5, 1);
    expect(share((d) => d.first.noise.gray)).toBeCloseTo(0.4, 1);
    expect(share((d) => 'blur' in d.kernel1 && d.kernel1.blur.kind === 'iso') / 0.9).toBeCloseTo(0.45, 1);
    for (const d of draws) {
      expect(d.first.resize.factor).toBeGreaterThanOrEqual(0.15);
      expect(d.first.resize.factor).toBeLessThanOrEqual(1.5);
      expect(d.first.jpegQuality).toBeGreaterThanOrEqual(30);
      expect(d.first.jpegQuality).toBeLessThanOrEqual(95);
      if ('blur' in d.kernel1) expect(d.kernel1.blur.sigmaX).toBeLessThanOrEqual(3);
      if (d.first.noise.kind === 'gaussian') expect(d.first.noise.amount).toBeLessThanOrEqual(30);
    }
    expect(drawRealEsrgan(Rng.fromSeed(3), c)).toEqual(draws[0]);
  });
  it('a random chain on a 32² HR patch gives the 8² LR at x4, deterministic for a draw', async () => {
    const c = defaults();
    const hr: RgbF = { width: 32, height: 32, data: image.data.slice(0, 32 * 32 * 3).map((_, i) => image.data[i % image.data.length]) };
    const jpeg = jpegCodec();
    for (let s = 0; s < 6; s++) {
      const draw = drawRealEsrgan(Rng.fromSeed(s), c);
      const a = await applyRealEsrgan(hr, draw, { scale: 4, jpeg });
      expect([a.width, a.height]).toEqual([8, 8]);
      expect(await applyRealEsrgan(hr, draw, { scale: 4, jpeg })).toEqual(a);
    }
  });
});

describe('Real-ESRGAN batches', () => {
  it('make the LR from the HR patch, reproducibly per batch index, unlike the bicubic LR', async () => {
    const c = realConfig();
    const pairs = await openTrainingSet(c.data, { scale: 4, seed: 0 });
    const a = await new BatchSource(pairs, c.data, 4, 1).batch(2);
    expect(await new BatchSource(pairs, c.data, 4, 1).batch(2)).toEqual(a);
    expect([a.lr.length, a.hr.length]).toEqual([8 * 8 * 3, 32 * 32 * 3]);
    const plainData = { ...c.data, degradation: undefined };
    const plain = await new BatchSource(await openTrainingSet(plainData, { scale: 4, seed: 0 }), plainData, 4, 1).batch(2);
    expect(plain.hr).toEqual(a.hr);
    expect(plain.lr).not.toEqual(a.lr);
  });
  it('cannot be combined with the LR-only degradations', () => {
    const cfg = { ...realConfig() } as Record<string, unknown>;
    const data = { ...(cfg.data as object), degradations: { noise: { prob: 1, sigmaMax: 3 } } };
    expect(() => parseConfig({ ...cfg, data })).toThrow(/replaces data.degradations/);
  });
});
