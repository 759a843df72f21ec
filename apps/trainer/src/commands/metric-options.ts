import type { Argv } from 'yargs';
import type { MetricOptions } from '@sr/metrics';
import { CliError } from '../cli-error.ts';

/** The comparison flags shared by `sr metrics`, `sr bicubic` and other evaluating commands. */
export function withMetricOptions<T>(y: Argv<T>) {
  return y
    .option('y-channel', { type: 'boolean', default: false, describe: 'compare the BT.601 Y channel (MATLAB rgb2ycbcr) instead of RGB' })
    .option('round-y', { type: 'boolean', default: false, describe: 'round Y to integers first (MATLAB rgb2ycbcr on uint8); implies --y-channel' })
    .option('crop', { type: 'number', default: 0, describe: 'pixels removed from every edge before comparing' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' });
}

export interface MetricFlags {
  'y-channel': boolean;
  'round-y': boolean;
  crop: number;
  json: boolean;
}

export function metricOptionsFrom(argv: MetricFlags): MetricOptions {
  if (!Number.isInteger(argv.crop) || argv.crop < 0) throw new CliError(`--crop must be a non-negative integer, got ${argv.crop}`);
  return { yChannel: argv['y-channel'] || argv['round-y'], roundY: argv['round-y'], cropBorder: argv.crop };
}

export function parseScale(scale: number): number {
  if (!Number.isInteger(scale) || scale < 1) throw new CliError(`--scale must be a positive integer, got ${scale}`);
  return scale;
}

/** PSNR for people: "inf" for identical images. In JSON, identical images give `null` (JSON has no Infinity). */
export function formatScores(s: { psnr: number; ssim: number; lpips?: number }): string {
  const p = Number.isFinite(s.psnr) ? `${s.psnr.toFixed(4)} dB` : 'inf';
  return `PSNR ${p}  SSIM ${s.ssim.toFixed(6)}${s.lpips !== undefined ? `  LPIPS ${s.lpips.toFixed(6)}` : ''}`;
}
