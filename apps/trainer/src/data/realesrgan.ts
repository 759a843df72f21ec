import type { ImageU8 } from '@sr/metrics';
import type { RealEsrganConfig } from '../config/schema.ts';
import { clamp01, toImageU8, type RgbF } from './float-image.ts';
import { filter2D } from './filter2d.ts';
import { blurKernel, sincKernel, type Kernel, type KernelKind, type KernelParams } from './kernels.ts';
import { addGaussianNoise, addPoissonNoise } from './noise.ts';
import { RESIZE_MODES, resizeByFactor, resizeTo, type ResizeMode } from './resize-torch.ts';
import { Rng } from './rng.ts';

/**
 * Real-ESRGAN's second-order degradation (realesrgan_dataset.py kernels + realesrgan_model.py feed_data) for one HR
 * patch. Every random choice is drawn up front into a plain `RealEsrganDraw` (from the batch RNG, so a run and its
 * resume see the same draws), then `applyRealEsrgan` is deterministic given the draw.
 */

export type KernelDraw = { sinc: { omega: number; size: number } } | { blur: KernelParams };

export interface NoiseDraw {
  kind: 'gaussian' | 'poisson';
  /** sigma (0..255 scale) for gaussian, the scale for poisson. */
  amount: number;
  gray: boolean;
  seed: number;
}

export interface OrderDraw {
  resize: { factor: number; mode: ResizeMode };
  noise: NoiseDraw;
  jpegQuality: number;
}

export interface RealEsrganDraw {
  kernel1: KernelDraw;
  kernel2: KernelDraw;
  finalSinc?: { omega: number; size: number };
  first: OrderDraw;
  secondBlur: boolean;
  second: OrderDraw;
  finalResizeMode: ResizeMode;
  /** Resize back + sinc, then JPEG (true), or JPEG first (false): Real-ESRGAN picks each with probability 1/2. */
  sincFirst: boolean;
}

const uniform = (rng: Rng, [lo, hi]: readonly [number, number]) => lo + (hi - lo) * rng.next();
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.min(items.length - 1, Math.floor(rng.next() * items.length))];

/** `random.choices(items, weights)[0]`. */
function weighted<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((s, w) => s + w, 0);
  let u = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    u -= weights[i];
    if (u < 0) return items[i];
  }
  return items[items.length - 1];
}

/** BasicSR's beta draw for generalized / plateau kernels: U(lo, 1) or U(1, hi), each half the time. */
const drawBeta = (rng: Rng, [lo, hi]: readonly [number, number]) => (rng.next() < 0.5 ? uniform(rng, [lo, 1]) : uniform(rng, [1, hi]));

interface KernelOptions {
  size: number;
  list: readonly KernelKind[];
  prob: readonly number[];
  sincProb: number;
  sigma: readonly [number, number];
  betag: readonly [number, number];
  betap: readonly [number, number];
}

/** Odd sizes 7..size, Real-ESRGAN's kernel_range `[2 * v + 1 for v in range(3, 11)]` for size 21. */
const kernelSizes = (max: number) => Array.from({ length: (max - 7) / 2 + 1 }, (_, i) => 7 + 2 * i);

/** realesrgan_dataset.py's first/second kernel: a sinc with sinc_prob, else random_mixed_kernels. */
function drawKernel(rng: Rng, o: KernelOptions): KernelDraw {
  const size = pick(rng, kernelSizes(o.size));
  if (rng.next() < o.sincProb) return { sinc: { size, omega: uniform(rng, size < 13 ? [Math.PI / 3, Math.PI] : [Math.PI / 5, Math.PI]) } };
  const kind = weighted(rng, o.list, o.prob);
  const sigmaX = uniform(rng, o.sigma);
  const aniso = kind.endsWith('aniso');
  const sigmaY = aniso ? uniform(rng, o.sigma) : sigmaX;
  const theta = aniso ? uniform(rng, [-Math.PI, Math.PI]) : 0;
  const beta = kind.startsWith('generalized') ? drawBeta(rng, o.betag) : kind.startsWith('plateau') ? drawBeta(rng, o.betap) : 1;
  return { blur: { kind, size, sigmaX, sigmaY, theta, beta } };
}

function drawOrder(
  rng: Rng,
  resizeProb: readonly number[],
  resizeRange: readonly [number, number],
  gaussianProb: number,
  noiseRange: readonly [number, number],
  poissonRange: readonly [number, number],
  grayProb: number,
  jpegRange: readonly [number, number],
): OrderDraw {
  const updown = weighted(rng, ['up', 'down', 'keep'] as const, resizeProb);
  const factor = updown === 'up' ? uniform(rng, [1, resizeRange[1]]) : updown === 'down' ? uniform(rng, [resizeRange[0], 1]) : 1;
  const mode = pick(rng, RESIZE_MODES);
  const gaussian = rng.next() < gaussianProb;
  const amount = gaussian ? uniform(rng, noiseRange) : uniform(rng, poissonRange);
  const gray = rng.next() < grayProb;
  const noise: NoiseDraw = { kind: gaussian ? 'gaussian' : 'poisson', amount, gray, seed: rng.nextU32() };
  return { resize: { factor, mode }, noise, jpegQuality: uniform(rng, jpegRange) };
}

