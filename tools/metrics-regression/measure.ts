import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { initBackend } from '@sr/model';
import { DEFAULT_URBAN_DIR, prepareEvalSets } from './eval-sets.ts';
import { evaluateModelFile, type ModelMetrics } from './evaluate.ts';
import type { GoldenFile } from './golden.ts';
import type { ShippedModel } from './shipped-models.ts';

export const MEASURED = 'tfjs wasm backend (1 thread), Y channel, border crop = scale, LR by MATLAB bicubic, tiled with the architecture defaults';

export interface MeasureOptions {
  urbanDir?: string;
  /** Messages about skipped data. */
  log?: (message: string) => void;
}

/** Scores every model on the evaluation sets with the wasm backend (one thread, so the bytes do not depend on the pool). */
export async function measureModels(models: readonly ShippedModel[], o: MeasureOptions = {}): Promise<GoldenFile> {
  await initBackend({ prefer: 'wasm', threads: 1, log: null });
  const work = await mkdtemp(join(tmpdir(), 'sr-metrics-'));
  try {
    const sets = await prepareEvalSets(work, o.urbanDir ?? DEFAULT_URBAN_DIR, o.log ?? console.log);
    const out: Record<string, ModelMetrics> = {};
    for (const m of models) out[m.key] = await evaluateModelFile(m.path, sets, basename(m.path));
    return { version: 1, measured: MEASURED, models: out };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
