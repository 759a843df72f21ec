import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { basename, join } from 'node:path';
import { downscaleBicubic, imresize, modCrop, toU8, type ImageU8 } from '@sr/metrics';
import { CliError } from '../cli-error.ts';
import { trainSources, type DataConfig, type ImageSourceConfig, type TrainSourceConfig } from '../config/schema.ts';
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

/** A source's HR pre-resize (MATLAB bicubic by `factor`, rounded to 8 bits); the image itself when there is none. */
export function preResize(img: ImageU8, factor: number | undefined): ImageU8 {
  return factor === undefined || factor === 1 ? img : toU8(imresize(img, factor));
}

/** The side of an image after `preResize` (MATLAB's output size: ceil of side × factor). */
function resizedSide(side: number, factor: number | undefined): number {
  return factor === undefined || factor === 1 ? side : Math.ceil(side * factor);
}

/**
 * The LR of an HR file, from the on-disk cache when present (keyed by path, size, mtime, scale and the HR's pre-resize
 * factor; files without a pre-resize keep the keys they always had).
 */
async function cachedLr(path: string, hr: ImageU8, scale: number, cacheDir: string | undefined, downscale?: number): Promise<ImageU8> {
  if (!cacheDir) return downscaleBicubic(hr, scale);
  const st = statSync(path);
  const resized = downscale === undefined || downscale === 1 ? '' : `\0d${downscale}`;
  const key = createHash('sha1').update(`${path}\0${st.size}\0${st.mtimeMs}\0x${scale}${resized}`).digest('hex').slice(0, 20);
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
      const hr = modCrop(syntheticImage(opts.seed, i, width, height), opts.scale);
      pairs.push({ name: `synthetic-${i}`, hr, lr: downscaleBicubic(hr, opts.scale) });
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
 * evicted. Decoding is deterministic, so the batches are the same whatever the cache size. The images of all sources
 * are numbered consecutively, source after source (`sources` gives each one's range and sampling weight).
 */
export interface TrainingSet {
  readonly size: number;
  readonly sources: readonly SourceRange[];
  readonly cache: ByteLru<TrainImage>;
  get(index: number): Promise<TrainImage>;
}

/** The images [start, start + size) of a training set come from one source, drawn with probability weight / Σ weights. */
export interface SourceRange {
  name: string;
  start: number;
  size: number;
  weight: number;
}

/** A training image: the mod-cropped (pre-resized) HR and, when the bicubic LR is the input, its LR. */
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
async function usableFiles(source: TrainSourceConfig, data: DataConfig, scale: number, warn: ((m: string) => void) | undefined): Promise<string[]> {
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
    const [w, h] = [resizedSide(meta.width ?? 0, source.downscale), resizedSide(meta.height ?? 0, source.downscale)];
    const side = Math.floor(Math.min(w, h) / scale);
    const size = source.downscale ? `${meta.width}x${meta.height} (${w}x${h} after downscale ${source.downscale})` : `${meta.width}x${meta.height}`;
    if (side < data.lrPatch) bad(file, `${size} gives an LR side ${side} smaller than the ${data.lrPatch}px patch`);
    else usable.push(file);
  }
  if (usable.length === 0) throw new CliError(`no usable images in ${source.hr}`);
  return usable;
}

interface OpenedSource {
  size: number;
  load: (i: number) => Promise<TrainImage>;
}

async function openSource(source: TrainSourceConfig, data: DataConfig, opts: TrainingSetOptions): Promise<OpenedSource> {
  const withLr = !data.degradation;
  const { scale } = opts;
  const synthetic = source.synthetic;
  if (synthetic) {
    const [w, h] = [resizedSide(synthetic.width, source.downscale), resizedSide(synthetic.height, source.downscale)];
    if (Math.floor(Math.min(w, h) / scale) < data.lrPatch) throw new CliError(`synthetic ${w}x${h} images are smaller than the ${data.lrPatch}px LR patch at x${scale}`);
    return {
      size: Math.min(synthetic.count, source.maxImages ?? synthetic.count),
      load: async (i) => {
        const hr = modCrop(preResize(syntheticImage(opts.seed, i, synthetic.width, synthetic.height), source.downscale), scale);
        return { name: `synthetic-${i}`, hr, lr: withLr ? downscaleBicubic(hr, scale) : undefined };
      },
    };
  }
  const files = await usableFiles(source, data, scale, opts.warn);
  return {
    size: files.length,
    load: async (i) => {
      const hr = modCrop(preResize(await readImageRgb(files[i]), source.downscale), scale);
      return { name: files[i], hr, lr: withLr ? await cachedLr(files[i], hr, scale, data.lrCacheDir, source.downscale) : undefined };
    },
  };
}

/** A source's name in logs: its folder, or "synthetic". */
function sourceName(source: ImageSourceConfig): string {
  return source.hr ?? 'synthetic';
}

/** "folder: N images, p = 0.50; …" of a multi-source training set. */
export function formatSources(sources: readonly SourceRange[]): string {
  const total = sources.reduce((s, r) => s + r.weight, 0);
  return sources.map((r) => `${basename(r.name)} ${r.size}, p=${(r.weight / total).toFixed(2)}`).join('; ');
}

export async function openTrainingSet(data: DataConfig, opts: TrainingSetOptions): Promise<TrainingSet> {
  const configs = trainSources(data);
  const opened: OpenedSource[] = [];
  for (const source of configs) opened.push(await openSource(source, data, opts));
  // libvips' operation cache (50 MB by default) would keep decoded images beyond data.cacheMB; nothing is decoded twice on purpose.
  if (configs.some((s) => s.hr)) sharp.cache(false);
  const sources: SourceRange[] = [];
  let size = 0;
  for (const [i, o] of opened.entries()) {
    sources.push({ name: sourceName(configs[i]), start: size, size: o.size, weight: configs[i].weight ?? o.size });
    size += o.size;
  }
  const load = (index: number) => {
    const r = sources.findLast((s) => s.start <= index)!;
    return opened[sources.indexOf(r)].load(index - r.start);
  };
  const cache = new ByteLru<TrainImage>(data.cacheMB * 2 ** 20, (img) => img.hr.data.length + (img.lr?.data.length ?? 0), load);
  return { size, sources, cache, get: (i) => cache.get(i) };
}
