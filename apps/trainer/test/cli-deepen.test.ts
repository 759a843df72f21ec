import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createGenerator, initBackend, loadModelFile, runGenerator, saveModelFile } from '@sr/model';
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
    expect(r.stdout).toBe(`${luma}: SRVGGNetCompact num_conv 2, luma, nearest skip, sha256 ${loaded.sha256}`);
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

  it('--skip-kernel swaps the nearest skip for a learned one computing the same upscale; refuses an even kernel', async () => {
    await initBackend({ prefer: 'wasm', log: null });
    const src = join(root, 'nearest.safetensors');
    const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4 }, 3);
    await saveModelFile(src, g, {});
    const out = join(root, 'skip.safetensors');
    const r = await sr('deepen', '--model', src, '--luma', '--skip-kernel', '5', '--out', out);
    expect(r.error).toBeUndefined();
    const loaded = await loadModelFile(out);
    expect(r.stdout).toBe(`${out}: SRVGGNetCompact num_conv 2, luma, 5×5 learned skip, sha256 ${loaded.sha256}`);
    expect(loaded.generator.config).toMatchObject({ num_in_ch: 1, num_out_ch: 1, skip_kernel: 5 });
    expect(loaded.generator.params['skip.weight'].shape).toEqual([5, 5, 1, 16]);
    // Same function as the luma fold alone (a gray input, where the fold is exact).
    const lumaOnly = join(root, 'luma-only.safetensors');
    expect((await sr('deepen', '--model', src, '--luma', '--out', lumaOnly)).error).toBeUndefined();
    const x = tf.randomUniform([1, 7, 9, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const a = runGenerator((await loadModelFile(lumaOnly)).generator, x);
    const b = runGenerator(loaded.generator, x);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);

    const even = await sr('deepen', '--model', src, '--skip-kernel', '4', '--out', join(root, 'x.safetensors'));
    expect(even.error).toBeInstanceOf(CliError);
    expect(even.error?.message).toBe('nearest.safetensors: config.skip_kernel must be 0 or an odd integer from 1 to 9, got 4');
  });

  it('asks for --num-conv, --luma or --skip-kernel: a usage error in one line', async () => {
    const r = await sr('deepen', '--model', join(root, 'small.safetensors'), '--out', join(root, 'none.safetensors'));
    expect(r.error).toBeInstanceOf(CliError);
    expect((r.error as CliError).exitCode).toBe(2);
    expect(r.error?.message).toBe('give --num-conv, --luma, --skip-kernel or several');
  });
});
