import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createGenerator, initBackend, saveModelFile } from '@sr/model';
import { CliError } from '../src/cli-error.ts';
import { writeImage } from '../src/io/image-io.ts';
import { evaluateModel, type ModelMetrics } from '../src/regress/evaluate.ts';
import { diffGolden, type GoldenFile } from '../src/regress/golden.ts';
import { manifestModels, modelSpecs } from '../src/regress/inputs.ts';
import { junitXml, xmlText } from '../src/regress/junit.ts';
import { writeNoisyCopy } from '../src/regress/noisy-copy.ts';
import { markdownReport, textReport } from '../src/regress/report.ts';
import { checkModel, DEFAULT_RULES, failures, type Check } from '../src/regress/rules.ts';
import { parseSetArg, prepareSets, SYNTHETIC_SET, type EvalSet } from '../src/regress/sets.ts';
import { renderSyntheticEvalSet } from '../src/regress/synthetic-set.ts';
import { buildManifest, writeManifest } from '../../edge-api/src/models/build-manifest.ts';

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

const rules = DEFAULT_RULES;
const failedRules = (checks: Check[]) => failures(checks).map((c) => `${c.set} ${c.rule}`);

describe('metric regression checks', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-regress-check-'));
  const base = join(root, 'base.safetensors');
  let sets: EvalSet[];
  let baseM: ModelMetrics;
  let perturbed: ModelMetrics;

  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', threads: 1, log: null });
    mkdirSync(join(root, 'hr'));
    for (const { name, image } of renderSyntheticEvalSet().slice(0, 2)) await writeImage(join(root, 'hr', name.replace('.png', '.jpg')), image);
    sets = await prepareSets(join(root, 'sets'), [{ name: SYNTHETIC_SET }, parseSetArg(`two=${join(root, 'hr')}`, 64)]);
    await writeBaseModel(base);
    expect(writeNoisyCopy(base, join(root, 'perturbed.safetensors'), { std: 0.05 }), 'the output conv by default').toBe(LAST_CONV);
    baseM = await evaluateModel({ key: 'base', path: base }, sets);
    perturbed = await evaluateModel({ key: 'base', path: join(root, 'perturbed.safetensors') }, sets);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the synthetic set and a user folder (centre-cropped, as PNG) with the hash of their pixels', () => {
    expect(sets.map((s) => [s.name, s.images])).toEqual([[SYNTHETIC_SET, 5], ['two', 2]]);
    const all = createHash('sha256');
    for (const { name, image } of renderSyntheticEvalSet()) all.update(name).update(image.data);
    expect(sets[0].pixelsSha256).toBe(all.digest('hex'));
    expect(baseM.sets.two.images).toBe(2);
    expect(baseM.sets.two.pixelsSha256).toBe(sets[1].pixelsSha256);
  });

  it('a model measured again passes every rule but beating bicubic (nearest-neighbour does not)', async () => {
    const again = await evaluateModel({ key: 'base', path: base }, sets);
    const checks = checkModel('base', again, baseM, rules);
    expect(failedRules(checks)).toEqual([`${SYNTHETIC_SET} beats-bicubic`, 'two beats-bicubic']);
    expect(failedRules(checkModel('base', again, baseM, { ...rules, beatBicubic: false }))).toEqual([]);
    expect(checks.filter((c) => c.rule === 'probe-sha256' || c.rule === 'weights-sha256').map((c) => c.status)).toEqual(['pass', 'pass']);
  });

  it('fails a copy with noise in one conv: PSNR/SSIM drop, different weights and probe output; --no-hash skips the hashes', () => {
    const relaxed = { ...rules, beatBicubic: false };
    const failed = failedRules(checkModel('base', perturbed, baseM, relaxed));
    expect(failed).toEqual(expect.arrayContaining([`${SYNTHETIC_SET} psnr-drop`, `${SYNTHETIC_SET} ssim-drop`, 'model weights-sha256', 'model probe-sha256']));
    const noHash = checkModel('base', perturbed, baseM, { ...relaxed, hashes: false });
    expect(noHash.filter((c) => c.rule.endsWith('sha256')).map((c) => c.status)).toEqual(['skip', 'skip']);
    expect(failedRules(noHash)).not.toContain('model probe-sha256');
  });

  it('allows drops within the tolerance only, and the tolerance is configurable', () => {
    const shifted = (dp: number, ds: number): ModelMetrics => ({
      ...baseM,
      sets: { [SYNTHETIC_SET]: { ...baseM.sets[SYNTHETIC_SET], psnr: baseM.sets[SYNTHETIC_SET].psnr - dp, ssim: baseM.sets[SYNTHETIC_SET].ssim - ds } },
    });
    const r = { ...rules, beatBicubic: false };
    expect(failedRules(checkModel('m', shifted(0.019, 0.0004), baseM, r))).toEqual([]);
    expect(failedRules(checkModel('m', shifted(0.021, 0), baseM, r))).toEqual([`${SYNTHETIC_SET} psnr-drop`]);
    expect(failedRules(checkModel('m', shifted(0, 0.0006), baseM, r))).toEqual([`${SYNTHETIC_SET} ssim-drop`]);
    expect(failedRules(checkModel('m', shifted(0.05, 0), baseM, { ...r, maxPsnrDrop: 0.1 }))).toEqual([]);
    expect(failedRules(checkModel('m', baseM, undefined, r))).toEqual(['model golden-values']);
    // A golden set this run did not measure is skipped, not failed.
    expect(checkModel('m', shifted(0, 0), baseM, r).find((c) => c.set === 'two')).toMatchObject({ rule: 'golden-values', status: 'skip' });
  });

  it('fails a set whose images changed since the golden values', () => {
    const golden = { ...baseM, sets: { ...baseM.sets, two: { ...baseM.sets.two, pixelsSha256: 'f'.repeat(64) } } };
    expect(failedRules(checkModel('m', baseM, golden, { ...rules, beatBicubic: false }))).toEqual(['two set-pixels']);
  });

  it('writes valid, escaped JUnit XML: one testcase per model × set × rule, failures with both values', () => {
    const checks = checkModel('a&b <"x">', perturbed, baseM, rules);
    const xml = junitXml(checks, { 'a&b <"x">': 1.5 });
    expect(xml).toContain('classname="sr-regress.a&amp;b &lt;&quot;x&quot;&gt;"');
    expect(xml).not.toMatch(/<"x">/);
    expect(xml.match(/<testcase /g)).toHaveLength(checks.length);
    expect(xml).toMatch(new RegExp(`name="${SYNTHETIC_SET} psnr-drop">\\n\\s*<failure message="PSNR-Y ${baseM.sets[SYNTHETIC_SET].psnr.toFixed(4)} → `));
    expect(xml).toContain(`golden: ${baseM.sets[SYNTHETIC_SET].psnr}\ncurrent: ${perturbed.sets[SYNTHETIC_SET].psnr}`);
    expect(xml).toContain(`<testsuites name="sr regress" tests="${checks.length}" failures="${failures(checks).length}" errors="0" skipped="0" time="1.500">`);
    expect(xmlText('a\u0000b\u001bc & \ud83d\ude00')).toBe('abc &amp; \ud83d\ude00');
  });

  it('reports a table on stderr and markdown for the step summary', () => {
    const golden: GoldenFile = { version: 1, measured: '', models: { base: baseM } };
    const checks = checkModel('base', perturbed, baseM, rules);
    const text = textReport({ base: perturbed }, golden, checks);
    expect(text).toMatch(new RegExp(`base +${SYNTHETIC_SET} +${perturbed.sets[SYNTHETIC_SET].psnr.toFixed(4)} \\(golden ${baseM.sets[SYNTHETIC_SET].psnr.toFixed(4)}\\)`));
    expect(text).toMatch(/sr regress: FAIL \(\d+ failed checks\)$/);
    const md = markdownReport({ base: perturbed }, golden, checks);
    expect(md).toMatch(/^### sr regress: FAIL/);
    expect(md).toContain('| model | set | PSNR-Y dB | SSIM-Y | bicubic PSNR / SSIM | result |');
    expect(md).toContain(`- **base** · ${SYNTHETIC_SET} · \`psnr-drop\``);
  });

  it('diffs golden files value by value', () => {
    const old: GoldenFile = { version: 1, measured: '', models: { base: baseM } };
    const next: GoldenFile = { version: 1, measured: '', models: { base: perturbed } };
    const lines = diffGolden(old, next);
    const [a, b] = [baseM.sets[SYNTHETIC_SET].psnr, perturbed.sets[SYNTHETIC_SET].psnr];
    expect(lines).toContain(`base.sets.${SYNTHETIC_SET}.psnr: ${a} → ${b} (${Number((b - a).toPrecision(6))})`);
    expect(lines.some((l) => l.startsWith(`base.sets.${SYNTHETIC_SET}.bicubic`))).toBe(false);
    expect(diffGolden(undefined, old)).toContain(`base.weightsSha256: (none) → ${baseM.weightsSha256}`);
  });

  it('names models by file, pairs by A+B@alpha, manifest entries by name and name/gan; rejects bad combinations', async () => {
    const p = join(root, 'perturbed.safetensors');
    expect(modelSpecs({ model: [base], b: [], alpha: [] })).toEqual([{ key: 'base', path: base }]);
    expect(modelSpecs({ model: [base], b: [p], alpha: [0, 0.5] }).map((s) => s.key)).toEqual(['base+perturbed@0', 'base+perturbed@0.5']);
    const bad = (a: Partial<Parameters<typeof modelSpecs>[0]>) => () => modelSpecs({ model: [], b: [], alpha: [], ...a });
    expect(bad({})).toThrow(CliError);
    expect(bad({ model: [base], b: [p] })).toThrow('--b needs --alpha');
    expect(bad({ model: [base], alpha: [0.5] })).toThrow('--alpha needs --b');
    expect(bad({ model: [base], b: [p], alpha: [2] })).toThrow('--alpha must be a number in [0, 1]');
    expect(bad({ model: [base, base] })).toThrow("share the key 'base'");
    expect(bad({ model: [join(root, 'nope.safetensors')] })).toThrow('no model file');
    expect(bad({ models: root })).toThrow('no manifest.json');
    await writeManifest(root, await buildManifest(root, [{ name: 'm', file: 'base.safetensors', gan: 'perturbed.safetensors' }]));
    expect(manifestModels(root)).toEqual([
      { key: 'm', path: base },
      { key: 'm/gan', path: p },
    ]);
  });

  it('an interpolated pair at α = 0 scores as its first model', async () => {
    const pair = await evaluateModel({ key: 'pair', path: base, b: join(root, 'perturbed.safetensors'), alpha: 0 }, sets.slice(0, 1));
    expect(pair.outputSha256).toBe(baseM.outputSha256);
    expect(pair.weightsSha256).toBe(`${baseM.weightsSha256}+${perturbed.weightsSha256}`);
    expect(pair).toMatchObject({ file: 'base.safetensors', b: 'perturbed.safetensors', alpha: 0 });
  });

  it('refuses bad --set values and unusable folders with one line', async () => {
    expect(() => parseSetArg('noequals')).toThrow('NAME=FOLDER');
    expect(() => parseSetArg(`${SYNTHETIC_SET}=x`)).toThrow("built-in");
    expect(() => parseSetArg('a b=x')).toThrow('use letters');
    await expect(prepareSets(join(root, 's2'), [{ name: 'x', folder: join(root, 'missing') }])).rejects.toThrow('no folder');
    mkdirSync(join(root, 'empty'));
    await expect(prepareSets(join(root, 's3'), [{ name: 'x', folder: join(root, 'empty') }])).rejects.toThrow('no images');
    writeFileSync(join(root, 'empty', 'junk.png'), 'not a png');
    await expect(prepareSets(join(root, 's4'), [{ name: 'x', folder: join(root, 'empty') }])).rejects.toThrow(CliError);
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
