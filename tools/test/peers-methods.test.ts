/** Our model as a peer-benchmark method: a luma network runs through the engine's luma path, as the edge API runs it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, initBackend, loadModelFile, saveModelFile, Upscaler } from '@sr/model';
import { loadMethod } from '../peers/methods.ts';
import { noiseImage } from '../peers/measure.ts';

let dir: string;
let model: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', log: null });
  dir = await mkdtemp(join(tmpdir(), 'peers-methods-'));
  const g = createGenerator('SRVGGNetCompact', { num_in_ch: 1, num_out_ch: 1, num_feat: 8, num_conv: 2, upscale: 4, act_type: 'prelu' }, 1);
  model = join(dir, 'luma.safetensors');
  await saveModelFile(model, g);
  disposeParams(g.params);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('our luma model as a method', () => {
  it('upscales RGB as the engine does and says the colour is bicubic', async () => {
    const method = await loadMethod({ kind: 'ours', name: 'luma', path: model });
    try {
      const lr = noiseImage(12, 10, 3);
      const sr = await method.upscale(lr);
      expect([sr.width, sr.height, sr.channels]).toEqual([48, 40, 3]);
      const { generator } = await loadModelFile(model);
      expect(sr.data).toEqual((await Upscaler.forGenerator(generator).upscale(lr, { tile: 0 })).data);
      disposeParams(generator.params);
      expect(method.source).toMatchObject({ colour: expect.stringMatching(/luma.*bicubic/) });
    } finally {
      await method.dispose();
    }
  });
});
