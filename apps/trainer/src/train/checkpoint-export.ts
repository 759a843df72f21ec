import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { disposeParams, getGeneratorArch, saveModelFile, type ExtraMetadata, type Generator, type ParamMap } from '@sr/model';
import { CliError } from '../cli-error.ts';
import { readJsonl } from '../report/jsonl.ts';
import { loadCheckpoint, type LoadedCheckpoint } from './checkpoint.ts';

export type CheckpointWeights = 'ema' | 'g';

export interface CheckpointExportOptions {
  runDir: string;
  out: string;
  /** Default: 'ema' when the checkpoint has EMA weights, else 'g'. */
  weights?: CheckpointWeights;
  fp16?: boolean;
}

export interface CheckpointExport {
  out: string;
  sha256: string;
  arch: string;
  scale: number;
  phase: 'psnr' | 'gan';
  iterations: number;
  weights: CheckpointWeights;
  /** The run's last validation of this phase, when it scored these weights. */
  validation?: { iter: number; psnr: number; ssim: number };
}

interface RunGeneratorConfig {
  generator?: { arch?: unknown; config?: unknown };
}

function generatorFrom(ck: LoadedCheckpoint, weights: CheckpointWeights, path: string): Generator {
  let run: RunGeneratorConfig;
  try {
    run = JSON.parse(ck.state.config) as RunGeneratorConfig;
  } catch {
    throw new CliError(`${path}: the checkpoint's config is not valid JSON`);
  }
  const arch = String(run.generator?.arch);
  let spec;
  let config;
  try {
    spec = getGeneratorArch(arch);
    config = spec.parseConfig(run.generator?.config);
  } catch (err) {
    throw new CliError(`${path}: bad generator in the checkpoint's config: ${(err as Error).message}`);
  }
  const saved = ck.groups[weights];
  if (!saved) throw new CliError(`${path}: the checkpoint has no ${weights === 'ema' ? 'EMA' : 'generator'} weights`);
  const params: ParamMap = {};
  try {
    for (const [name, shape] of Object.entries(spec.paramShapes(config))) {
      const t = saved[name];
      if (!t || t.shape.join() !== shape.join()) throw new CliError(`${path}: ${weights} weights do not match ${arch} at "${name}"`);
      params[name] = tf.tensor(t.data, t.shape, 'float32');
    }
  } catch (err) {
    disposeParams(params);
    throw err;
  }
  return { arch: spec.name, config: config as Record<string, unknown>, scale: spec.scaleOf(config), params };
}

/**
 * The last validation of these weights up to the checkpoint's iteration (a newer one may be logged before its
 * checkpoint is written). Validation runs on the EMA weights when the run keeps them, else on G.
 */
function lastValidation(runDir: string, phase: string, iter: number, weights: CheckpointWeights, hasEma: boolean): CheckpointExport['validation'] {
  const validated: CheckpointWeights = hasEma ? 'ema' : 'g';
  const log = join(runDir, 'train.jsonl');
  if (weights !== validated || !existsSync(log)) return undefined;
  const vals = readJsonl(log).filter((r) => r.kind === 'val' && r.phase === phase && r.iter <= iter && typeof r.psnr === 'number' && typeof r.ssim === 'number');
  const last = vals.at(-1);
  return last && { iter: last.iter, psnr: last.psnr as number, ssim: last.ssim as number };
}

/** Writes a model file from a run's current checkpoint (atomically), without touching the run. */
export async function exportCheckpoint(o: CheckpointExportOptions): Promise<CheckpointExport> {
  const ck = loadCheckpoint(o.runDir, 'export');
  const path = join(o.runDir, 'checkpoint.safetensors');
  const hasEma = ck.groups.ema !== undefined;
  const weights = o.weights ?? (hasEma ? 'ema' : 'g');
  const g = generatorFrom(ck, weights, path);
  const { phase, iter } = ck.state;
  const validation = lastValidation(o.runDir, phase, iter, weights, hasEma);
  const meta: ExtraMetadata = {
    phase,
    iterations: iter,
    trained_with: 'sr-toolkit trainer',
    weights,
    ...(validation ? { val_psnr_y: Number(validation.psnr.toFixed(4)), val_ssim_y: Number(validation.ssim.toFixed(6)), val_iter: validation.iter } : {}),
  };
  try {
    const sha256 = await saveModelFile(o.out, g, meta, { fp16: o.fp16 });
    return { out: o.out, sha256, arch: g.arch, scale: g.scale, phase, iterations: iter, weights, validation };
  } finally {
    disposeParams(g.params);
  }
}
