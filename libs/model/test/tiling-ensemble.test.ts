import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ImageU16, ImageU8 } from '@sr/metrics';
import { createGenerator, disposeParams } from '../src/generator.ts';
import type { Generator } from '../src/archs/types.ts';
import { loadModelFile } from '../src/weights/model-file.ts';
import { initBackend } from '../src/runtime/backend.ts';
import { transformBatch, untransformBatch, Upscaler, type TileModel } from '../src/tiling.ts';
import { maxAbsDiff, noiseImage, structuredImage, toyNet, type ToyNet } from './tiling-fixtures.ts';

const SHIPPED = fileURLToPath(new URL('../../../apps/edge-api/public/models/edge-x4-psnr.safetensors', import.meta.url));

/** Transform k of an interleaved image, by coordinates: bit 0 mirrors x, bit 1 mirrors y, bit 2 then swaps x and y. */
function transformPixels<I extends ImageU8 | ImageU16>(image: I, k: number): I {
  const { width: w, height: h, channels: c } = image;
  const [ow, oh] = k & 4 ? [h, w] : [w, h];
  const data = new (image.data.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(image.data.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let [sx, sy] = k & 4 ? [y, x] : [x, y];
      if (k & 1) sx = w - 1 - sx;
      if (k & 2) sy = h - 1 - sy;
      for (let ch = 0; ch < c; ch++) data[(y * ow + x) * c + ch] = image.data[(sy * w + sx) * c + ch];
    }
  }
  return { width: ow, height: oh, channels: c, data } as I;
}

/** The inverse of `transformPixels`, found as the transform that maps the transformed index grid back to the original. */
function untransformPixels<I extends ImageU8 | ImageU16>(image: I, k: number): I {
  // Flips and the transpose are involutions; the inverse of "flip then transpose" is "transpose then flip", which for
  // coordinates is the transform with the flips of the other axis.
  const inverse = k & 4 ? 4 | ((k & 1) << 1) | ((k & 2) >> 1) : k;
  return transformPixels(image, inverse);
}

const to16 = (image: ImageU8): ImageU16 => ({ ...image, data: Uint16Array.from(image.data, (v) => v * 257) });

/**
 * Independent ensemble reference, without the engine's tensor transforms: each transformed copy of the image upscaled
 * on its own (whole image, 16-bit so rounding costs 1/257 of a grey level), transformed back by coordinates, averaged,
 * rounded to 8 bits.
 */
async function referenceEnsemble(up: Upscaler, image: ImageU8, n: number): Promise<ImageU8> {
  const sum = new Float64Array(image.data.length * up.model.scale ** 2);
  for (let k = 0; k < n; k++) {
    const out = untransformPixels(await up.upscale(to16(transformPixels(image, k)), { tile: 0 }), k);
    out.data.forEach((v, i) => (sum[i] += v / 257));
  }
  const data = Uint8Array.from(sum, (v) => Math.round(v / n));
  return { width: image.width * up.model.scale, height: image.height * up.model.scale, channels: 3, data };
}

/** A network equivariant to all eight symmetries: a D4-symmetric 3x3 kernel, leaky ReLU, nearest upsampling. */
function symmetricNet(): TileModel & { dispose(): void } {
  const s = [1, 2, 1, 2, 4, 2, 1, 2, 1];
  const mix = [0.5, -0.2, 0.3, 0.1, 0.6, -0.1, -0.3, 0.2, 0.7];
  const kernel = tf.tensor4d(s.flatMap((v) => mix.map((m) => (v * m) / 16)), [3, 3, 3, 3]);
  return {
    scale: 2,
    overlap: 1,
    forward: (x) =>
      tf.tidy(() => {
        const h = tf.leakyRelu(tf.conv2d(x, kernel, 1, 'same'), 0.2);
        return tf.image.resizeNearestNeighbor(h, [x.shape[1] * 2, x.shape[2] * 2]);
      }),
    dispose: () => kernel.dispose(),
  };
}

describe('self-ensemble transforms', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('all eight: the tensor transform matches the coordinate definition, the inverse undoes it, all are distinct', async () => {
    const image = noiseImage(7, 5, 3);
    const x = tf.tensor4d(Float32Array.from(image.data), [1, 5, 7, 3]);
    const seen = new Set<string>();
    for (let k = 0; k < 8; k++) {
      const t = transformBatch(x, k);
      const expected = transformPixels(image, k);
      expect(t.shape).toEqual([1, expected.height, expected.width, 3]);
      expect(Array.from(await t.data())).toEqual(Array.from(expected.data));
      expect(Array.from(untransformPixels(expected, k).data)).toEqual(Array.from(image.data));
      const back = untransformBatch(t, k);
      expect(Array.from(await back.data())).toEqual(Array.from(image.data));
      seen.add(Array.from(expected.data).join());
      // The identity returns its input.
      tf.dispose([t, back].filter((y) => y !== x));
    }
    expect(seen.size).toBe(8);
    x.dispose();
  });
});

