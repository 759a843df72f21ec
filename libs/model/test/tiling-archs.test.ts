import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createGenerator, defaultOverlap, disposeParams, getGeneratorArch, initBackend, runGenerator, Upscaler, type Generator } from '../src/index.ts';
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

  it('SRVGGNetCompact tiles run in shrinking windows (valid convs inside the image) and equal the whole image bit for bit', async () => {
    const g = gen('SRVGGNetCompact', srvgg, 3);
    kaimingKernels(g, 7);
    const up = Upscaler.forGenerator(g);
    expect(up.model.valid?.radius).toBe(defaultOverlap(g));
    for (const [image, tile] of [[noiseImage(30, 30, 3), 8], [structuredImage(41, 17), 12], [noiseImage(1, 25, 4), 7], [noiseImage(19, 1, 5), 6]] as const) {
      const whole = await up.upscale(image, { tile: 0 });
      const tiled = await up.upscale(image, { tile });
      // Same-size windows (batches) take the padded path: the same pixels too.
      const batched = await up.upscale(image, { tile, batch: 2 });
      expect(Buffer.from(tiled.data).equals(Buffer.from(whole.data))).toBe(true);
      expect(Buffer.from(batched.data).equals(Buffer.from(whole.data))).toBe(true);
      // Shrinking windows do less work than same-size ones, never less than the image itself.
      const [valid, padded] = [up.work(image.width, image.height, { tile }), up.work(image.width, image.height, { tile, batch: 2 })];
      expect(valid.tiles).toBe(padded.tiles);
      expect(valid.pixels).toBeGreaterThanOrEqual(image.width * image.height);
      if (valid.tiles > 1) expect(valid.pixels).toBeLessThan(padded.pixels);
    }
  });

  it('SRVGGNetCompact valid forward: the whole forward less the radius on each valid side, exactly', () => {
    const g = gen('SRVGGNetCompact', { ...srvgg, upscale: 2 }, 4);
    const spec = getGeneratorArch('SRVGGNetCompact').validForward!(g.config)!;
    const x = tf.randomUniform([1, 21, 26, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    const full = runGenerator(g, x);
    const r = spec.radius * 2;
    for (const [top, bottom, left, right] of [[true, false, false, false], [false, true, true, false], [true, true, true, true], [false, false, false, true]]) {
      const out = spec.forward(g.params, x, { top, bottom, left, right });
      const [h, w] = [full.shape[1] - r * (Number(top) + Number(bottom)), full.shape[2] - r * (Number(left) + Number(right))];
      expect(out.shape).toEqual([1, h, w, 3]);
      const crop = full.slice([0, top ? r : 0, left ? r : 0, 0], [1, h, w, 3]);
      expect(Buffer.from(out.dataSync().buffer).equals(Buffer.from(crop.dataSync().buffer))).toBe(true);
      tf.dispose([out, crop]);
    }
    tf.dispose([x, full]);
    // Channel-changing configs have no exact skip for it.
    expect(getGeneratorArch('SRVGGNetCompact').validForward!({ ...g.config, num_in_ch: 1 })).toBeUndefined();
  });

  // 5: inside the body's reach; 13: exactly the body's radius 6, so a valid window crops nothing for the skip.
  it.each([5, 13])('SRVGGNetCompact with a learned %ix%i skip: tiles and valid windows equal the whole image bit for bit', async (k) => {
    const g = gen('SRVGGNetCompact', { ...srvgg, skip_kernel: k }, 6);
    kaimingKernels(g, 9);
    const up = Upscaler.forGenerator(g);
    expect(defaultOverlap(g)).toBe(6);
    for (const [image, tile] of [[noiseImage(30, 30, 3), 8], [structuredImage(41, 17), 12], [noiseImage(1, 25, 4), 7]] as const) {
      const whole = await up.upscale(image, { tile: 0 });
      expect(Buffer.from((await up.upscale(image, { tile })).data).equals(Buffer.from(whole.data))).toBe(true);
      expect(Buffer.from((await up.upscale(image, { tile, batch: 2 })).data).equals(Buffer.from(whole.data))).toBe(true);
    }
  });

  it('leaves no tensors behind', async () => {
    const up = Upscaler.forGenerator(gen('RRDBNet', rrdb(4)));
    const compact = Upscaler.forGenerator(gen('SRVGGNetCompact', srvgg));
    const image = noiseImage(20, 11);
    await up.upscale(image, { tile: 8 });
    const before = tf.memory().numTensors;
    await up.upscale(image, { tile: 8, batch: 2 });
    expect(tf.memory().numTensors).toBe(before);
    await compact.upscale(image, { tile: 8 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
