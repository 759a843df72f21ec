import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { checkAgainstGolden, readGolden, UPDATE_HINT, type GoldenFile } from '../metrics-regression/golden.ts';
import { measureModels } from '../metrics-regression/measure.ts';
import { GOLDEN_FILE, modelsDir, shippedModels } from '../metrics-regression/shipped-models.ts';

/** The shipped models (SR_MODELS_DIR, default apps/edge-api/public/models) against their golden metrics. */
const dir = modelsDir();
const models = shippedModels(dir);

describe(`metric regression of the models in ${dir}`, () => {
  if (models.length === 0) {
    console.warn(`\n*** metric regression: NO SHIPPED MODELS (${join(dir, 'manifest.json')} is missing) — nothing was checked ***\n`);
    it.skip(`no shipped models: ${join(dir, 'manifest.json')} is missing`, () => undefined);
    return;
  }

  let measured: GoldenFile;
  const golden = readGolden(join(dir, GOLDEN_FILE));
  beforeAll(async () => {
    measured = await measureModels(models, { log: (m) => console.warn(`metric regression: ${m}`) });
  });

  it(`has golden values (${GOLDEN_FILE}; write them with ${UPDATE_HINT})`, () => {
    expect(golden, `${join(dir, GOLDEN_FILE)} is missing`).toBeDefined();
  });

  for (const m of models) {
    it(`${m.key}: no drop beyond tolerance, same probe output, better than bicubic`, () => {
      expect(checkAgainstGolden(m.key, measured.models[m.key], golden?.models[m.key])).toEqual([]);
    });
  }
});
