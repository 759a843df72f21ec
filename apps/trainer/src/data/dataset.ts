import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { downscaleBicubic, makeSrPair, modCrop, type ImageU8 } from '@sr/metrics';
import { CliError } from '../cli-error.ts';
import type { ImageSourceConfig } from '../config/schema.ts';
import { listImages } from '../io/image-folder.ts';
import { readImageRgb, writeImage } from '../io/image-io.ts';
import { syntheticImage } from './synthetic.ts';

/** One training/validation image: the mod-cropped HR and its MATLAB-bicubic LR, both decoded once and kept in memory. */
export interface ImagePair {
  name: string;
  hr: ImageU8;
  lr: ImageU8;
}

export interface LoadOptions {
  scale: number;
  seed: number;
  onBadImage: 'skip' | 'fatal';
  /** Smallest acceptable LR side (the training patch); smaller images are bad images. */
  minLrSide?: number;
  lrCacheDir?: string;
  warn?: (message: string) => void;
}

/** The LR of an HR file, from the on-disk cache when present (keyed by path, size, mtime and scale). */
async function cachedLr(path: string, hr: ImageU8, scale: number, cacheDir: string | undefined): Promise<ImageU8> {
  if (!cacheDir) return downscaleBicubic(hr, scale);
  const st = statSync(path);
  const key = createHash('sha1').update(`${path}\0${st.size}\0${st.mtimeMs}\0x${scale}`).digest('hex').slice(0, 20);
  const file = join(cacheDir, `${key}.png`);
  try {
    const lr = await readImageRgb(file);
    if (lr.width === Math.floor(hr.width / scale) && lr.height === Math.floor(hr.height / scale)) return lr;
  } catch {
    // not cached yet
  }
  const lr = downscaleBicubic(hr, scale);
  mkdirSync(cacheDir, { recursive: true });
  await writeImage(file, lr);
  return lr;
}

/** Loads an image source (a folder or synthetic images) into HR/LR pairs; bad images are fatal or skipped with a warning. */
export async function loadPairs(source: ImageSourceConfig, opts: LoadOptions): Promise<ImagePair[]> {
  const pairs: ImagePair[] = [];
  const bad = (name: string, why: string) => {
    const message = `bad image ${name}: ${why}`;
    if (opts.onBadImage === 'fatal') throw new CliError(`${message} (set data.onBadImage to "skip" to skip it)`);
    opts.warn?.(`${message}; skipped`);
  };
  const accept = (name: string, hr: ImageU8, lr: ImageU8) => {
    const min = opts.minLrSide ?? 1;
    if (lr.width < min || lr.height < min) bad(name, `LR ${lr.width}x${lr.height} is smaller than the ${min}px patch`);
    else pairs.push({ name, hr, lr });
  };
  if (source.synthetic) {
    const { count, width, height } = source.synthetic;
    for (let i = 0; i < Math.min(count, source.maxImages ?? count); i++) {
      const pair = makeSrPair(syntheticImage(opts.seed, i, width, height), opts.scale);
      accept(`synthetic-${i}`, pair.hr, pair.lr);
    }
    return pairs;
  }
  const files = (await listImages(source.hr!)).slice(0, source.maxImages).map((n) => join(source.hr!, n));
  for (const file of files) {
    let hr: ImageU8;
    try {
      hr = await readImageRgb(file);
      if (hr.width < opts.scale || hr.height < opts.scale) throw new Error(`${hr.width}x${hr.height} is smaller than the scale`);
    } catch (err) {
      bad(file, (err as Error).message.split('\n')[0]);
      continue;
    }
    const croppedHr = modCrop(hr, opts.scale);
    accept(file, croppedHr, await cachedLr(file, croppedHr, opts.scale, opts.lrCacheDir));
  }
  if (pairs.length === 0) throw new CliError(`no usable images in ${source.hr}`);
  return pairs;
}
