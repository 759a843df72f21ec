import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compare, cropImage, meanScores, upscaleBicubic, type ImageU8, type Scores } from '@sr/metrics';
import { isLumaGenerator, Upscaler, type Generator } from '@sr/model';
import type { ImagePair } from '../data/dataset.ts';
import { writeImage } from '../io/image-io.ts';
import type { LpipsMetric } from '../io/lpips-metric.ts';
import { networkView } from './network-view.ts';
import { readTree } from './readback.ts';

export interface ValidationOptions {
  scale: number;
  crop: number;
  yChannel: boolean;
  /** LR tile side for the tiling engine (0 = whole image). */
  tile: number;
  lpips?: LpipsMetric;
}

export interface ValidationResult {
  psnr: number;
  ssim: number;
  /** Mean LPIPS of G's outputs when a metric is configured. */
  lpips?: number;
  bicubic: Scores;
  /** Mean loss terms over the val images when `lossTerms` was given (see `Validator.run`). */
  losses?: Record<string, number>;
  perImage: (Scores & { name: string; lpips?: number })[];
  /** SR outputs of the first images, for sample strips. */
  outputs: ImageU8[];
}

/** Nearest-neighbour upscale (the "LR" panel of a strip, so every panel has the HR size). */
export function nearest(img: ImageU8, s: number): ImageU8 {
  const w = img.width * s;
  const out = new Uint8Array(w * img.height * s * img.channels);
  for (let y = 0; y < img.height * s; y++) {
    for (let x = 0; x < w; x++) {
      const src = (Math.floor(y / s) * img.width + Math.floor(x / s)) * img.channels;
      out.set(img.data.subarray(src, src + img.channels), (y * w + x) * img.channels);
    }
  }
  return { width: w, height: img.height * s, channels: img.channels, data: out };
}

/** Panels of equal height side by side with a 4 px white gap. */
export function hstack(panels: ImageU8[], gap = 4): ImageU8 {
  const h = panels[0].height;
  const c = panels[0].channels;
  const width = panels.reduce((s, p) => s + p.width, 0) + gap * (panels.length - 1);
  const data = new Uint8Array(width * h * c).fill(255);
  let x0 = 0;
  for (const p of panels) {
    for (let y = 0; y < h; y++) data.set(p.data.subarray(y * p.width * c, (y + 1) * p.width * c), (y * width + x0) * c);
    x0 += p.width + gap;
  }
  return { width, height: h, channels: c, data };
}

/** Weighted loss terms of an SR output against its HR image (both NHWC in [0, 1]). */
export type ValLossTerms = (sr: tf.Tensor4D, hr: tf.Tensor4D) => Record<string, tf.Scalar>;

/** An 8-bit RGB image as a [1, H, W, 3] tensor in [0, 1]. */
function imageTensor(img: ImageU8): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(img.data, (v) => v / 255), [1, img.height, img.width, 3]);
}

/** The centre crop of at most `size`² of a [1, H, W, C] tensor. */
export function centreCrop(x: tf.Tensor4D, size: number): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  const [ch, cw] = [Math.min(h, size), Math.min(w, size)];
  return tf.slice(x, [0, (h - ch) >> 1, (w - cw) >> 1, 0], [1, ch, cw, c]);
}

/** Adds `terms` into `sums` on the device (disposing `terms`). */
function accumulate(sums: Record<string, tf.Scalar>, terms: Record<string, tf.Scalar>): void {
  for (const [k, v] of Object.entries(terms)) {
    const next = sums[k] ? (tf.add(sums[k], v) as tf.Scalar) : v.clone();
    sums[k]?.dispose();
    v.dispose();
    sums[k] = next;
  }
}

/** Bicubic baselines are fixed for a val set: computed once per run. */
export class Validator {
  private readonly bicubic: ImageU8[];
  private readonly bicubicScores: Scores[];

  constructor(
    readonly pairs: readonly ImagePair[],
    readonly opts: ValidationOptions,
  ) {
    this.bicubic = pairs.map((p) => upscaleBicubic(p.lr, opts.scale));
    this.bicubicScores = pairs.map((p, i) => compare(this.bicubic[i], p.hr, this.metricOptions()));
  }

  private metricOptions() {
    return { yChannel: this.opts.yChannel, cropBorder: this.opts.crop };
  }

