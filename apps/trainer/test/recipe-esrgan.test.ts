/** The ESRGAN x4 GPU recipe (examples/esrgan-x4.json) validates and trains a few iterations once shrunk by --set. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.ts';
import { readJsonl } from '../src/report/jsonl.ts';
import { srInProcess } from './helpers.ts';

const RECIPE = join(import.meta.dirname, '../src/config/examples/esrgan-x4.json');

describe('ESRGAN x4 recipe', () => {
  it('is the paper setup: RRDBNet 23x64 (growth 32), batch 16 of 128² HR, L1 + Adam 2e-4, then pixel 1e-2 + perceptual 1 + RaGAN 5e-3', () => {
    const c = loadConfig(RECIPE);
    expect(c.backend).toBe('auto');
    expect(c.generator).toMatchObject({ arch: 'RRDBNet', config: { num_block: 23, num_feat: 64, num_grow_ch: 32, scale: 4 } });
    expect(c.data.batchSize * 1).toBe(16);
    expect(c.data.lrPatch * c.scale).toBe(128);
    expect(c.phases.psnr).toMatchObject({ pixelLoss: 'l1', optimizer: { lr: 2e-4 }, scheduler: { type: 'cosine', periods: [250000, 250000, 250000, 250000] } });
    const L = c.phases.gan!.losses;
    expect([L.pixel.weight, L.perceptual.weight, L.adversarial.type, L.adversarial.weight]).toEqual([1e-2, 1, 'ragan', 5e-3]);
  });

  it('runs both phases for a few iterations with --set overrides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-recipe-'));
    const out = join(dir, 'run');
    const sets = {
      backend: '"wasm"',
      'data.train': '{"synthetic":{"count":2,"width":136,"height":136}}',
      'data.val': '{"synthetic":{"count":1,"width":64,"height":64}}',
      'data.batchSize': '1',
      'data.lrCacheDir': JSON.stringify(join(dir, 'lr-cache')),
      'generator.config': '{"scale":4,"num_feat":8,"num_block":1,"num_grow_ch":4}',
      'discriminator.config.num_feat': '4',
      'phases.psnr.iterations': '2',
      'phases.gan.iterations': '2',
      'phases.gan.losses.perceptual.weight': '0',
      'validation.every': '2',
      'validation.samples': '1',
      'logging.every': '1',
      'checkpoint.every': '2',
      'export.alphas': '[]',
    };
    const r = await srInProcess('train', '--config', RECIPE, '--out', out, '--no-progress', ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]));
    expect(r.error, r.error?.message).toBeUndefined();
    expect(existsSync(join(out, 'gan.safetensors'))).toBe(true);
    const iters = readJsonl(join(out, 'train.jsonl')).filter((x) => x.kind === 'train').map((x) => `${x.phase}${x.iter}`);
    expect(iters).toEqual(['psnr1', 'psnr2', 'gan1', 'gan2']);
  });
});
