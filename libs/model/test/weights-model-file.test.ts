import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator } from '../src/generator.ts';
import { initBackend } from '../src/runtime/backend.ts';
import type { Generator } from '../src/archs/types.ts';
import { generatorFromStateDict } from '../src/weights/generator-weights.ts';
import { WeightsError } from '../src/weights/errors.ts';
import {
  decodeModelFile, encodeModelFile, importWeights, loadModelFile, MODEL_FORMAT, saveModelFile,
} from '../src/weights/model-file.ts';
import { readPth } from '../src/weights/pth.ts';
import { parseSafetensors, serializeSafetensors } from '../src/weights/safetensors.ts';
import { fixtureBytes } from './fixture-files.ts';

const data = (g: Generator, k: string) => g.params[k].dataSync() as Float32Array;

function expectSameParams(a: Generator, b: Generator, tol = 0): void {
  expect(Object.keys(b.params).sort()).toEqual(Object.keys(a.params).sort());
  for (const k of Object.keys(a.params)) {
    expect(b.params[k].shape, k).toEqual(a.params[k].shape);
    const x = data(a, k);
    const y = data(b, k);
    for (let i = 0; i < x.length; i++) {
      if (tol === 0) expect(y[i], k).toBe(x[i]);
      // float16 keeps 11 significant bits: relative error ≤ 2^-11, absolute ≤ 2^-25 near zero.
      else expect(Math.abs(y[i] - x[i]), k).toBeLessThanOrEqual(Math.max(Math.abs(x[i]) * 2 ** -11, 2 ** -25));
    }
  }
}

describe('model file', () => {
  let g: Generator;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu', log: null });
    g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2 }, 3);
  });

  it('round-trips a generator bit-exactly with its metadata, in PyTorch layout on disk', async () => {
    const bytes = await encodeModelFile(g, { phase: 'psnr', iterations: 1000, val_psnr_y: 30.5, note: undefined });
    const raw = parseSafetensors(bytes);
    expect(raw.metadata).toEqual({
      format: MODEL_FORMAT, arch: 'SRVGGNetCompact', config: JSON.stringify(g.config), scale: '2', phase: 'psnr',
      iterations: '1000', val_psnr_y: '30.5',
    });
    expect(raw.tensors['body.0.weight'].shape).toEqual([8, 3, 3, 3]); // OIHW
    const hwio = data(g, 'body.0.weight'); // [3,3,3,8]: element (kh=1, kw=2, i=0, o=5)
    expect(raw.tensors['body.0.weight'].data[((5 * 3 + 0) * 3 + 1) * 3 + 2]).toBe(hwio[((1 * 3 + 2) * 3 + 0) * 8 + 5]);
    const back = await decodeModelFile(bytes);
    expect(back.generator.arch).toBe('SRVGGNetCompact');
    expect(back.generator.config).toEqual(g.config);
    expect(back.generator.scale).toBe(2);
    expect(back.metadata.phase).toBe('psnr');
    expect(back.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expectSameParams(g, back.generator);
  });

  it('stores float16 within half-precision tolerance at half the size', async () => {
    const f32 = await encodeModelFile(g);
    const f16 = await encodeModelFile(g, {}, { fp16: true });
    expect(f16.length).toBeLessThan(f32.length * 0.6);
    expectSameParams(g, (await decodeModelFile(f16)).generator, 1);
  });

  it('saves atomically and loads from a path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-model-'));
    const path = join(dir, 'sub', 'm.safetensors');
    const sha = await saveModelFile(path, g, { phase: 'gan' });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['m.safetensors']);
    expect(sha).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    const back = await loadModelFile(path);
    expect(back.sha256).toBe(sha);
    expectSameParams(g, back.generator);
  });

  it('converts .pth → safetensors → load with identical parameters', async () => {
    const imported = await importWeights(fixtureBytes('rrdbnet_x4_old_esrgan.pth'));
    expect(imported.format).toBe('pth');
    expect(imported.generator.config).toMatchObject({ num_feat: 8, num_block: 2, num_grow_ch: 4, scale: 4 });
    const reloaded = await decodeModelFile(await encodeModelFile(imported.generator));
    expectSameParams(imported.generator, reloaded.generator);
    // and the file holds exactly the PyTorch tensors
    const torch = readPth(fixtureBytes('rrdbnet_x4.pth')).stateDict;
    const ours = parseSafetensors(await encodeModelFile((await importWeights(fixtureBytes('rrdbnet_x4.pth'))).generator)).tensors;
    for (const [k, t] of Object.entries(torch)) expect(Array.from(ours[k].data), k).toEqual(Array.from(t.data));
  });

  it('accepts foreign safetensors (no metadata) by inferring the architecture', async () => {
    const sd = readPth(fixtureBytes('srvgg_x4_prelu.pth')).stateDict;
    const loaded = await decodeModelFile(serializeSafetensors(sd));
    expect(loaded.generator.config).toMatchObject({ upscale: 4, act_type: 'prelu', num_conv: 3 });
    expect(loaded.metadata.format).toBe(MODEL_FORMAT);
  });

  describe('names the problem in a bad file', () => {
    const sd = () => readPth(fixtureBytes('srvgg_x2_relu.pth')).stateDict;
    const meta = { format: MODEL_FORMAT, arch: 'SRVGGNetCompact', config: JSON.stringify({ num_feat: 8, num_conv: 3, upscale: 2, act_type: 'relu' }), scale: '2' };
    const cases: Array<[string, () => Uint8Array, RegExp]> = [
      ['missing key', () => { const s = sd(); delete s['body.4.bias']; return serializeSafetensors(s, meta); }, /missing keys body\.4\.bias/],
      ['unknown key', () => serializeSafetensors({ ...sd(), 'extra.weight': { shape: [1], data: new Float32Array(1) } }, meta), /unknown keys extra\.weight/],
      [
        'shape mismatch',
        () => serializeSafetensors({ ...sd(), 'body.2.bias': { shape: [7], data: new Float32Array(7) } }, meta),
        /"body\.2\.bias" has shape \[7\], expected \[8\]/,
      ],
      ['scale mismatch', () => serializeSafetensors(sd(), { ...meta, scale: '4' }), /scale 4 does not match/],
      ['other format', () => serializeSafetensors(sd(), { ...meta, format: 'other/2' }), /unsupported model format "other\/2"/],
      ['bad config', () => serializeSafetensors(sd(), { ...meta, config: '{' }), /not valid JSON/],
    ];
    it.each(cases)('%s', async (_label, make, message) => {
      await expect(decodeModelFile(make())).rejects.toThrow(message);
    });
    it('rejects bytes that are neither format', async () => {
      await expect(importWeights(new Uint8Array(64))).rejects.toThrow(WeightsError);
    });
  });

  it('keeps the config of a generator built from a state dict', () => {
    const built = generatorFromStateDict(readPth(fixtureBytes('rrdbnet_x1.pth')).stateDict);
    expect(built).toMatchObject({ arch: 'RRDBNet', scale: 1 });
    expect(built.params['conv_first.weight'].shape).toEqual([3, 3, 48, 8]);
    tf.dispose(Object.values(built.params));
  });
});
