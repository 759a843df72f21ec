import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGenerator, initBackend, loadModelFile, saveModelFile } from '@sr/model';
import { CliError } from '../src/cli-error.ts';
import { srInProcess as sr } from './helpers.ts';

describe('sr deepen', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-deepen-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes a deeper SRVGGNetCompact that names its source, and refuses a shallower target in one line', async () => {
    await initBackend({ prefer: 'wasm', log: null });
    const src = join(root, 'small.safetensors');
    const srcSha = await saveModelFile(src, createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4 }, 1), {});
    const out = join(root, 'deep.safetensors');
    const r = await sr('deepen', '--model', src, '--num-conv', '3', '--out', out, '--json');
    expect(r.error).toBeUndefined();
    const loaded = await loadModelFile(out);
    expect(JSON.parse(r.stdout)).toMatchObject({ output: out, numConv: 3, sha256: loaded.sha256 });
    expect(loaded.generator.config).toMatchObject({ num_feat: 8, num_conv: 3 });
    expect(loaded.metadata).toMatchObject({ phase: 'deepen', source: 'small.safetensors', source_sha256: srcSha });

    const bad = await sr('deepen', '--model', src, '--num-conv', '1', '--out', join(root, 'x.safetensors'));
    expect(bad.error?.message).toBe("small.safetensors: num_conv must be an integer above the model's 2, got 1");
  });

  it('--luma folds an RGB model to one channel, alone or with --num-conv; refuses an already-luma model', async () => {
    await initBackend({ prefer: 'wasm', log: null });
    const src = join(root, 'rgb.safetensors');
    await saveModelFile(src, createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4 }, 2), {});
    const luma = join(root, 'luma.safetensors');
    const r = await sr('deepen', '--model', src, '--luma', '--out', luma);
    expect(r.error).toBeUndefined();
    const loaded = await loadModelFile(luma);
    expect(r.stdout).toBe(`${luma}: SRVGGNetCompact num_conv 2, luma, sha256 ${loaded.sha256}`);
    expect(loaded.generator.config).toMatchObject({ num_in_ch: 1, num_out_ch: 1, num_conv: 2 });
    expect(loaded.generator.params['body.0.weight'].shape).toEqual([3, 3, 1, 8]);
    expect(loaded.generator.params['body.6.weight'].shape).toEqual([3, 3, 8, 16]);

    const deep = join(root, 'luma-deep.safetensors');
    const d = await sr('deepen', '--model', src, '--luma', '--num-conv', '4', '--out', deep, '--json');
    expect(d.error).toBeUndefined();
    expect(JSON.parse(d.stdout)).toMatchObject({ output: deep, numConv: 4, channels: 1 });
    const deepLoaded = await loadModelFile(deep);
    expect(deepLoaded.generator.config).toMatchObject({ num_in_ch: 1, num_out_ch: 1, num_conv: 4 });
    expect(deepLoaded.generator.params['body.10.weight'].shape).toEqual([3, 3, 8, 16]);

    const again = await sr('deepen', '--model', luma, '--luma', '--out', join(root, 'x.safetensors'));
    expect(again.error).toBeInstanceOf(CliError);
    expect(again.error?.message).toBe('luma.safetensors: the model is not RGB (num_in_ch 1, num_out_ch 1)');
  });

  it('asks for --num-conv or --luma: a usage error in one line', async () => {
    const r = await sr('deepen', '--model', join(root, 'small.safetensors'), '--out', join(root, 'none.safetensors'));
    expect(r.error).toBeInstanceOf(CliError);
    expect((r.error as CliError).exitCode).toBe(2);
    expect(r.error?.message).toBe('give --num-conv, --luma or both');
  });
});
