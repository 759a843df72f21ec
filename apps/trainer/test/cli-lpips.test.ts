import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSrPair, upscaleBicubic } from '@sr/metrics';
import { createGenerator, initBackend, parseSafetensors, saveModelFile, serializeSafetensors, type StateDict } from '@sr/model';
import { hashStateDict } from '../../../libs/model/test/parity-hash-weights.ts';
import { LpipsMetric } from '../src/io/lpips-metric.ts';
import { readImageRgb, writeImage } from '../src/io/image-io.ts';
import { readJsonl } from '../src/report/jsonl.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { SR_BIN as SR, TINY_CONFIG as TINY, tinyRunArgs } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, '../../../libs/model/test/fixtures');
const sr = (args: string[]) => spawnSync(process.execPath, [SR, ...args], { encoding: 'utf8', timeout: 240_000 });

describe('LPIPS in sr eval and in validation', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-lpips-'));
  const lins = join(root, 'lpips-alex.safetensors');
  const backbone = join(root, 'alexnet-features.safetensors');
  const hrDir = join(root, 'hr');

  it('sr convert --raw reads the official lin-layer .pth; sr eval reports LPIPS for the model and bicubic', async () => {
    // The official alex.pth layout (torch.save of the lin layers, written by make_lpips_fixtures.py) through the real CLI.
    const c = sr(['convert', join(FIXTURES, 'lpips_alex_lins.pth'), lins, '--raw']);
    expect(c.status, c.stderr).toBe(0);
    expect(Object.keys(parseSafetensors(new Uint8Array(readFileSync(lins))).tensors).sort()).toEqual([0, 1, 2, 3, 4].map((k) => `lin${k}.model.1.weight`));
    // torchvision-named AlexNet features (hash-derived, as the fixture's reference network).
    const meta = parseSafetensors(new Uint8Array(readFileSync(join(FIXTURES, 'lpips.safetensors')))).metadata;
    const full = hashStateDict(JSON.parse(meta['alex.params']) as Array<[string, number[]]>);
    const features: StateDict = Object.fromEntries(
      Object.entries(full).filter(([k]) => k.startsWith('net.')).map(([k, t]) => [k.replace(/^net\.slice\d+\./, 'features.'), t]),
    );
    writeFileSync(backbone, serializeSafetensors(features));
    mkdirSync(hrDir);
    await writeImage(join(hrDir, 'a.png'), syntheticImage(5, 0, 64, 48));
    await initBackend({ prefer: 'cpu', log: null });
    const model = join(root, 'model.safetensors');
    await saveModelFile(model, createGenerator('SRVGGNetCompact', { num_feat: 4, num_conv: 1, upscale: 4 }, 1));

    const e = sr(['eval', '--model', model, '--hr', hrDir, '--scale', '4', '--crop', '4', '--lpips', lins, '--lpips-backbone', backbone, '--json']);
    expect(e.status, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.lpips).toBeGreaterThan(0);
    expect(report.perImage[0].lpips).toBe(report.lpips);
    // The bicubic row, recomputed in-process: the CLI crops and scales the images as the metric expects.
    const { hr, lr } = makeSrPair(await readImageRgb(join(hrDir, 'a.png')), 4);
    const metric = LpipsMetric.load({ net: 'alex', weights: lins, backbone });
    const expected = await metric.distance(upscaleBicubic(lr, 4), hr, 4);
    metric.dispose();
    expect(Math.abs(report.bicubic.lpips - expected)).toBeLessThan(1e-6);
    expect(report.bicubic.lpips).not.toBe(report.lpips);

    const text = sr(['eval', '--model', model, '--hr', hrDir, '--scale', '4', '--lpips', lins, '--lpips-backbone', backbone]);
    expect(text.stdout).toMatch(/LPIPS 0\.\d{6}/);
  }, 240_000);

  it('bad LPIPS inputs are one-line errors', () => {
    const model = join(root, 'model.safetensors');
    const base = ['eval', '--model', model, '--hr', hrDir, '--scale', '4'];
    const missing = sr([...base, '--lpips', join(root, 'nope.safetensors')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n').at(-1)).toMatch(/cannot load LPIPS weights .*nope\.safetensors/);
    const noBackbone = sr([...base, '--lpips', lins]);
    expect(noBackbone.stderr).toMatch(/lack "net\.slice1\.0\.weight" \(torchvision "features\.0\.weight"\)/);
    const tooSmall = sr([...base, '--lpips', lins, '--lpips-backbone', backbone, '--crop', '10']);
    expect(tooSmall.stderr).toMatch(/LPIPS \(alex\) needs images of at least 31 px per side after the border crop, got 28/);
  }, 120_000);

  it('validation logs lpips when validation.lpips is configured', () => {
    const out = join(root, 'run');
    const lpips = JSON.stringify({ net: 'alex', weights: lins, backbone });
    const args = tinyRunArgs({ 'phases.psnr.iterations': '2', 'phases.psnr.scheduler': '{"type":"constant"}', 'validation.every': '1', 'validation.samples': '0', 'validation.lpips': lpips });
    const r = sr(['train', '--config', TINY, '--out', out, '--phase', 'psnr', ...args]);
    expect(r.status, r.stderr).toBe(0);
    const vals = readJsonl(join(out, 'train.jsonl')).filter((rec) => rec.kind === 'val');
    expect(vals.length).toBe(2);
    for (const v of vals) expect(v.lpips).toBeGreaterThan(0);
  }, 240_000);
});
