import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImageRgb } from '../src/io/image-io.ts';
import { srInProcess } from './helpers.ts';

const REAL = join(import.meta.dirname, '../src/config/examples/realesrgan-x4.json');
const SYNTH = ['--set', 'data.train={"synthetic":{"count":2,"width":160,"height":144}}', '--set', 'data.lrPatch=32', '--set', 'discriminator.config.input_size=128'];

describe('sr degrade', () => {
  it('writes HR patch / degraded LR pairs and strips', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sr-degrade-'));
    const r = await srInProcess('degrade', '--config', REAL, ...SYNTH, '--out', out, '--count', '2');
    expect(r.error).toBeUndefined();
    expect(r.stdout).toMatch(/wrote 2 samples \(Real-ESRGAN degradation, LR 32px, HR 128px\)/);
    expect(readdirSync(out).sort()).toEqual(['sample-0-hr.png', 'sample-0-lr.png', 'sample-0.png', 'sample-1-hr.png', 'sample-1-lr.png', 'sample-1.png']);
    const [lr, hr, strip] = await Promise.all(['sample-0-lr.png', 'sample-0-hr.png', 'sample-0.png'].map((f) => readImageRgb(join(out, f))));
    expect([lr.width, hr.width, strip.width, strip.height]).toEqual([32, 128, 128 + 4 + 128, 128]);
    // Same seed, same samples.
    const again = mkdtempSync(join(tmpdir(), 'sr-degrade-'));
    await srInProcess('degrade', '--config', REAL, ...SYNTH, '--out', again, '--count', '1');
    expect((await readImageRgb(join(again, 'sample-0-lr.png'))).data).toEqual(lr.data);
  });
  it('bad input is one line', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sr-degrade-'));
    expect((await srInProcess('degrade', '--config', REAL, ...SYNTH, '--out', out, '--count', '0')).error?.message).toBe('--count 0: expected an integer 1..256');
    expect((await srInProcess('degrade', '--config', join(out, 'none.json'), '--out', out)).error?.message).toMatch(/none\.json/);
    expect((await srInProcess('degrade', '--config', REAL, '--hr', join(out, 'missing'), '--out', out)).error?.message).toMatch(/missing/);
  });
});

describe('sr train with realesrgan-x4.json', () => {
  it('runs both phases on tiny sizes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sr-real-train-'));
    const sets = {
      'data.train': '{"synthetic":{"count":2,"width":136,"height":136}}',
      'data.val': '{"synthetic":{"count":1,"width":48,"height":48}}',
      'data.lrPatch': '32',
      'data.batchSize': '1',
      'generator.config': '{"scale":4,"num_feat":4,"num_block":1,"num_grow_ch":4}',
      'discriminator.config': '{"num_feat":2,"input_size":128,"norm":"batch"}',
      'phases.psnr.iterations': '2',
      'phases.gan.iterations': '2',
      'phases.gan.losses.perceptual.weight': '0',
      'validation.every': '100',
      'validation.samples': '1',
      'logging.every': '1',
      'checkpoint.every': '100',
    };
    const r = await srInProcess('train', '--config', REAL, '--out', out, ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]));
    expect(r.error).toBeUndefined();
    const log = readFileSync(join(out, 'train.jsonl'), 'utf8');
    expect(log).toMatch(/"phase":"psnr"/);
    expect(log).toMatch(/"phase":"gan"/);
    const strip = await readImageRgb(join(out, 'samples/train-degraded.png'));
    expect([strip.width, strip.height]).toEqual([128 + 4 + 128, 128]);
  }, 120_000);
});
