/** Quality (PSNR/SSIM against the HR) and whole-image throughput of one super-resolution method. */
import { compare, meanScores, type ImageU8, type MetricOptions } from '@sr/metrics';
import type { EvalImage } from './dataset.ts';

/** What is measured: an 8-bit LR image in, the 8-bit SR image (exactly scale x the LR) out. */
export type UpscaleFn = (lr: ImageU8) => Promise<ImageU8>;

export interface ImageQuality {
  name: string;
  psnr: number;
  ssim: number;
  seconds: number;
}

export interface QualityResult {
  psnr: number;
  ssim: number;
  images: number;
  perImage: ImageQuality[];
}

export async function measureQuality(
  upscale: UpscaleFn,
  images: readonly EvalImage[],
  metrics: MetricOptions,
  onImage?: (row: ImageQuality, index: number) => void,
): Promise<QualityResult> {
  const perImage: ImageQuality[] = [];
  for (const [i, img] of images.entries()) {
    const t0 = performance.now();
    const sr = await upscale(img.lr);
    const seconds = (performance.now() - t0) / 1000;
    if (sr.width !== img.hr.width || sr.height !== img.hr.height) {
      throw new Error(`${img.name}: SR is ${sr.width}x${sr.height}, the HR is ${img.hr.width}x${img.hr.height}`);
    }
    const row = { name: img.name, ...compare(sr, img.hr, metrics), seconds };
    perImage.push(row);
    onImage?.(row, i);
  }
  return { ...meanScores(perImage), images: perImage.length, perImage };
}

/**
 * A deterministic RGB test image (uniform noise from a fixed LCG). Convolution speed does not depend on the pixel
 * values, so this stands in for real content of any size.
 */
export function noiseImage(width: number, height: number, seed = 1): ImageU8 {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, channels: 3, data };
}

export interface ThroughputOptions {
  /** Keep timing runs until this much time has been spent (at least one run). */
  minSeconds: number;
  /** Never more than this many timed runs. */
  maxRuns: number;
}

export interface ThroughputResult {
  /** LR side: a size x size input. */
  lrSize: number;
  /** LR megapixels per second, from the median run (wall clock). */
  lrMegapixelsPerSecond: number;
  medianSeconds: number;
  /**
   * The same from the process's CPU time (user + system) of the median run: with one compute thread this is what the
   * wall-clock figure would be on an idle machine. Null when no CPU time was measurable.
   */
  lrMegapixelsPerCpuSecond: number | null;
  medianCpuSeconds: number;
  runs: number;
  warmupSeconds: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Whole-image speed on a size x size LR input: one untimed warm-up run, then timed runs. */
export async function measureThroughput(upscale: UpscaleFn, lrSize: number, opts: ThroughputOptions): Promise<ThroughputResult> {
  if (!Number.isInteger(lrSize) || lrSize < 1) throw new RangeError(`LR size must be a positive integer, got ${lrSize}`);
  if (!Number.isInteger(opts.maxRuns) || opts.maxRuns < 1) throw new RangeError(`maxRuns must be a positive integer, got ${opts.maxRuns}`);
  const input = noiseImage(lrSize, lrSize);
  let t0 = performance.now();
  await upscale(input);
  const warmupSeconds = (performance.now() - t0) / 1000;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let spent = 0;
  while (times.length < opts.maxRuns && (times.length === 0 || spent < opts.minSeconds)) {
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    await upscale(input);
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    times.push(s);
    cpuTimes.push((cpu.user + cpu.system) / 1e6);
    spent += s;
  }
  const megapixels = (lrSize * lrSize) / 1e6;
  const medianSeconds = median(times);
  const medianCpuSeconds = median(cpuTimes);
  return {
    lrSize,
    lrMegapixelsPerSecond: megapixels / medianSeconds,
    medianSeconds,
    lrMegapixelsPerCpuSecond: medianCpuSeconds > 0 ? megapixels / medianCpuSeconds : null,
    medianCpuSeconds,
    runs: times.length,
    warmupSeconds,
  };
}
