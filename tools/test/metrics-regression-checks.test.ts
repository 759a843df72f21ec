import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createGenerator, initBackend, saveModelFile } from '@sr/model';
import { prepareEvalSets, SYNTHETIC_SET, type EvalSet } from '../metrics-regression/eval-sets.ts';
import { evaluateModelFile, type ModelMetrics } from '../metrics-regression/evaluate.ts';
import { writeNoisyCopy } from '../metrics-regression/noisy-copy.ts';
import { diffGolden, notBetterThanBicubic, regressions, type GoldenFile } from '../metrics-regression/golden.ts';
import { buildManifest, writeManifest } from '../../apps/edge-api/src/models/build-manifest.ts';
import { DEFAULT_MODELS_DIR, modelsDir, shippedModels } from '../metrics-regression/shipped-models.ts';
import { renderSyntheticEvalSet } from '../metrics-regression/synthetic-set.ts';

const CONFIG = { num_feat: 8, num_conv: 2, upscale: 4, act_type: 'prelu' };
const LAST_CONV = 'body.6.weight';

/** A small SRVGG x4 whose last conv is zero: its output is the nearest-neighbour upscale, a fixed baseline. */
async function writeBaseModel(path: string): Promise<void> {
  const g = createGenerator('SRVGGNetCompact', CONFIG, 3);
  expect(g.params[LAST_CONV], `${LAST_CONV} is the last conv`).toBeDefined();
  g.params[LAST_CONV].dispose();
  g.params[LAST_CONV] = tf.zeros(g.params[LAST_CONV].shape);
  await saveModelFile(path, g);
}

describe('metric regression checks', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-metrics-check-'));
  let sets: EvalSet[];
  let base: ModelMetrics;
  let perturbed: ModelMetrics;
  const skipped: string[] = [];

  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', threads: 1, log: null });
    sets = await prepareEvalSets(join(root, 'sets'), join(root, 'no-such-dataset'), (m) => skipped.push(m));
    await writeBaseModel(join(root, 'base.safetensors'));
    expect(writeNoisyCopy(join(root, 'base.safetensors'), join(root, 'perturbed.safetensors'), { std: 0.05 }), 'the output conv by default').toBe(LAST_CONV);
    base = await evaluateModelFile(join(root, 'base.safetensors'), sets);
    perturbed = await evaluateModelFile(join(root, 'perturbed.safetensors'), sets);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('uses the synthetic set and says why Urban100 is skipped when absent', () => {
    expect(sets.map((s) => s.name)).toEqual([SYNTHETIC_SET]);
    expect(skipped.join()).toMatch(/no-such-dataset not found/);
    expect(base.sets[SYNTHETIC_SET].images).toBe(5);
  });

  it('a model file measured again passes against its own golden values (bytes included)', async () => {
    const again = await evaluateModelFile(join(root, 'base.safetensors'), sets);
    expect(regressions('base', again, base)).toEqual([]);
  });

  it('fails a copy with noise in one conv: PSNR/SSIM drop, different weights and probe output', () => {
    const failures = regressions('base', perturbed, base);
    expect(failures.some((f) => /PSNR-Y dropped/.test(f))).toBe(true);
    expect(failures.some((f) => /SSIM-Y dropped/.test(f))).toBe(true);
    expect(failures.some((f) => /weights differ/.test(f))).toBe(true);
    expect(failures.some((f) => /probe output sha256/.test(f))).toBe(true);
  });

  it('allows drops within the tolerance only', () => {
    const shifted = (dp: number, ds: number): ModelMetrics => ({
      ...base,
      sets: { [SYNTHETIC_SET]: { ...base.sets[SYNTHETIC_SET], psnr: base.sets[SYNTHETIC_SET].psnr - dp, ssim: base.sets[SYNTHETIC_SET].ssim - ds } },
    });
    expect(regressions('m', shifted(0.019, 0.0004), base)).toEqual([]);
    expect(regressions('m', shifted(0.021, 0), base)).toHaveLength(1);
    expect(regressions('m', shifted(0, 0.0006), base)).toHaveLength(1);
    expect(regressions('m', base, undefined)[0]).toMatch(/no golden values/);
  });

  it('fails a model that is not better than bicubic (nearest-neighbour is not)', () => {
    expect(notBetterThanBicubic('base', base)).toEqual([expect.stringContaining('not better than bicubic')]);
    const better = { ...base, sets: { s: { ...base.sets[SYNTHETIC_SET], psnr: base.sets[SYNTHETIC_SET].bicubic.psnr + 0.1 } } };
    expect(notBetterThanBicubic('x', better)).toEqual([]);
  });

  it('lists every weight file of a manifest (GAN partners as <name>/gan), none without a manifest', async () => {
    expect(shippedModels(root)).toEqual([]);
    await writeManifest(root, await buildManifest(root, [{ name: 'm', file: 'base.safetensors', gan: 'perturbed.safetensors' }]));
    expect(shippedModels(root)).toEqual([
      { key: 'm', path: join(root, 'base.safetensors') },
      { key: 'm/gan', path: join(root, 'perturbed.safetensors') },
    ]);
    expect(modelsDir({ SR_MODELS_DIR: root })).toBe(root);
    expect(modelsDir({})).toBe(DEFAULT_MODELS_DIR);
  });

  it('diffs golden files value by value', () => {
    const old: GoldenFile = { version: 1, measured: '', models: { base } };
    const next: GoldenFile = { version: 1, measured: '', models: { base: perturbed } };
    const lines = diffGolden(old, next);
    expect(lines).toContain(`base.sets.${SYNTHETIC_SET}.psnr: ${base.sets[SYNTHETIC_SET].psnr} → ${perturbed.sets[SYNTHETIC_SET].psnr} (${Number((perturbed.sets[SYNTHETIC_SET].psnr - base.sets[SYNTHETIC_SET].psnr).toPrecision(6))})`);
    expect(lines.some((l) => l.startsWith(`base.sets.${SYNTHETIC_SET}.bicubic`))).toBe(false);
    expect(diffGolden(undefined, old)).toContain(`base.weightsSha256: (none) → ${base.weightsSha256}`);
  });
});

describe('synthetic evaluation set', () => {
  /** Every golden file's synthetic-set values were measured on exactly these pixels: a change needs --update. */
  const PINNED = 'cef0fdf1e396a30cd2892418cfc027c6b187fa4be1bc4da0c888fb8b990f625d';

  it('renders the same five distinct, structured 128x128 images every time', () => {
    const set = renderSyntheticEvalSet();
    const all = createHash('sha256');
    for (const { name, image } of set) all.update(name).update(image.data);
    expect(all.digest('hex')).toBe(PINNED);
    expect(new Set(set.map(({ image }) => createHash('sha256').update(image.data).digest('hex'))).size).toBe(5);
    for (const { image } of set) {
      expect([image.width, image.height, image.channels]).toEqual([128, 128, 3]);
      expect(new Set(image.data).size, 'not flat').toBeGreaterThan(16);
    }
  });
});
