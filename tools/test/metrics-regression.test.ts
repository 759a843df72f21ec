import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SR_BIN } from '../../apps/trainer/test/helpers.ts';
import { manifestModels } from '../../apps/trainer/src/regress/inputs.ts';
import { writeNoisyCopy } from '../../apps/trainer/src/regress/noisy-copy.ts';
import { runRegress } from '../../apps/trainer/src/regress/regress.ts';
import { DEFAULT_RULES, formatCheck, type Check } from '../../apps/trainer/src/regress/rules.ts';
import { GOLDEN_FILE, hasShippedModels, modelsDir, shippedRegressArgs } from '../metrics-regression/shipped-models.ts';

/** The shipped models (SR_MODELS_DIR, default apps/edge-api/public/models) against their golden metrics, through `sr regress`. */
const dir = modelsDir();

describe(`metric regression of the models in ${dir}`, () => {
  if (!hasShippedModels(dir)) {
    console.warn(`\n*** metric regression: NO SHIPPED MODELS (${join(dir, 'manifest.json')} is missing) — nothing was checked ***\n`);
    it.skip(`no shipped models: ${join(dir, 'manifest.json')} is missing`, () => undefined);
    return;
  }
  const models = manifestModels(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'sr-shipped-regress-'));
  let run: { status: number | null; stderr: string; report?: { pass: boolean; checks: Check[] }; junit?: string };

  beforeAll(() => {
    const args = shippedRegressArgs(dir, (m) => console.warn(`metric regression: ${m}`));
    const r = spawnSync(process.execPath, [SR_BIN, ...args, '--json', '--junit', join(tmp, 'junit.xml')], { encoding: 'utf8' });
    const junit = join(tmp, 'junit.xml');
    run = { status: r.status, stderr: r.stderr, report: r.stdout ? JSON.parse(r.stdout) : undefined, junit: existsSync(junit) ? readFileSync(junit, 'utf8') : undefined };
  });

  it(`sr regress passes (exit 0) against ${GOLDEN_FILE} (write it with: npm run test:metrics -- --update)`, () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.report!.pass).toBe(true);
    expect(run.junit).toContain('failures="0"');
  });

  for (const m of models) {
    it(`${m.key}: no drop beyond tolerance, same weights and probe output, better than bicubic`, () => {
      const mine = run.report!.checks.filter((c) => c.model === m.key);
      expect(mine.map((c) => c.rule)).toEqual(expect.arrayContaining(['psnr-drop', 'ssim-drop', 'beats-bicubic', 'weights-sha256', 'probe-sha256']));
      expect(mine.filter((c) => c.status === 'fail').map(formatCheck)).toEqual([]);
    });
  }

  it(`would catch a damaged ${models[0].key}: a copy with noise on its output conv fails the PSNR rule`, async () => {
    try {
      const copy = join(tmp, 'noisy.safetensors');
      const tensor = writeNoisyCopy(models[0].path, copy, { std: 1, relative: true });
      const r = await runRegress({ models: [{ key: models[0].key, path: copy }], golden: join(dir, GOLDEN_FILE), rules: DEFAULT_RULES, log: () => undefined });
      expect(r.pass).toBe(false);
      expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.rule), `noise on ${tensor}`).toEqual(expect.arrayContaining(['psnr-drop', 'weights-sha256', 'probe-sha256']));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
