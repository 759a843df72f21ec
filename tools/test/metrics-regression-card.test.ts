import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, sha256Hex } from '@sr/model';
import type { ModelMetrics } from '../../apps/trainer/src/regress/evaluate.ts';
import { readGolden, writeGolden } from '../../apps/trainer/src/regress/golden.ts';
import { refreshMeasuredSections } from '../metrics-regression/card.ts';
import { writeModelCard } from '../metrics-regression/model-card.ts';
import { SR_BIN as SR, TINY_CONFIG as TINY, tinyRunArgs } from '../../apps/trainer/test/helpers.ts';

/** Both phases of the tiny example, a few seconds. */
const FAST = tinyRunArgs({
  'phases.psnr.iterations': '6',
  'phases.gan.iterations': '4',
  'phases.psnr.scheduler': '{"type":"cosine","periods":[6]}',
  'discriminator.config.num_feat': '4',
  'logging.every': '2',
  'validation.every': '100',
  'validation.samples': '1',
  'checkpoint.every': '100',
});

const sr = (...args: string[]) => spawnSync(process.execPath, [SR, ...args], { encoding: 'utf8', env: { ...process.env, SR_WASM_THREADS: '1' } });

describe('model card', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-card-'));
  const run = join(root, 'run');
  const out = join(root, 'models');

  beforeAll(async () => {
    const trained = sr('train', '--config', TINY, '--out', run, ...FAST);
    expect(trained.status, trained.stderr).toBe(0);
    const plotted = sr('plot', run, '--format', 'svg');
    expect(plotted.status, plotted.stderr).toBe(0);
    mkdirSync(out);
    await initBackend({ prefer: 'wasm', threads: 1, log: null });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('describes the model file and its run, with the interpolation table and copied plots', async () => {
    const model = join(run, 'gan.safetensors');
    const r = await writeModelCard({ model, run, name: 'tiny', outDir: out });
    expect(r.card).toBe(join(out, 'tiny.md'));
    const md = readFileSync(r.card, 'utf8');
    expect(md).toMatch(/^# tiny\n/);
    expect(md).toContain(`| sha256 | \`${await sha256Hex(new Uint8Array(readFileSync(model)))}\` |`);
    expect(md).toMatch(/\| architecture \| SRVGGNetCompact x4, [\d,]+ parameters \|/);
    expect(md).toContain('| phase | gan |');
    expect(md).toContain('| iterations | 4 |');
    expect(md).toMatch(/\| psnr \| 6 \| [\d.]+ (s|min).* over 4 logged iterations/);
    expect(md).toMatch(/\| gan \| 4 \| .* \| [\d.]+ \/ 0\.\d{4} \(iteration 4\) \| [\d.]+ \/ 0\.\d{4} \|/);
    for (const alpha of ['0.00', '0.50', '1.00']) expect(md).toMatch(new RegExp(`\\| ${alpha} \\| [\\d.]+ \\| [\\d.]+ \\| [+-][\\d.]+ dB \\|`));
    expect(md).toContain('"name": "tiny-cpu"');
    expect(md).not.toContain('Regression-suite metrics');
    expect(r.plots.length).toBeGreaterThan(0);
    for (const p of r.plots) {
      expect(existsSync(join(out, p))).toBe(true);
      expect(md).toContain(`](${p})`);
    }
  });

  it('adds the regression-suite metrics when golden-metrics.json has the model', async () => {
    const metrics: ModelMetrics = {
      file: 'psnr.safetensors',
      weightsSha256: 'a'.repeat(64),
      outputSha256: 'b'.repeat(64),
      sets: { 'synthetic-6x128': { psnr: 27.5, ssim: 0.8, bicubic: { psnr: 26, ssim: 0.75 }, images: 6 } },
    };
    await writeGolden(join(out, 'golden-metrics.json'), { version: 1, measured: 'test', models: { tiny: metrics } });
    const r = await writeModelCard({ model: join(run, 'psnr.safetensors'), run, name: 'tiny', outDir: out });
    const md = readFileSync(r.card, 'utf8');
    expect(md).toContain('| synthetic-6x128 | 27.500 | 0.8000 | 26.000 | 0.7500 | 6 |');
    expect(md).toContain(`\`${'b'.repeat(64)}\``);
  });

  it('finds a GAN partner\'s metrics under its golden key', async () => {
    const golden = readGolden(join(out, 'golden-metrics.json'))!;
    await writeGolden(join(out, 'golden-metrics.json'), { ...golden, models: { 'tiny/gan': golden.models.tiny } });
    const md = readFileSync((await writeModelCard({ model: join(run, 'gan.safetensors'), run, name: 'tiny-gan', goldenKey: 'tiny/gan', outDir: out })).card, 'utf8');
    expect(md).toContain('| synthetic-6x128 | 27.500 | 0.8000 | 26.000 | 0.7500 | 6 |');
    expect(readFileSync((await writeModelCard({ model: join(run, 'gan.safetensors'), run, name: 'tiny-gan', outDir: out })).card, 'utf8')).not.toContain('Regression-suite metrics');
  });

  it('lists the quality the manifest states for the shipped pair, per α', async () => {
    const quality = [0, 1].map((alpha) => ({ dataset: 'val-set', alpha, psnrY: 23 - alpha, ssimY: 0.7, bicubic: { psnrY: 21.5, ssimY: 0.56 } }));
    const entry = { name: 'tiny', file: 'psnr.safetensors', sha256: 'a'.repeat(64), gan: { file: 'gan.safetensors', sha256: 'b'.repeat(64) }, arch: 'SRVGGNetCompact', scale: 4, params: 1, quality, selfCheck: { probe: 'grid16-v1', psnr: [1], gan: [1] } };
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ version: 1, models: [entry] }));
    const md = readFileSync((await writeModelCard({ model: join(run, 'gan.safetensors'), run, name: 'tiny-gan', outDir: out })).card, 'utf8');
    expect(md).toContain('| val-set | 0.00 | 23.000 | 0.7000 | 21.500 / 0.5600 | +1.500 dB |');
    expect(md).toContain('| val-set | 1.00 | 22.000 | 0.7000 | 21.500 / 0.5600 | +0.500 dB |');
    rmSync(join(out, 'manifest.json'));
  });

  it('refuses a folder that is not a run', async () => {
    await expect(writeModelCard({ model: join(run, 'psnr.safetensors'), run: out, outDir: out })).rejects.toThrow(/not a run folder: no config\.json/);
  });
});

