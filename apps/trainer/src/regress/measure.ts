import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendPreference } from '@sr/model';
import { evaluateModel, type ModelMetrics, type ModelSpec } from './evaluate.ts';
import type { GoldenFile, MeasuredOn } from './golden.ts';
import { prepareSets, type SetSpec } from './sets.ts';

export const MEASURED = 'Y channel, border crop = scale, LR by MATLAB bicubic, tiled with the architecture defaults';

export interface MeasureOptions {
  /**
   * Default wasm with one thread: the same wasm computes the same bits on any x86-64 or ARM host, so the hashes
   * travel between machines; thread pools and native backends may reorder floating-point sums.
   */
  backend?: BackendPreference;
  threads?: number;
  /** Called after each model with its seconds. */
  onModel?: (key: string, seconds: number) => void;
}

/** The backend the measurement runs on, initialized. */
export async function measuringBackend(o: MeasureOptions = {}): Promise<MeasuredOn> {
  const info = await initBackend({ prefer: o.backend ?? 'wasm', threads: o.threads ?? 1, log: null });
  return { backend: info.backend, simd: info.simd, threads: info.threads, tfjs: tf.version_core };
}

/** Scores every model on the sets (written to a temp folder first). */
export async function measureModels(models: readonly ModelSpec[], sets: readonly SetSpec[], o: MeasureOptions = {}): Promise<GoldenFile> {
  const backend = await measuringBackend(o);
  const work = await mkdtemp(join(tmpdir(), 'sr-regress-'));
  try {
    const prepared = await prepareSets(work, sets);
    const out: Record<string, ModelMetrics> = {};
    for (const m of models) {
      const t0 = performance.now();
      out[m.key] = await evaluateModel(m, prepared);
      o.onModel?.(m.key, (performance.now() - t0) / 1000);
    }
    return { version: 1, measured: MEASURED, backend, models: out };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
