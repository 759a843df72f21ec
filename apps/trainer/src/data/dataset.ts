import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import { downscaleBicubic, makeSrPair, modCrop, type ImageU8 } from '@sr/metrics';
import { CliError } from '../cli-error.ts';
import type { DataConfig, ImageSourceConfig } from '../config/schema.ts';
import { ByteLru } from './image-cache.ts';
import { listImages } from '../io/image-folder.ts';
import { readImageRgb, writeImage } from '../io/image-io.ts';
import { syntheticImage } from './synthetic.ts';

/** One validation image (validation sets are held whole): the mod-cropped HR and its MATLAB-bicubic LR. */
export interface ImagePair {
  name: string;
  hr: ImageU8;
  lr: ImageU8;
}

export interface LoadOptions {
  scale: number;
  seed: number;
  onBadImage: 'skip' | 'fatal';
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

function badImageHandler(opts: Pick<LoadOptions, 'onBadImage' | 'warn'>): (name: string, why: string) => void {
  return (name, why) => {
    const message = `bad image ${name}: ${why}`;
    if (opts.onBadImage === 'fatal') throw new CliError(`${message} (set data.onBadImage to "skip" to skip it)`);
    opts.warn?.(`${message}; skipped`);
  };
}

/** Loads an image source (a folder or synthetic images) into HR/LR pairs; bad images are fatal or skipped with a warning. */
export async function loadPairs(source: ImageSourceConfig, opts: LoadOptions): Promise<ImagePair[]> {
  const pairs: ImagePair[] = [];
  const bad = badImageHandler(opts);
  if (source.synthetic) {
    const { count, width, height } = source.synthetic;
    for (let i = 0; i < Math.min(count, source.maxImages ?? count); i++) {
      const pair = makeSrPair(syntheticImage(opts.seed, i, width, height), opts.scale);
      pairs.push({ name: `synthetic-${i}`, hr: pair.hr, lr: pair.lr });
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
    pairs.push({ name: file, hr: croppedHr, lr: await cachedLr(file, croppedHr, opts.scale, opts.lrCacheDir) });
  }
  if (pairs.length === 0) throw new CliError(`no usable images in ${source.hr}`);
  return pairs;
}

/**
 * The training images, streamed: only names and sizes are kept up front; decoded images (HR, and the bicubic LR
 * unless `data.degradation` makes the LR) live in an LRU cache of `data.cacheMB` and are decoded again from disk when
 * evicted. Decoding is deterministic, so the batches are the same whatever the cache size.
 */
export interface TrainingSet {
  readonly size: number;
  readonly cache: ByteLru<TrainImage>;
  get(index: number): Promise<TrainImage>;
}

/** A training image: the mod-cropped HR and, when the bicubic LR is the input, its LR. */
export interface TrainImage {
  name: string;
  hr: ImageU8;
  lr?: ImageU8;
}

export interface TrainingSetOptions {
  scale: number;
  seed: number;
  warn?: (message: string) => void;
}

/** Checks every file's header (size only, no decode) so bad images are reported before training starts. */
async function usableFiles(data: DataConfig, scale: number, warn: ((m: string) => void) | undefined): Promise<string[]> {
  const source = data.train;
  const bad = badImageHandler({ onBadImage: data.onBadImage, warn });
  const files = (await listImages(source.hr!)).slice(0, source.maxImages).map((n) => join(source.hr!, n));
  const usable: string[] = [];
  for (const file of files) {
    let meta;
    try {
      meta = await sharp(file).metadata();
    } catch (err) {
      bad(file, (err as Error).message.split('\n')[0]);
      continue;
    }
    const side = Math.floor(Math.min(meta.width ?? 0, meta.height ?? 0) / scale);
    if (side < data.lrPatch) bad(file, `${meta.width}x${meta.height} gives an LR side ${side} smaller than the ${data.lrPatch}px patch`);
    else usable.push(file);
  }
  if (usable.length === 0) throw new CliError(`no usable images in ${source.hr}`);
  return usable;
}

export async function openTrainingSet(data: DataConfig, opts: TrainingSetOptions): Promise<TrainingSet> {
  const withLr = !data.degradation;
  const { scale } = opts;
  let size: number;
  let load: (i: number) => Promise<TrainImage>;
  const synthetic = data.train.synthetic;
  if (synthetic) {
    size = Math.min(synthetic.count, data.train.maxImages ?? synthetic.count);
    if (Math.floor(Math.min(synthetic.width, synthetic.height) / scale) < data.lrPatch) throw new CliError(`synthetic ${synthetic.width}x${synthetic.height} images are smaller than the ${data.lrPatch}px LR patch at x${scale}`);
    load = async (i) => {
      const pair = makeSrPair(syntheticImage(opts.seed, i, synthetic.width, synthetic.height), scale);
      return { name: `synthetic-${i}`, hr: pair.hr, lr: withLr ? pair.lr : undefined };
    };
  } else {
    const files = await usableFiles(data, scale, opts.warn);
    // libvips' operation cache (50 MB by default) would keep decoded images beyond data.cacheMB; nothing is decoded twice on purpose.
    sharp.cache(false);
    size = files.length;
    load = async (i) => {
      const hr = modCrop(await readImageRgb(files[i]), scale);
      return { name: files[i], hr, lr: withLr ? await cachedLr(files[i], hr, scale, data.lrCacheDir) : undefined };
    };
  }
  const cache = new ByteLru<TrainImage>(data.cacheMB * 2 ** 20, (img) => img.hr.data.length + (img.lr?.data.length ?? 0), load);
  return { size, cache, get: (i) => cache.get(i) };
}