describe('refreshMeasuredSections (re-measured files whose run folder is gone)', () => {
  const golden = (psnr: number): ModelMetrics => ({
    file: 'm.safetensors',
    weightsSha256: 'a'.repeat(64),
    outputSha256: String(psnr).padEnd(64, '0'),
    sets: { s: { psnr, ssim: 0.8, bicubic: { psnr: 20, ssim: 0.5 }, images: 3 } },
  });
  const quality = (psnrY: number) => [{ dataset: 'val', alpha: 0, psnrY, ssimY: 0.7, bicubic: { psnrY: 21, ssimY: 0.5 } }];
  const card = [
    '# m', '', '| file | x |', '', '## Training', '', 'kept training text', '',
    '## Measured quality of the shipped files (manifest.json, shown by GET /v1/models)', '', '| val | 0.00 | 22.000 |', '',
    '## Regression-suite metrics (golden-metrics.json)', '', '| s | 25.000 |', '',
    '## Training curves (`sr plot`)', '', '![a](a.svg)', '',
  ].join('\n');

  it('replaces the measured numbers in place and keeps every other section', () => {
    const md = refreshMeasuredSections(card, { golden: golden(26.5), quality: quality(22.75) });
    expect(md).toContain('| val | 0.00 | 22.750 | 0.7000 | 21.000 / 0.5000 | +1.750 dB |');
    expect(md).toContain('| s | 26.500 | 0.8000 | 20.000 | 0.5000 | 3 |');
    expect(md).not.toContain('22.000');
    expect(md).not.toContain('25.000');
    expect(md.indexOf('kept training text')).toBeLessThan(md.indexOf('## Measured quality'));
    expect(md.indexOf('## Regression-suite metrics')).toBeLessThan(md.indexOf('## Training curves'));
    expect(md).toContain('![a](a.svg)');
    expect(refreshMeasuredSections(md, { golden: golden(26.5), quality: quality(22.75) })).toBe(md);
  });

  it('adds the sections before the training curves when the card had none', () => {
    const bare = card.replace(/## Measured quality[\s\S]*?(?=## Training curves)/, '');
    const md = refreshMeasuredSections(bare, { golden: golden(26.5) });
    expect(md).toContain('| s | 26.500 |');
    expect(md.indexOf('## Regression-suite metrics')).toBeLessThan(md.indexOf('## Training curves'));
  });
});
