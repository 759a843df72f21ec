import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ImageU16, ImageU8 } from '@sr/metrics';
import { Upscaler, type RowBand } from '../src/tiling.ts';
import { maxAbsDiff, noiseImage, structuredImage, toyNet, type ToyNet } from './tiling-fixtures.ts';

const URBAN_VAL = new URL('../../../../shared/datasets/urban100-val/img_091.png', import.meta.url).pathname;

/**
 * Independent whole-image reference, as Real-ESRGAN's `RealESRGANer` does it: reflect-pad by `pad` on every side
 * (`pre_pad`; 0 = PyTorch's plain whole-image forward) and at the right/bottom to the network's multiple (`mod_pad`)
 * with tf.mirrorPad (needs pad < size), one forward, crop, clamp, round to the input's depth.
 */
function mirrorPadReference<I extends ImageU8 | ImageU16>(net: ToyNet, image: I, pad: number): I {
  const s = net.scale;
  const m = net.multiple ?? 1;
  const max = image.data instanceof Uint16Array ? 65535 : 255;
  const extraH = (m - (image.height % m)) % m;
  const extraW = (m - (image.width % m)) % m;
  const out = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(image.data), [1, image.height, image.width, 3]).div(max) as tf.Tensor4D;
    const padded = tf.mirrorPad(x, [[0, 0], [pad, pad + extraH], [pad, pad + extraW], [0, 0]], 'reflect');
    const y = net.forward(padded).slice([0, pad * s, pad * s, 0], [1, image.height * s, image.width * s, 3]);
    return y.clipByValue(0, 1).mul(max).round().toInt();
  });
  const values = out.dataSync();
  out.dispose();
  const data = max === 255 ? Uint8Array.from(values) : Uint16Array.from(values);
  return { width: image.width * s, height: image.height * s, channels: 3, data } as I;
}

