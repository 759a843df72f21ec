import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { initBackend } from '@sr/model';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileModelHandler } from '../peers/file-io.ts';
import { noiseImage } from '../peers/measure.ts';
import { loadUpscalerJs, upscalerJsModel, type UpscalerJsModelName } from '../peers/upscalerjs.ts';

const require = createRequire(import.meta.url);

/** The model straight from its package files, run by hand: the reference the adapter must match. */
async function reference(name: UpscalerJsModelName, pixels: Float32Array, h: number, w: number): Promise<Uint8Array> {
  const def = upscalerJsModel(name);
  // The package exports no package.json; its folder is what precedes dist/ in the entry's path.
  const pkgDir = /^(.*)[/\\]dist[/\\]/.exec(require.resolve(`@upscalerjs/${name}`))![1];
  const model = await tf.loadLayersModel(fileModelHandler(join(pkgDir, def._internals!.path)));
  const inMax = def.inputRange![1];
  const outMax = def.outputRange![1];
  const y = tf.tidy(() => {
    const x = tf.tensor4d(pixels, [1, h, w, 3]).mul(inMax / 255);
    return (model.predict(x) as tf.Tensor).clipByValue(0, outMax).mul(255 / outMax);
  });
  const out = Uint8Array.from(await y.data(), (v) => Math.round(v));
  y.dispose();
  model.dispose();
  return out;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', threads: 1, log: null });
  // Custom layers of the thick model (MultiplyBeta, PixelShuffle4x) are registered by its definition's setup().
  await upscalerJsModel('esrgan-thick').setup?.(tf);
});
afterEach(() => vi.unstubAllGlobals());

describe('UpscalerJS on our tfjs (wasm)', () => {
  it('the RDN models work on 0..255 pixels and the RRDN (thick) on 0..1', () => {
    expect(upscalerJsModel('esrgan-slim')).toMatchObject({ scale: 4, inputRange: [0, 255], outputRange: [0, 255] });
    expect(upscalerJsModel('esrgan-medium')).toMatchObject({ scale: 4, inputRange: [0, 255], outputRange: [0, 255] });
    expect(upscalerJsModel('esrgan-thick')).toMatchObject({ scale: 4, inputRange: [0, 1], outputRange: [0, 1] });
  });

  it.each([
    ['esrgan-slim', 233_451],
    ['esrgan-thick', 7_260_740],
  ] as const)('%s: whole-image upscale equals the model run by hand, loaded without network', async (name, params) => {
    const fetchSpy = vi.fn(() => Promise.reject(new Error('no network in tests')));
    vi.stubGlobal('fetch', fetchSpy);
    const m = await loadUpscalerJs(name);
    try {
      expect(m.params).toBe(params);
      const lr = noiseImage(9, 7, 5);
      const sr = await m.upscale(lr);
      expect([sr.width, sr.height, sr.channels]).toEqual([36, 28, 3]);
      expect(Array.from(sr.data)).toEqual(Array.from(await reference(name, Float32Array.from(lr.data), 7, 9)));
      expect(fetchSpy).not.toHaveBeenCalled();
      const tensors = tf.memory().numTensors;
      await m.upscale(lr);
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      await m.dispose();
    }
  });

  it('rejects non-RGB input', async () => {
    const m = await loadUpscalerJs('esrgan-slim');
    try {
      await expect(m.upscale({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) })).rejects.toThrow(/RGB/);
    } finally {
      await m.dispose();
    }
  });
});
