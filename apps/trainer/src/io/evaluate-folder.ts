import { join } from 'node:path';
import { compare, ImageShapeError, makeSrPair, meanScores, type ImageU8, type MetricOptions, type Scores } from '@sr/metrics';
import { CliError } from '../cli-error.ts';
import { listImages, lrPathFor } from './image-folder.ts';
import { readImageRgb } from './image-io.ts';
import type { LpipsMetric } from './lpips-metric.ts';

export interface FolderEvalOptions {
  hrDir: string;
  /** Folder with `<stem>x<scale>.png` LR images; without it each LR is made from the HR with MATLAB bicubic. */
  lrDir?: string;
  scale: number;
  metrics: MetricOptions;
  /** The method under test: LR in, image of exactly the mod-cropped HR size out. */
  upscale: (lr: ImageU8, name: string) => ImageU8 | Promise<ImageU8>;
  /** Also LPIPS (RGB, on the same border crop). */
  lpips?: LpipsMetric;
  /** Called after each image, e.g. for progress output. */
  onImage?: (row: ImageScores) => void;
}

export interface ImageScores extends Scores {
  name: string;
  /** HR size after mod-crop. */
  width: number;
  height: number;
  lpips?: number;
}

export interface FolderReport extends Scores {
  lpips?: number;
  images: number;
  perImage: ImageScores[];
}

/** For every HR image: mod-crop, LR (given or bicubic-made), upscale with the method under test, compare with the HR. */
export async function evaluateFolder(opts: FolderEvalOptions): Promise<FolderReport> {
  const names = await listImages(opts.hrDir);
  const perImage: ImageScores[] = [];
  for (const name of names) {
    const hrRaw = await readImageRgb(join(opts.hrDir, name));
    const lrRaw = opts.lrDir ? await readImageRgb(lrPathFor(opts.lrDir, name, opts.scale)) : undefined;
    try {
      const { hr, lr } = makeSrPair(hrRaw, opts.scale, lrRaw);
      const sr = await opts.upscale(lr, name);
      const row: ImageScores = { name, width: hr.width, height: hr.height, ...compare(sr, hr, opts.metrics) };
      if (opts.lpips) row.lpips = await opts.lpips.distance(sr, hr, opts.metrics.cropBorder ?? 0);
      perImage.push(row);
      opts.onImage?.(row);
    } catch (err) {
      if (err instanceof ImageShapeError || err instanceof RangeError) throw new CliError(`${name}: ${err.message}`);
      throw err;
    }
  }
  const lpips = opts.lpips && perImage.length ? { lpips: perImage.reduce((s, r) => s + r.lpips!, 0) / perImage.length } : {};
  return { ...meanScores(perImage), ...lpips, images: perImage.length, perImage };
}
