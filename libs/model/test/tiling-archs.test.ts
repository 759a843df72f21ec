import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createGenerator, defaultOverlap, disposeParams, initBackend, Upscaler, type Generator } from '../src/index.ts';
import { maxAbsDiff, noiseImage, structuredImage } from './tiling-fixtures.ts';

/**
 * Replaces every conv kernel with variance-preserving (Kaiming) noise, so signals reach the full receptive field
 * instead of fading like they do under PyTorch's default init: the worst case for tile seams.
 */
function kaimingKernels(g: Generator, seed: number): void {
  for (const [name, t] of Object.entries(g.params)) {
    if (t.rank !== 4) continue;
    const [kh, kw, cin] = t.shape as number[];
    const fanIn = kh * kw * cin;
    g.params[name] = tf.randomNormal(t.shape, 0, Math.sqrt(2 / fanIn), 'float32', seed);
    t.dispose();
  }
}

describe('tiling on the real generators (wasm)', () => {
  const made: Generator[] = [];
  const gen = (arch: string, config: object, seed = 1): Generator => {
    const g = createGenerator(arch, config, seed);
    made.push(g);
    return g;
  };

  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', log: null });
  });
  afterAll(() => made.forEach((g) => disposeParams(g.params)));

  const srvgg = { num_in_ch: 3, num_out_ch: 3, num_feat: 8, num_conv: 4, upscale: 4, act_type: 'prelu' };
  const rrdb = (scale: number) => ({ num_in_ch: 3, num_out_ch: 3, scale, num_feat: 8, num_block: 1, num_grow_ch: 4 });

  // Images larger than a window (tile + 2 overlap), so interior tiles take their context from their neighbours.
  it.each([
    ['SRVGGNetCompact x4', 'SRVGGNetCompact', srvgg, 4, [structuredImage(23, 13), noiseImage(9, 30)], 6],
    ['RRDBNet x4', 'RRDBNet', rrdb(4), 4, [structuredImage(45, 40), noiseImage(41, 44)], 6],
    ['RRDBNet x2 (pixel-unshuffle by 2)', 'RRDBNet', rrdb(2), 2, [structuredImage(99, 91)], 24],
  ] as const)('%s: default overlap, tiles == whole image within 1 grey level on odd sizes', async (_name, arch, config, scale, images, tile) => {
    const up = Upscaler.forGenerator(gen(arch, config));
    for (const image of images) {
      const whole = await up.upscale(image, { tile: 0 });
      expect([whole.width, whole.height]).toEqual([image.width * scale, image.height * scale]);
      const plan = up.plan(image.width, image.height, { tile });
      expect(Math.min(plan.windowWidth - image.width, plan.windowHeight - image.height)).toBeLessThan(0);
      expect(maxAbsDiff(await up.upscale(image, { tile }), whole)).toBeLessThanOrEqual(1);
    }
  });

  it('SRVGGNetCompact default overlap is its exact receptive field (worst-case weights)', async () => {
    const g = gen('SRVGGNetCompact', srvgg, 2);
    kaimingKernels(g, 5);
    const up = Upscaler.forGenerator(g);
    const image = noiseImage(30, 30, 3);
    const overlap = defaultOverlap(g);
    expect(overlap).toBe(6);
    const whole = await up.upscale(image, { tile: 0 });
    expect(maxAbsDiff(await up.upscale(image, { tile: 8 }), whole)).toBeLessThanOrEqual(1);
    // One pixel less context and the seams show: the default is not generous by accident.
    const lessWhole = await up.upscale(image, { tile: 0, overlap: overlap - 1 });
    expect(maxAbsDiff(await up.upscale(image, { tile: 8, overlap: overlap - 1 }), lessWhole)).toBeGreaterThan(1);
  });

  it('leaves no tensors behind', async () => {
    const up = Upscaler.forGenerator(gen('RRDBNet', rrdb(4)));
    const image = noiseImage(20, 11);
    await up.upscale(image, { tile: 8 });
    const before = tf.memory().numTensors;
    await up.upscale(image, { tile: 8, batch: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
