import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { downscaleBicubic, upscaleBicubic, type Scores } from '@sr/metrics';
import { disposeParams, interpolateGenerators, loadModelFile, Upscaler, WeightsError, type Generator, type LoadedModel } from '@sr/model';
import { CliError } from '../cli-error.ts';
import { evaluateFolder } from '../io/evaluate-folder.ts';
import type { EvalSet } from './sets.ts';
import { syntheticEvalSet } from './synthetic-set.ts';

/** Y channel, `scale` border pixels cropped: the BasicSR / paper convention. */
const metricsFor = (scale: number) => ({ yChannel: true, cropBorder: scale });

/** One model under test: a weight file, or the interpolation θ = (1−α)·θ_A + α·θ_B of two. */
export interface ModelSpec {
  key: string;
  path: string;
  b?: string;
  alpha?: number;
}

export interface SetScores extends Scores {
  bicubic: Scores;
  images: number;
  /** SHA-256 of the set's HR pixels (absent in files written before it was recorded). */
  pixelsSha256?: string;
}

export interface ModelMetrics {
  file: string;
  /** With an interpolated pair: the second file and α. */
  b?: string;
  alpha?: number;
  /** SHA-256 of the weight file the values were measured with (`A+B` for a pair). */
  weightsSha256: string;
  /** SHA-256 of the 8-bit output for the probe input (the first synthetic image's bicubic LR). */
  outputSha256: string;
  sets: Record<string, SetScores>;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const rounded = (s: Scores): Scores => ({ psnr: round(s.psnr, 4), ssim: round(s.ssim, 6) });

/** The probe: the bicubic LR of the first synthetic scene, upscaled by the engine; SHA-256 of its 8-bit output. */
export async function probeOutputSha256(upscaler: Upscaler, scale: number): Promise<string> {
  const lr = downscaleBicubic(syntheticEvalSet()[0].image, scale);
  const sr = await upscaler.upscale(lr);
  return createHash('sha256').update(sr.data).digest('hex');
}

async function scoreSet(g: Generator, upscaler: Upscaler, set: EvalSet): Promise<SetScores> {
  const base = { hrDir: set.hrDir, scale: g.scale, metrics: metricsFor(g.scale) };
  const model = await evaluateFolder({ ...base, upscale: (lr) => upscaler.upscale(lr) });
  const bicubic = await evaluateFolder({ ...base, upscale: (lr) => upscaleBicubic(lr, g.scale) });
  return { ...rounded(model), bicubic: rounded(bicubic), images: model.images, pixelsSha256: set.pixelsSha256 };
}

async function load(path: string): Promise<LoadedModel> {
  try {
    return await loadModelFile(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    if (err instanceof WeightsError || (err as NodeJS.ErrnoException).code) throw new CliError(`cannot load model ${path}: ${why}`);
    throw err;
  }
}

/** The generator a spec describes (interpolated for a pair) and the hash of its weights. */
async function loadSpec(spec: ModelSpec): Promise<{ g: Generator; sha256: string }> {
  const a = await load(spec.path);
  if (!spec.b) return { g: a.generator, sha256: a.sha256 };
  const b = await load(spec.b);
  try {
    return { g: interpolateGenerators(a.generator, b.generator, spec.alpha ?? 0), sha256: `${a.sha256}+${b.sha256}` };
  } catch (err) {
    if (err instanceof WeightsError) throw new CliError(`${spec.key}: ${err.message}`);
    throw err;
  } finally {
    disposeParams(a.generator.params);
    disposeParams(b.generator.params);
  }
}

/**
 * PSNR/SSIM (Y, crop = scale) of a model and of bicubic on every set, with the tiling engine at the architecture's
 * defaults, plus the probe output hash. Needs an initialized backend.
 */
export async function evaluateModel(spec: ModelSpec, sets: readonly EvalSet[]): Promise<ModelMetrics> {
  const { g, sha256 } = await loadSpec(spec);
  try {
    const upscaler = Upscaler.forGenerator(g);
    const scores: Record<string, SetScores> = {};
    for (const set of sets) scores[set.name] = await scoreSet(g, upscaler, set);
    const pair = spec.b ? { b: basename(spec.b), alpha: spec.alpha ?? 0 } : {};
    return { file: basename(spec.path), ...pair, weightsSha256: sha256, outputSha256: await probeOutputSha256(upscaler, g.scale), sets: scores };
  } finally {
    disposeParams(g.params);
  }
}
