import type { Image } from './image.ts';
import { preparePair, type MetricOptions } from './prepare.ts';
import { psnrRows } from './psnr.ts';
import { ssimRows } from './ssim.ts';

export interface Scores {
  psnr: number;
  ssim: number;
}

/** PSNR and SSIM of one pair with the same options, validating them once; memory: a few rows, not the images. */
export function compare(a: Image, b: Image, opts: MetricOptions = {}): Scores {
  const [pa, pb] = preparePair(a, b, opts);
  return { psnr: psnrRows(pa, pb), ssim: ssimRows(pa, pb) };
}

/** Arithmetic means over images (PSNR is averaged in dB, as BasicSR and the SR papers do). */
export function meanScores(rows: readonly Scores[]): Scores {
  if (rows.length === 0) throw new RangeError('no scores to average');
  let psnr = 0;
  let ssim = 0;
  for (const r of rows) {
    psnr += r.psnr;
    ssim += r.ssim;
  }
  return { psnr: psnr / rows.length, ssim: ssim / rows.length };
}
