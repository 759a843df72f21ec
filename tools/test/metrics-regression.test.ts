import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAgainstGolden, readGolden, UPDATE_HINT, type GoldenFile } from '../metrics-regression/golden.ts';
import { measureModels } from '../metrics-regression/measure.ts';
import { writeNoisyCopy } from '../metrics-regression/noisy-copy.ts';
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

  it(`would catch a damaged ${models[0].key}: a copy with noise on its output conv fails the comparison`, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sr-noisy-'));
    try {
      const copy = join(tmp, 'noisy.safetensors');
      const tensor = writeNoisyCopy(models[0].path, copy, { std: 1, relative: true });
      const noisy = (await measureModels([{ key: models[0].key, path: copy }], { log: () => undefined })).models[models[0].key];
      const failures = checkAgainstGolden(models[0].key, noisy, measured.models[models[0].key]);
      expect(failures.filter((f) => /PSNR-Y dropped/.test(f)), `noise on ${tensor}`).not.toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  for (const m of models) {
    it(`${m.key}: no drop beyond tolerance, same probe output, better than bicubic`, () => {
      expect(checkAgainstGolden(m.key, measured.models[m.key], golden?.models[m.key])).toEqual([]);
    });
  }
});