export function drawRealEsrgan(rng: Rng, c: RealEsrganConfig): RealEsrganDraw {
  const kernel1 = drawKernel(rng, { size: c.blur_kernel_size, list: c.kernel_list, prob: c.kernel_prob, sincProb: c.sinc_prob, sigma: c.blur_sigma, betag: c.betag_range, betap: c.betap_range });
  const kernel2 = drawKernel(rng, { size: c.blur_kernel_size2, list: c.kernel_list2, prob: c.kernel_prob2, sincProb: c.sinc_prob2, sigma: c.blur_sigma2, betag: c.betag_range2, betap: c.betap_range2 });
  const finalSinc = rng.next() < c.final_sinc_prob ? { size: pick(rng, kernelSizes(c.blur_kernel_size)), omega: uniform(rng, [Math.PI / 3, Math.PI]) } : undefined;
  const first = drawOrder(rng, c.resize_prob, c.resize_range, c.gaussian_noise_prob, c.noise_range, c.poisson_scale_range, c.gray_noise_prob, c.jpeg_range);
  const secondBlur = rng.next() < c.second_blur_prob;
  const second = drawOrder(rng, c.resize_prob2, c.resize_range2, c.gaussian_noise_prob2, c.noise_range2, c.poisson_scale_range2, c.gray_noise_prob2, c.jpeg_range2);
  return { kernel1, kernel2, finalSinc, first, secondBlur, second, finalResizeMode: pick(rng, RESIZE_MODES), sincFirst: rng.next() < 0.5 };
}

/** The kernel of a draw, unpadded: Real-ESRGAN's zero padding to 21 changes no output value. */
export function kernelOf(d: KernelDraw): Kernel {
  return 'sinc' in d ? sincKernel(d.sinc.omega, d.sinc.size) : blurKernel(d.blur);
}

/** The noise of one order; gaussian draws are made from the draw's seed (gray: one normal per pixel, else three). */
export function applyNoise(img: RgbF, n: NoiseDraw): RgbF {
  const rng = Rng.fromSeed(n.seed);
  if (n.kind === 'poisson') return addPoissonNoise(img, n.amount, n.gray, rng);
  const normals = rng.fillNormal(new Float32Array(n.gray ? img.width * img.height : img.data.length));
  return addGaussianNoise(img, n.amount, n.gray, normals, normals);
}

/** JPEG at a (fractional) quality on an image in [0, 1]; the default is libjpeg through sharp (see degrade.ts). */
export type JpegCodec = (img: RgbF, quality: number) => Promise<RgbF>;

export interface ApplyOptions {
  scale: number;
  jpeg: JpegCodec;
  /** Overrides the seeded noise (fixed-draw tests feed the reference's own normals). */
  noise?: (img: RgbF, n: NoiseDraw, order: 1 | 2) => RgbF;
}

/** feed_data's chain on one HR patch (float [0, 1]); returns the LR of size HR/scale quantized to 8 bits. */
export async function applyRealEsrgan(hr: RgbF, d: RealEsrganDraw, o: ApplyOptions): Promise<ImageU8> {
  const noise = o.noise ?? applyNoise;
  const lrW = Math.floor(hr.width / o.scale);
  const lrH = Math.floor(hr.height / o.scale);
  let out = filter2D(hr, kernelOf(d.kernel1));
  out = resizeByFactor(out, d.first.resize.factor, d.first.resize.mode);
  out = noise(out, d.first.noise, 1);
  out = await o.jpeg(clamp01(out), d.first.jpegQuality);
  if (d.secondBlur) out = filter2D(out, kernelOf(d.kernel2));
  const f2 = d.second.resize.factor;
  out = resizeTo(out, Math.max(1, Math.trunc((hr.width / o.scale) * f2)), Math.max(1, Math.trunc((hr.height / o.scale) * f2)), d.second.resize.mode);
  out = noise(out, d.second.noise, 2);
  // Without a final sinc Real-ESRGAN filters with a pulse, the identity, which is skipped here.
  const sinc = d.finalSinc && sincKernel(d.finalSinc.omega, d.finalSinc.size);
  const backAndSinc = (img: RgbF) => {
    const back = resizeTo(img, lrW, lrH, d.finalResizeMode);
    return sinc ? filter2D(back, sinc) : back;
  };
  if (d.sincFirst) out = await o.jpeg(clamp01(backAndSinc(out)), d.second.jpegQuality);
  else out = backAndSinc(await o.jpeg(clamp01(out), d.second.jpegQuality));
  return toImageU8(out);
}