/** The 8-bit image as 16-bit with a seeded sub-8-bit detail per sample, so 16-bit precision matters. */
function to16(image: ImageU8): ImageU16 {
  const data = Uint16Array.from(image.data, (v, i) => Math.min(65535, v * 257 + ((i * 97) % 251)));
  return { ...image, data };
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


/** Concatenates row bands into `out`, which they must fill exactly. */
function joinBands<T extends Uint8Array | Uint16Array>(bands: { data: T }[], out: T): T {
  let o = 0;
  for (const b of bands) {
    out.set(b.data, o);
    o += b.data.length;
  }
  expect(o).toBe(out.length);
  return out;
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

  it.each(shapes.flatMap(([name, make, tile]) => (['zero', 'reflect'] as const).map((padding) => [name, padding, make, tile] as const)))(
    'tiled == whole-image within 1 grey level: %s, %s padding',
    async (_name, padding, make, tile) => {
      const image = make();
      const overlap = net.receptiveField;
      const whole = await up.upscale(image, { tile: 0, overlap, padding });
      const tiled = await up.upscale(image, { tile, overlap, padding });
      expect([tiled.width, tiled.height, tiled.channels]).toEqual([image.width * 2, image.height * 2, 3]);
      expect(maxAbsDiff(tiled, whole)).toBeLessThanOrEqual(1);
    },
  );

  it('zero padding (default): whole image and tiles equal one plain forward on the image, as PyTorch', async () => {
    const image = structuredImage(29, 21);
    const reference = mirrorPadReference(net, image, 0);
    expect(maxAbsDiff(await up.upscale(image, { tile: 0 }), reference)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(await up.upscale(image, { tile: 8, overlap: net.receptiveField }), reference)).toBeLessThanOrEqual(1);
    // The reflect option really is different at the border (else this test could not tell them apart).
    expect(maxAbsDiff(await up.upscale(image, { tile: 0, overlap: 6, padding: 'reflect' }), reference)).toBeGreaterThan(1);
  });

  it('reflect padding: whole-image mode equals reflect pre-padding + one forward + crop', async () => {
    const image = structuredImage(29, 21);
    const reflected = await up.upscale(image, { tile: 0, overlap: 6, padding: 'reflect' });
    expect(maxAbsDiff(reflected, mirrorPadReference(net, image, 6))).toBeLessThanOrEqual(1);
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

  it.each(['zero', 'reflect'] as const)('keeps pixel-unshuffling networks on their grid (odd sizes, multiple 2), %s padding', async (padding) => {
    const u = new Upscaler(unshuffleNet);
    const image = noiseImage(27, 19, 11);
    const overlap = unshuffleNet.receptiveField;
    const whole = await u.upscale(image, { tile: 0, overlap, padding });
    expect([whole.width, whole.height]).toEqual([54, 38]);
    expect(maxAbsDiff(await u.upscale(image, { tile: 7, overlap, padding }), whole)).toBeLessThanOrEqual(1);
    // Zero padding: only the alignment column/row is reflected (Real-ESRGAN's mod_pad), nothing around the image.
    const pre = padding === 'zero' ? 0 : u.plan(27, 19, { overlap, padding }).pad;
    expect(maxAbsDiff(whole, mirrorPadReference(unshuffleNet, image, pre))).toBeLessThanOrEqual(1);
  });

  it('16-bit in, 16-bit out: the network sees value/65535 unrounded, whole image and tiles', async () => {
    const image = to16(structuredImage(23, 17));
    const whole = await up.upscale(image, { tile: 0 });
    expect(whole.data).toBeInstanceOf(Uint16Array);
    expect([whole.width, whole.height, whole.channels]).toEqual([46, 34, 3]);
    const reference = mirrorPadReference(net, image, 0);
    expect(maxAbsDiff(whole, reference)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(await up.upscale(image, { tile: 8, overlap: net.receptiveField }), whole)).toBeLessThanOrEqual(1);
    // Not an 8-bit result scaled up: unsaturated samples are off the 257-multiples an 8-bit round trip would give.
    const unsaturated = whole.data.filter((v) => v > 0 && v < 65535);
    expect(unsaturated.length).toBeGreaterThan(whole.data.length / 2);
    expect(unsaturated.filter((v) => v % 257 !== 0).length / unsaturated.length).toBeGreaterThan(0.95);
    // And the low byte of the input matters (the input is not rounded to 8 bits on the way in).
    const coarse = await up.upscale({ ...image, data: image.data.map((v) => Math.round(v / 257) * 257) }, { tile: 0 });
    expect(maxAbsDiff(coarse, whole)).toBeGreaterThan(100);
  });

  it('16-bit row bands are Uint16Array and reassemble the 16-bit image', async () => {
    const image = to16(noiseImage(30, 21));
    const full = await up.upscale(image, { tile: 8, overlap: 5 });
    const bands: RowBand<Uint16Array>[] = [];
    await up.upscaleRows(image, (band) => void bands.push(band), { tile: 8, overlap: 5 });
    expect(bands.every((b) => b.data instanceof Uint16Array)).toBe(true);
    const joined = joinBands(bands, new Uint16Array(full.data.length));
    expect(joined).toEqual(full.data);
  });

  it('batches equal-size tiles with the same result and fewer forward calls', async () => {
    const image = noiseImage(33, 30);
    const single = await up.upscale(image, { tile: 8, overlap: 5 });
    const before = net.calls;
    const batched = await up.upscale(image, { tile: 8, overlap: 5, batch: 4 });
    expect(net.calls - before).toBe(Math.ceil(up.plan(33, 30, { tile: 8, overlap: 5 }).tiles.length / 4));
    expect(maxAbsDiff(batched, single)).toBeLessThanOrEqual(1);
  });

  it('streams row bands that reassemble the image, top to bottom', async () => {
    const image = structuredImage(30, 21);
    const full = await up.upscale(image, { tile: 8, overlap: 5, batch: 3 });
    const bands: RowBand[] = [];
    await up.upscaleRows(image, async (band) => void bands.push(band), { tile: 8, overlap: 5, batch: 3 });
    expect(bands.map((b) => b.y)).toEqual([0, 16, 32]);
    expect(bands.map((b) => b.height)).toEqual([16, 16, 10]);
    const joined = joinBands(bands, new Uint8Array(full.data.length));
    expect(Buffer.from(joined).equals(Buffer.from(full.data))).toBe(true);
  });

  it('reports progress with increasing counts up to the total', async () => {
    const calls: [number, number][] = [];
    await up.upscale(noiseImage(20, 20), { tile: 8, overlap: 2, batch: 2, onProgress: (d, t) => calls.push([d, t]) });
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
      overlap: 2,
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
    for (const side of [32, 48]) {
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
    await expect(up.upscale({ width: 2, height: 2, channels: 3, data: new Float32Array(12) } as never)).rejects.toThrow(/Uint8Array .* or a Uint16Array/);
    await expect(up.upscale(noiseImage(4, 4), { padding: 'edge' as never })).rejects.toThrow(/padding/);
    await expect(up.upscale(noiseImage(4, 4), { batch: 0 })).rejects.toThrow(/batch/);
    expect(() => new Upscaler({ forward: net.forward, scale: 0 })).toThrow(/scale/);
  });
});
