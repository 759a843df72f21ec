import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '@sr/model';
import { syntheticImage } from '../src/data/synthetic.ts';
import { writeImage } from '../src/io/image-io.ts';
import { readJsonl } from '../src/report/jsonl.ts';
import { SR_BIN, TINY_CONFIG, tinyRunArgs } from './helpers.ts';

describe('sr train with several training and validation folders (end to end)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-sources-cli-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('trains on two weighted folders (one pre-resized) and reports each validation set in train.jsonl and the model file', async () => {
    const folder = async (name: string, count: number, side: number, seed: number) => {
      for (let i = 0; i < count; i++) await writeImage(join(root, name, `${i}.png`), syntheticImage(seed, i, side, side));
      return join(root, name);
    };
    const train = [
      { hr: await folder('plain', 2, 136, 1), weight: 0.6 },
      { hr: await folder('big', 2, 272, 2), downscale: 0.5, weight: 0.4, maxImages: 1 },
    ];
    const val = [{ hr: await folder('val-a', 1, 64, 3) }, { hr: await folder('val-b', 1, 48, 4), name: 'second' }];
    const out = join(root, 'run');
    const args = tinyRunArgs({
      'data.train': JSON.stringify(train),
      'data.val': JSON.stringify(val),
      'phases.psnr.iterations': '4',
      'phases.psnr.scheduler': '{"type":"cosine","periods":[4]}',
      'validation.every': '2',
      'validation.samples': '1',
      'checkpoint.every': '4',
    });
    const r = spawnSync(process.execPath, [SR_BIN, 'train', '--config', TINY_CONFIG, '--out', out, '--phase', 'psnr', ...args], {
      encoding: 'utf8',
      env: { ...process.env, SR_WASM_THREADS: '1' },
    });
    expect(r.stderr + r.stdout).toMatch(/3 training images \(plain 2, p=0\.60; big 1, p=0\.40\)/);
    expect(r.status).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/validation sets val-a \(1 images\), second \(1 images\)/);
    expect(r.stderr + r.stdout).toMatch(/val psnr 2: val-a [\d.]+ dB \/ [\d.]+ \(bicubic [\d.]+\) \| second /);
    const vals = readJsonl(join(out, 'train.jsonl')).filter((x) => x.kind === 'val');
    expect(vals.map((v) => v.iter)).toEqual([2, 4]);
    for (const v of vals) {
      const sets = v.sets as { name: string; psnr: number; ssim: number; bicubic: { psnr: number } }[];
      expect(sets.map((s) => s.name)).toEqual(['val-a', 'second']);
      expect(sets[0].psnr).toBe(v.psnr);
      expect(sets[0].ssim).toBe(v.ssim);
      expect(sets[0].bicubic).toEqual(v.bicubic);
      expect(sets[1].psnr).not.toBe(sets[0].psnr);
      for (const s of sets) expect(Number.isFinite(s.psnr) && Number.isFinite(s.bicubic.psnr)).toBe(true);
    }
    const meta = parseSafetensors(readFileSync(join(out, 'psnr.safetensors'))).metadata;
    const perSet = JSON.parse(meta.val_sets) as { name: string; psnr_y: number }[];
    expect(perSet.map((s) => s.name)).toEqual(['val-a', 'second']);
    expect(perSet[0].psnr_y).toBe(Number(meta.val_psnr_y));
  }, 120_000);
});
