import { createHash } from 'node:crypto';
import { downscaleBicubic, upscaleBicubic, type Scores } from '@sr/metrics';
import { disposeParams, loadModelFile, Upscaler, type Generator } from '@sr/model';
import { evaluateFolder } from '../../apps/trainer/src/io/evaluate-folder.ts';
import type { EvalSet } from './eval-sets.ts';
import { syntheticEvalSet } from './synthetic-set.ts';

/** Y channel, `scale` border pixels cropped: the BasicSR / paper convention. */
const metricsFor = (scale: number) => ({ yChannel: true, cropBorder: scale });

export interface SetScores extends Scores {
  bicubic: Scores;
  images: number;
}

export interface ModelMetrics {
  file: string;
  /** SHA-256 of the weight file the values were measured with. */
  weightsSha256: string;
  /** SHA-256 of the 8-bit output for the probe input (the first synthetic image's bicubic LR). */
  outputSha256: string;
  sets: Record<string, SetScores>;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const rounded = (s: Scores): Scores => ({ psnr: round(s.psnr, 4), ssim: round(s.ssim, 6) });

async function probeOutputSha256(upscaler: Upscaler, scale: number): Promise<string> {
  const lr = downscaleBicubic(syntheticEvalSet()[0].image, scale);
  const sr = await upscaler.upscale(lr);
  return createHash('sha256').update(sr.data).digest('hex');
}

async function scoreSet(g: Generator, upscaler: Upscaler, set: EvalSet): Promise<SetScores> {
  const base = { hrDir: set.hrDir, scale: g.scale, metrics: metricsFor(g.scale) };
  const model = await evaluateFolder({ ...base, upscale: (lr) => upscaler.upscale(lr) });
  const bicubic = await evaluateFolder({ ...base, upscale: (lr) => upscaleBicubic(lr, g.scale) });
  return { ...rounded(model), bicubic: rounded(bicubic), images: model.images };
}

/**
 * PSNR/SSIM (Y, crop = scale) of a model file and of bicubic on every set, with the tiling engine at the architecture's defaults, plus
 * the probe output hash. Needs an initialized backend (the suite uses wasm).
 */
export async function evaluateModelFile(path: string, sets: readonly EvalSet[], label = path): Promise<ModelMetrics> {
  const loaded = await loadModelFile(path);
  const g = loaded.generator;
  try {
    const upscaler = Upscaler.forGenerator(g);
    const scores: Record<string, SetScores> = {};
    for (const set of sets) scores[set.name] = await scoreSet(g, upscaler, set);
    return { file: label, weightsSha256: loaded.sha256, outputSha256: await probeOutputSha256(upscaler, g.scale), sets: scores };
  } finally {
    disposeParams(g.params);
  }
}
