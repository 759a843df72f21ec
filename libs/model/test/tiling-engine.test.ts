import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ImageU8 } from '@sr/metrics';
import { Upscaler, type RowBand } from '../src/tiling.ts';
import { maxAbsDiff, noiseImage, structuredImage, toyNet, type ToyNet } from './tiling-fixtures.ts';

const URBAN_VAL = new URL('../../../../shared/datasets/urban100-val/img_091.png', import.meta.url).pathname;

/** Independent whole-image reference: tf.mirrorPad (needs pad < size), one forward, crop, clamp, round. */
function mirrorPadReference(net: ToyNet, image: ImageU8, pad: number): ImageU8 {
  const s = net.scale;
  const m = net.multiple ?? 1;
  const extraH = (m - (image.height % m)) % m;
  const extraW = (m - (image.width % m)) % m;
  const out = tf.tidy(() => {
    const x = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32').toFloat().div(255) as tf.Tensor4D;
    const padded = tf.mirrorPad(x, [[0, 0], [pad, pad + extraH], [pad, pad + extraW], [0, 0]], 'reflect');
    const y = net.forward(padded).slice([0, pad * s, pad * s, 0], [1, image.height * s, image.width * s, 3]);
    return y.clipByValue(0, 1).mul(255).round().toInt();
  });
  const data = Uint8Array.from(out.dataSync());
  out.dispose();
  return { width: image.width * s, height: image.height * s, channels: 3, data };
}