  /**
   * PSNR/SSIM of G and of bicubic on every val image (G's own tiling defaults); keeps the first `keep` outputs. With
   * `lossTerms`, also the mean losses over the val images, on the 8-bit outputs the metrics see (their luma for a luma
   * generator, as its training losses see it).
   */
  async run(g: Generator, keep: number, lossTerms?: ValLossTerms): Promise<ValidationResult> {
    const engine = Upscaler.forGenerator(g);
    const luma = isLumaGenerator(g);
    const perImage: ValidationResult['perImage'] = [];
    const outputs: ImageU8[] = [];
    const { lpips } = this.opts;
    const lossSums: Record<string, tf.Scalar> = {};
    for (const [i, pair] of this.pairs.entries()) {
      const sr = await engine.upscale(pair.lr, { tile: this.opts.tile });
      if (lossTerms) accumulate(lossSums, tf.tidy(() => lossTerms(networkView(imageTensor(sr), luma), networkView(imageTensor(pair.hr), luma))));
      const row = { name: pair.name, ...compare(sr, pair.hr, this.metricOptions()) };
      perImage.push(lpips ? { ...row, lpips: await lpips.distance(sr, pair.hr, this.opts.crop) } : row);
      if (i < keep) outputs.push(sr);
    }
    const meanLpips = lpips ? { lpips: perImage.reduce((s, r) => s + r.lpips!, 0) / perImage.length } : {};
    const sums = await readTree(lossSums);
    const losses = lossTerms ? { losses: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / this.pairs.length])) } : {};
    return { ...meanScores(perImage), ...meanLpips, bicubic: meanScores(this.bicubicScores), ...losses, perImage, outputs };
  }

  /**
   * D's view of the validation set: the centre `size`² crops of each HR image (real) and of G's output (fake), scored
   * in eval mode; their luma when G is a luma generator. Images smaller than D's input are left out; undefined when none fits.
   */
  discriminatorInputs(outputs: readonly ImageU8[], size: number, luma: boolean): { real: tf.Tensor4D; fake: tf.Tensor4D } | undefined {
    const idx = this.pairs.map((_, i) => i).filter((i) => i < outputs.length && this.pairs[i].hr.width >= size && this.pairs[i].hr.height >= size);
    if (idx.length === 0) return undefined;
    const stack = (imgs: ImageU8[]) =>
      tf.tidy(() => tf.concat(imgs.map((img) => networkView(imageTensor(cropImage(img, (img.width - size) >> 1, (img.height - size) >> 1, size, size)), luma))));
    return { real: stack(idx.map((i) => this.pairs[i].hr)), fake: stack(idx.map((i) => outputs[i])) };
  }

  /** Writes LR-nearest | bicubic | SR | HR strips; returns the file names. */
  async saveStrips(dir: string, tag: string, outputs: readonly ImageU8[]): Promise<string[]> {
    const files: string[] = [];
    for (const [i, sr] of outputs.entries()) {
      const p = this.pairs[i];
      const file = `${tag}-${i}.png`;
      await writeImage(join(dir, file), hstack([nearest(p.lr, this.opts.scale), this.bicubic[i], sr, p.hr]));
      files.push(file);
    }
    return files;
  }
}

/** A validation set of the run (`data.val`): the first one is the primary set. */
export interface ValSet {
  name: string;
  validator: Validator;
}

/** One set's mean scores, as logged (`sets` of a val record) and written into model files. */
export interface SetScores {
  name: string;
  psnr: number;
  ssim: number;
  lpips?: number;
  bicubic: Scores;
}

export function setScores(name: string, v: ValidationResult): SetScores {
  return { name, psnr: v.psnr, ssim: v.ssim, ...(v.lpips !== undefined ? { lpips: v.lpips } : {}), bicubic: v.bicubic };
}

/** PSNR/SSIM (and LPIPS) of G on every set, metrics only. */
export async function scoreAll(sets: readonly ValSet[], g: Generator): Promise<SetScores[]> {
  const out: SetScores[] = [];
  for (const s of sets) out.push(setScores(s.name, await s.validator.run(g, 0)));
  return out;
}

/** "name PSNR-Y x dB / SSIM-Y y (bicubic z)" for each set, for the console. */
export function formatSetScores(scores: readonly SetScores[]): string {
  return scores.map((s) => `${s.name} ${s.psnr.toFixed(3)} dB / ${s.ssim.toFixed(4)} (bicubic ${s.bicubic.psnr.toFixed(3)})`).join(' | ');
}
