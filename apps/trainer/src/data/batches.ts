import type { ImageU8 } from '@sr/metrics';
import type { DataConfig } from '../config/schema.ts';
import { applyDihedral, randomDihedral } from './augment.ts';
import { randomAlignedCrop, randomHrCrop } from './crop.ts';
import type { SourceRange, TrainImage, TrainingSet } from './dataset.ts';
import { addGaussianNoise, drawDegradation, jpegCodec, jpegRoundTrip } from './degrade.ts';
import { toRgbF } from './float-image.ts';
import { applyRealEsrgan, drawRealEsrgan } from './realesrgan.ts';
import { Rng } from './rng.ts';

/** One training batch: float32 NHWC in [0, 1]. */
export interface Batch {
  index: number;
  size: number;
  lrPatch: number;
  hrPatch: number;
  lr: Float32Array;
  hr: Float32Array;
}

/** Where the data stream stands; with the image list and config it determines every future batch. */
export interface DataState {
  seed: number;
  nextBatch: number;
}

const EPOCH_STREAM = 0xe90c;
const BATCH_STREAM = 0xba7c;
const SOURCE_STREAM = 0x5ce;

function toUnitFloat(img: ImageU8, out: Float32Array, offset: number): void {
  const d = img.data;
  for (let i = 0; i < d.length; i++) out[offset + i] = d[i] / 255;
}

/**
 * The batch sequence of a run. Batch i depends only on (seed, i): with one source the image order is a per-epoch
 * permutation drawn from (seed, epoch); with several, sample k draws its source by weight and then an image of it
 * uniformly (with replacement), both from (seed, k). The crops/augmentations/degradations of batch i are drawn from
 * (seed, i). Resuming therefore needs only `nextBatch`, and the prefetch queue is simply rebuilt from there.
 */
export class BatchSource {
  private epochPerm: { epoch: number; perm: number[] } | undefined;
  private readonly jpeg = jpegCodec();

  constructor(
    private readonly set: TrainingSet,
    private readonly cfg: DataConfig,
    private readonly scale: number,
    private readonly seed: number,
  ) {
    if (set.size === 0) throw new RangeError('no training images');
  }

  private imageFor(sample: number): Promise<TrainImage> {
    if (this.set.sources.length > 1) return this.set.get(drawFromSources(this.set.sources, Rng.fromSeed(this.seed, SOURCE_STREAM, sample)));
    const n = this.set.size;
    const epoch = Math.floor(sample / n);
    if (this.epochPerm?.epoch !== epoch) this.epochPerm = { epoch, perm: Rng.fromSeed(this.seed, EPOCH_STREAM, epoch).permutation(n) };
    return this.set.get(this.epochPerm.perm[sample % n]);
  }

  async batch(index: number): Promise<Batch> {
    const { batchSize: size, lrPatch } = this.cfg;
    const hrPatch = lrPatch * this.scale;
    const rng = Rng.fromSeed(this.seed, BATCH_STREAM, index);
    const lr = new Float32Array(size * lrPatch * lrPatch * 3);
    const hr = new Float32Array(size * hrPatch * hrPatch * 3);
    const jobs: Promise<void>[] = [];
    for (let b = 0; b < size; b++) {
      const image = await this.imageFor(index * size + b);
      const real = this.cfg.degradation;
      if (real) {
        const hrCrop = applyDihedral(randomHrCrop(image.hr, lrPatch, this.scale, rng), randomDihedral(rng, this.cfg.flip, this.cfg.rot90));
        toUnitFloat(hrCrop, hr, b * hrPatch * hrPatch * 3);
        const draw = drawRealEsrgan(rng, real);
        jobs.push(applyRealEsrgan(toRgbF(hrCrop), draw, { scale: this.scale, jpeg: this.jpeg }).then((img) => toUnitFloat(img, lr, b * lrPatch * lrPatch * 3)));
        continue;
      }
      const crop = randomAlignedCrop(image.lr!, image.hr, lrPatch, this.scale, rng);
      const d = randomDihedral(rng, this.cfg.flip, this.cfg.rot90);
      toUnitFloat(applyDihedral(crop.hr, d), hr, b * hrPatch * hrPatch * 3);
      const draw = drawDegradation(rng, this.cfg.degradations);
      jobs.push(
        (async () => {
          let img = applyDihedral(crop.lr, d);
          if (draw.jpegQuality !== undefined) img = await jpegRoundTrip(img, draw.jpegQuality);
          if (draw.noiseSigma !== undefined) img = addGaussianNoise(img, draw.noiseSigma, Rng.fromSeed(draw.noiseSeed));
          toUnitFloat(img, lr, b * lrPatch * lrPatch * 3);
        })(),
      );
    }
    await Promise.all(jobs);
    return { index, size, lrPatch, hrPatch, lr, hr };
  }
}

/** An image index of a multi-source set: a source with probability weight / Σ weights, then one of its images uniformly. */
export function drawFromSources(sources: readonly SourceRange[], rng: Rng): number {
  const total = sources.reduce((s, r) => s + r.weight, 0);
  let u = rng.next() * total;
  const source = sources.find((r) => (u -= r.weight) < 0) ?? sources[sources.length - 1];
  return source.start + rng.int(0, source.size - 1);
}

/**
 * Keeps `depth` batches in preparation ahead of the consumer. Batches are produced strictly in index order, so the
 * stream is identical with or without prefetching.
 */
export class Prefetcher {
  private readonly queue = new Map<number, Promise<Batch>>();
  private next: number;

  constructor(
    private readonly source: BatchSource,
    start: number,
    private readonly depth: number,
  ) {
    this.next = start;
    this.fill();
  }

  private fill(): void {
    for (let i = this.next; i < this.next + this.depth; i++) {
      if (this.queue.has(i)) continue;
      const pending = this.source.batch(i);
      pending.catch(() => {}); // surfaced when taken; not an unhandled rejection while queued
      this.queue.set(i, pending);
    }
  }

  /** The next batch in order; the state to checkpoint after consuming it is `{ nextBatch: batch.index + 1 }`. */
  async take(): Promise<Batch> {
    const i = this.next;
    const pending = this.queue.get(i) ?? this.source.batch(i);
    this.queue.delete(i);
    this.next = i + 1;
    this.fill();
    return pending;
  }

  get nextIndex(): number {
    return this.next;
  }
}
