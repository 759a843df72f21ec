import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, loadModelFile, parseSafetensors } from '@sr/model';
import { CliError } from '../src/cli-error.ts';
import { SR_BIN as SR, TINY_CONFIG as TINY, srInProcess as sr, tinyRunArgs } from './helpers.ts';
import { readJsonl } from '../src/report/jsonl.ts';

/** The tiny example, psnr phase only, small enough for a few seconds; validates at iterations 4 and 8. */
const FAST = tinyRunArgs({
  'phases.psnr.iterations': '8',
  'phases.psnr.scheduler': '{"type":"cosine","periods":[8]}',
  'validation.every': '4',
  'validation.samples': '1',
  'checkpoint.every': '2',
});

describe('sr export', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-export-'));
  const run = join(root, 'run');

  beforeAll(async () => {
    const r = spawnSync(process.execPath, [SR, 'train', '--config', TINY, '--out', run, '--phase', 'psnr', ...FAST], {
      encoding: 'utf8',
      env: { ...process.env, SR_WASM_THREADS: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    await initBackend({ prefer: 'cpu', log: null });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the EMA weights of the checkpoint with the run facts and its last validation', async () => {
    const out = join(root, 'ema.safetensors');
    const r = await sr('export', '--run', run, '--out', out, '--json');
    expect(r.error).toBeUndefined();
    const report = JSON.parse(r.stdout);
    const lastVal = readJsonl(join(run, 'train.jsonl')).filter((x) => x.kind === 'val').at(-1)!;
    expect(report).toMatchObject({ arch: 'SRVGGNetCompact', scale: 4, phase: 'psnr', iterations: 8, weights: 'ema', validation: { iter: 8, psnr: lastVal.psnr, ssim: lastVal.ssim } });

    const m = await loadModelFile(out);
    expect(m.sha256).toBe(report.sha256);
    expect(m.dtypes).toEqual(['F32']);
    expect(m.metadata).toMatchObject({ format: 'sr-toolkit/1', arch: 'SRVGGNetCompact', scale: '4', phase: 'psnr', iterations: '8', weights: 'ema', trained_with: 'sr-toolkit trainer' });
    expect(JSON.parse(m.metadata.config)).toMatchObject({ num_feat: 8, num_conv: 2, upscale: 4 });
    expect(Number(m.metadata.val_psnr_y)).toBeCloseTo(lastVal.psnr as number, 3);
    expect(Number(m.metadata.val_ssim_y)).toBeCloseTo(lastVal.ssim as number, 5);
    // The end-of-phase export holds the same (EMA) weights as the last checkpoint.
    const mine = parseSafetensors(new Uint8Array(readFileSync(out))).tensors;
    const trainer = parseSafetensors(new Uint8Array(readFileSync(join(run, 'psnr.safetensors')))).tensors;
    expect(Object.keys(mine).sort()).toEqual(Object.keys(trainer).sort());
    for (const k of Object.keys(trainer)) expect(Array.from(mine[k].data), k).toEqual(Array.from(trainer[k].data));
  });

  it('--weights g exports the raw generator (no validation scores: those were measured on EMA), --fp16 halves it', async () => {
    const out = join(root, 'g.safetensors');
    const r = await sr('export', '--run', run, '--out', out, '--weights', 'g', '--fp16', '--json');
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.stdout).validation).toBeUndefined();
    const m = await loadModelFile(out);
    expect(m.dtypes).toEqual(['F16']);
    expect(m.metadata.weights).toBe('g');
    expect(m.metadata.val_psnr_y).toBeUndefined();
    const ema = parseSafetensors(new Uint8Array(readFileSync(join(root, 'ema.safetensors')))).tensors;
    const g = parseSafetensors(new Uint8Array(readFileSync(out))).tensors;
    expect(Array.from(g['body.0.weight'].data)).not.toEqual(Array.from(ema['body.0.weight'].data));
  });

  it('refuses a folder without a checkpoint and a corrupt checkpoint with a clear message', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const none = await sr('export', '--run', empty, '--out', join(root, 'x.safetensors'));
    expect(none.error).toBeInstanceOf(CliError);
    expect(none.error!.message).toBe(`cannot export: no checkpoint.safetensors in ${empty}`);

    const corrupt = join(root, 'corrupt');
    mkdirSync(corrupt);
    copyFileSync(join(run, 'checkpoint.safetensors'), join(corrupt, 'checkpoint.safetensors'));
    writeFileSync(join(corrupt, 'checkpoint.safetensors'), readFileSync(join(corrupt, 'checkpoint.safetensors')).subarray(0, 1000));
    const bad = await sr('export', '--run', corrupt, '--out', join(root, 'y.safetensors'));
    expect(bad.error).toBeInstanceOf(CliError);
    expect(bad.error!.message).toMatch(/^cannot export from .*checkpoint\.safetensors: /);
  });

  it('exits 2 with one line on stderr (real CLI)', () => {
    const r = spawnSync(process.execPath, [SR, 'export', '--run', join(root, 'missing'), '--out', join(root, 'z.safetensors')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`sr: cannot export: no checkpoint.safetensors in ${join(root, 'missing')}`]);
  });
});