describe('Upscaler with ensemble', () => {
  let net: ToyNet;
  let unshuffleNet: ToyNet;
  let g: Generator;
  let srvgg: Upscaler;

  beforeAll(async () => {
    // wasm: the shipped model's convolutions take a minute on the cpu backend.
    await initBackend({ prefer: 'wasm', log: null });
    net = toyNet({ scale: 2, convs: 3, seed: 5 });
    unshuffleNet = toyNet({ scale: 2, convs: 2, unshuffle: 2, seed: 3 });
    g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 3, upscale: 4 }, 11);
    srvgg = Upscaler.forGenerator(g);
  });
  afterAll(() => {
    net.dispose();
    unshuffleNet.dispose();
    disposeParams(g.params);
  });

  it('an equivariant network gives its plain output; a generic one does not (the check can fail)', async () => {
    const sym = symmetricNet();
    const image = structuredImage(23, 17);
    const symUp = new Upscaler(sym);
    expect(maxAbsDiff(await symUp.upscale(image, { tile: 0, ensemble: 8 }), await symUp.upscale(image, { tile: 0 }))).toBeLessThanOrEqual(1);
    sym.dispose();
    const up = new Upscaler(net);
    expect(maxAbsDiff(await up.upscale(image, { tile: 0, ensemble: 8 }), await up.upscale(image, { tile: 0 }))).toBeGreaterThan(1);
  });

  it.each([1, 2, 4, 8])('ensemble %i equals the independent average of the transformed whole-image runs', async (n) => {
    // The engine averages unclamped outputs; the reference averages the engine's clamped ones, so the outputs are
    // squeezed into [0, 1] first (an affine map commutes with the mean), leaving no clamping to either side.
    // The squeezed forward replaces the network, so the valid-convolution shortcut (the unsqueezed network) is dropped.
    const squeezed = new Upscaler({ ...srvgg.model, valid: undefined, forward: (x) => tf.tidy(() => srvgg.model.forward(x).mul(0.25).add(0.3)) });
    const image = structuredImage(21, 14);
    const ours = await squeezed.upscale(image, { tile: 0, ensemble: n as 1 | 2 | 4 | 8 });
    const reference = await referenceEnsemble(squeezed, image, n);
    expect(reference.data.every((v) => v > 0 && v < 255)).toBe(true);
    expect(maxAbsDiff(ours, reference)).toBeLessThanOrEqual(1);
  });

  it('averages before clamping: differs from the mean of clamped runs where outputs overshoot', async () => {
    const image = structuredImage(21, 14);
    expect(maxAbsDiff(await srvgg.upscale(image, { tile: 0, ensemble: 8 }), await referenceEnsemble(srvgg, image, 8))).toBeGreaterThan(1);
  });

  it.each([
    ['random SRVGGNetCompact x4, non-square, zero padding', () => srvgg, noiseImage(37, 22, 9), 12, 'zero'],
    ['random SRVGGNetCompact x4, reflect padding', () => srvgg, structuredImage(30, 19), 10, 'reflect'],
    ['toy net, 1 pixel high', () => new Upscaler(net), noiseImage(29, 1, 4), 8, 'zero'],
    ['pixel-unshuffling toy net (multiple 2), odd sizes', () => new Upscaler(unshuffleNet), noiseImage(27, 19, 11), 7, 'zero'],
  ] as const)('tiled == whole-image within 1 grey level: %s', async (_name, make, image, tile, padding) => {
    const up = make();
    const overlap = up === srvgg ? undefined : (up.model as ToyNet).receptiveField;
    const whole = await up.upscale(image, { tile: 0, overlap, padding, ensemble: 8 });
    const tiled = await up.upscale(image, { tile, overlap, padding, ensemble: 8 });
    expect(up.plan(image.width, image.height, { tile, overlap, padding }).tiles.length).toBeGreaterThan(1);
    expect(maxAbsDiff(tiled, whole)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(whole, await up.upscale(image, { tile: 0, overlap, padding }))).toBeGreaterThan(1);
  });

  it('batched tiles and streamed bands give the same image; no tensors are left behind', async () => {
    const image = noiseImage(33, 26, 2);
    const one = await srvgg.upscale(image, { tile: 12, ensemble: 8 });
    const before = tf.memory().numTensors;
    expect(maxAbsDiff(await srvgg.upscale(image, { tile: 12, batch: 3, ensemble: 8 }), one)).toBe(0);
    const bands: Uint8Array[] = [];
    await srvgg.upscaleRows(image, (b) => void bands.push(b.data), { tile: 12, ensemble: 8 });
    expect(Buffer.concat(bands).equals(Buffer.from(one.data))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses other ensemble sizes', async () => {
    await expect(srvgg.upscale(noiseImage(4, 4), { ensemble: 3 as 8 })).rejects.toThrow(/ensemble must be one of 1, 2, 4, 8, got 3/);
  });

  it('the shipped edge-x4-psnr model: tiled == whole-image within 1, and the ensemble changes the output', async () => {
    const shipped = (await loadModelFile(SHIPPED)).generator;
    try {
      const up = Upscaler.forGenerator(shipped);
      const image = structuredImage(45, 38);
      const whole = await up.upscale(image, { tile: 0, ensemble: 8 });
      expect(maxAbsDiff(await up.upscale(image, { tile: 16, ensemble: 8 }), whole)).toBeLessThanOrEqual(1);
      expect(maxAbsDiff(whole, await up.upscale(image, { tile: 0 }))).toBeGreaterThan(1);
    } finally {
      disposeParams(shipped.params);
    }
  });
});