async function loadNaturalCrop(): Promise<ImageU8 | null> {
  if (!existsSync(URBAN_VAL)) return null;
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(URBAN_VAL)
    .extract({ left: 200, top: 150, width: 45, height: 38 })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

describe('Upscaler', () => {
  let net: ToyNet;
  let unshuffleNet: ToyNet;
  let up: Upscaler;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    net = toyNet({ scale: 2, convs: 3 });
    unshuffleNet = toyNet({ scale: 2, convs: 2, unshuffle: 2, seed: 3 });
    up = new Upscaler(net);
  });
  afterAll(() => {
    net.dispose();
    unshuffleNet.dispose();
  });

  const shapes: [string, () => ImageU8, number][] = [
    ['noise, tile not dividing the image', () => noiseImage(37, 23), 16],
    ['structured, non-square', () => structuredImage(50, 19), 12],
    ['tiny image smaller than a tile', () => noiseImage(5, 3), 16],
    ['1 pixel wide', () => structuredImage(1, 20), 8],
    ['1 pixel high', () => noiseImage(13, 1), 4],
  ];

  it.each(shapes)('tiled == whole-image within 1 grey level: %s', async (_name, make, tile) => {
    const image = make();
    const overlap = net.receptiveField;
    const whole = await up.upscale(image, { tile: 0, overlap });
    const tiled = await up.upscale(image, { tile, overlap });
    expect([tiled.width, tiled.height, tiled.channels]).toEqual([image.width * 2, image.height * 2, 3]);
    expect(maxAbsDiff(tiled, whole)).toBeLessThanOrEqual(1);
  });

  it('whole-image mode equals reflect pre-padding + one forward + crop', async () => {
    const image = structuredImage(29, 21);
    expect(maxAbsDiff(await up.upscale(image, { tile: 0, overlap: 6 }), mirrorPadReference(net, image, 6))).toBeLessThanOrEqual(1);
  });

  it('tiles of a natural image agree with the whole image', async (ctx) => {
    const image = await loadNaturalCrop();
    if (!image) return ctx.skip();
    const overlap = net.receptiveField;
    const whole = await up.upscale(image, { tile: 0, overlap });
    expect(maxAbsDiff(await up.upscale(image, { tile: 16, overlap }), whole)).toBeLessThanOrEqual(1);
  });

  it('shows seams when the overlap is below the receptive field (the comparison can fail)', async () => {
    const image = noiseImage(40, 40);
    const whole = await up.upscale(image, { tile: 0, overlap: 0 });
    expect(maxAbsDiff(await up.upscale(image, { tile: 10, overlap: 0 }), whole)).toBeGreaterThan(1);
  });

  it('keeps pixel-unshuffling networks on their grid (odd sizes, multiple 2)', async () => {
    const u = new Upscaler(unshuffleNet);
    const image = noiseImage(27, 19, 11);
    const overlap = unshuffleNet.receptiveField;
    const whole = await u.upscale(image, { tile: 0, overlap });
    expect([whole.width, whole.height]).toEqual([54, 38]);
    expect(maxAbsDiff(await u.upscale(image, { tile: 7, overlap }), whole)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(whole, mirrorPadReference(unshuffleNet, image, u.plan(27, 19, { overlap }).pad))).toBeLessThanOrEqual(1);
  });

  it('batches equal-size tiles with the same result and fewer forward calls', async () => {
    const image = noiseImage(33, 30);
    const single = await up.upscale(image, { tile: 8, overlap: 5 });
    const before = net.calls;
    const batched = await up.upscale(image, { tile: 8, overlap: 5, batch: 4 });
    expect(net.calls - before).toBe(Math.ceil(up.plan(33, 30, { tile: 8 }).tiles.length / 4));
    expect(maxAbsDiff(batched, single)).toBeLessThanOrEqual(1);
  });

  it('streams row bands that reassemble the image, top to bottom', async () => {
    const image = structuredImage(30, 21);
    const full = await up.upscale(image, { tile: 8, overlap: 5, batch: 3 });
    const bands: RowBand[] = [];
    await up.upscaleRows(image, async (band) => void bands.push(band), { tile: 8, overlap: 5, batch: 3 });
    expect(bands.map((b) => b.y)).toEqual([0, 16, 32]);
    expect(bands.map((b) => b.height)).toEqual([16, 16, 10]);
    const joined = new Uint8Array(full.data.length);
    let o = 0;
    for (const b of bands) {
      joined.set(b.data, o);
      o += b.data.length;
    }
    expect(o).toBe(full.data.length);
    expect(Buffer.from(joined).equals(Buffer.from(full.data))).toBe(true);
  });

  it('reports progress with increasing counts up to the total', async () => {
    const calls: [number, number][] = [];
    await up.upscale(noiseImage(20, 20), { tile: 8, batch: 2, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls).toEqual([
      [2, 9],
      [4, 9],
      [6, 9],
      [8, 9],
      [9, 9],
    ]);
  });

  it('aborts between tiles with an AbortError and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    const done: number[] = [];
    const run = up.upscale(noiseImage(40, 40), {
      tile: 8,
      onProgress: (d) => {
        done.push(d);
        // Fired from the event loop, so it lands only if the engine yields between tiles.
        if (d === 3) setImmediate(() => ctrl.abort());
      },
      signal: ctrl.signal,
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(done).toEqual([1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects at once for an already aborted signal', async () => {
    const calls = net.calls;
    await expect(up.upscale(noiseImage(8, 8), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(net.calls).toBe(calls);
  });

  it('holds no tensors between batches, whatever the image size', async () => {
    const before = tf.memory().numTensors;
    const alive: number[] = [];
    const windows: number[] = [];
    const probe = new Upscaler({ ...net, forward: (x) => (windows.push(x.size), net.forward(x)) });
    for (const side of [16, 48]) {
      await probe.upscale(noiseImage(side, side), { tile: 8, overlap: 4, batch: 2, onProgress: () => alive.push(tf.memory().numTensors - before) });
    }
    expect(new Set(alive)).toEqual(new Set([0]));
    // Every forward call sees one batch of equal windows, however large the image.
    expect(new Set(windows)).toEqual(new Set([2 * (8 + 2 * 4) ** 2 * 3]));
  });

  it('does not leak tensors across runs, also when the model misbehaves', async () => {
    const image = noiseImage(24, 17);
    await up.upscale(image, { tile: 8 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await up.upscale(image, { tile: 8, batch: 2 });
    await up.upscaleRows(image, () => {}, { tile: 0 });
    const wrongScale = new Upscaler({ forward: net.forward, scale: 3 });
    await expect(wrongScale.upscale(image, { tile: 8 })).rejects.toThrow(/model output 1x.*scale 3/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects malformed input with a clear error', async () => {
    await expect(up.upscale({ width: 4, height: 4, channels: 3, data: new Uint8Array(10) })).rejects.toThrow(/upscale input: data has 10 values/);
    await expect(up.upscale(noiseImage(4, 4), { batch: 0 })).rejects.toThrow(/batch/);
    expect(() => new Upscaler({ forward: net.forward, scale: 0 })).toThrow(/scale/);
  });
});
