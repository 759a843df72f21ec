import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { imresize, type ImageU16, type ImageU8 } from '@sr/metrics';
import { createGenerator, disposeParams, isLumaGenerator, runGenerator } from '../src/generator.ts';
import type { Generator } from '../src/archs/types.ts';
import { Upscaler } from '../src/tiling.ts';
import { LumaRecolour, splitLuma } from '../src/tiling/luma.ts';
import { maxAbsDiff, structuredImage } from './tiling-fixtures.ts';

/** Independent reference: luma through the network as one tensor, colour differences by `imresize`, RGB rebuilt. */
function reference(g: Generator, image: ImageU8): ImageU8 {
  const { width: w, height: h } = image;
  const s = g.scale;
  const y = new Float32Array(w * h);
  const dr = new Float64Array(w * h);
  const db = new Float64Array(w * h);
  for (let p = 0; p < w * h; p++) {
    const [r, gr, b] = [0, 1, 2].map((k) => image.data[3 * p + k] / 255);
    const l = 0.299 * r + 0.587 * gr + 0.114 * b;
    y[p] = Math.round(l * 65535) / 65535;
    dr[p] = r - l;
    db[p] = b - l;
  }
  const sr = tf.tidy(() => {
    const x = tf.tensor4d(y, [1, h, w, 1]);
    return runGenerator(g, x);
  });
  const luma = sr.dataSync();
  sr.dispose();
  const up = (plane: Float64Array) => imresize({ width: w, height: h, channels: 1, data: plane }, s).data;
  const [ur, ub] = [up(dr), up(db)];
  const data = new Uint8Array(w * h * s * s * 3);
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let p = 0; p < w * h * s * s; p++) {
    const l = Math.round(Math.min(1, Math.max(0, luma[p])) * 65535) / 65535;
    data[3 * p] = q(l + ur[p]);
    data[3 * p + 1] = q(l - (0.299 * ur[p] + 0.114 * ub[p]) / 0.587);
    data[3 * p + 2] = q(l + ub[p]);
  }
  return { width: w * s, height: h * s, channels: 3, data };
}

describe('luma-only generators', () => {
  let g: Generator;
  let up: Upscaler;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    g = createGenerator('SRVGGNetCompact', { num_in_ch: 1, num_out_ch: 1, num_feat: 8, num_conv: 3, upscale: 4, act_type: 'prelu' }, 3);
    up = Upscaler.forGenerator(g);
  });
  afterAll(() => disposeParams(g.params));

  it('are recognised by their channel counts', () => {
    expect(isLumaGenerator(g)).toBe(true);
    expect(up.model.luma).toBe(true);
    expect(isLumaGenerator({ config: { num_in_ch: 3, num_out_ch: 3 } })).toBe(false);
  });

  it('upscale RGB as network luma plus bicubic colour differences (within 1 grey level of an independent reference)', async () => {
    const image = structuredImage(23, 17);
    const out = await up.upscale(image, { tile: 0 });
    expect([out.width, out.height, out.channels]).toEqual([92, 68, 3]);
    expect(maxAbsDiff(out, reference(g, image))).toBeLessThanOrEqual(1);
  });

  it('give tiles equal to the whole image, with and without the self-ensemble', async () => {
    const image = structuredImage(37, 29);
    for (const ensemble of [1, 8] as const) {
      const whole = await up.upscale(image, { tile: 0, ensemble });
      const tiled = await up.upscale(image, { tile: 12, ensemble });
      expect(maxAbsDiff(tiled, whole)).toBeLessThanOrEqual(ensemble === 1 ? 0 : 1);
    }
  });

  it('stream the same rows as upscale, and keep 16-bit depth', async () => {
    const image = structuredImage(30, 21);
    const whole = await up.upscale(image, { tile: 0 });
    const rows = new Uint8Array(whole.data.length);
    await up.upscaleRows(image, (band) => rows.set(band.data, band.y * band.width * 3), { tile: 10 });
    expect(maxAbsDiff({ ...whole, data: rows }, whole)).toBe(0);
    const deep: ImageU16 = { ...image, data: Uint16Array.from(image.data, (v) => v * 257) };
    const out16 = await up.upscale(deep, { tile: 0 });
    expect(out16.data).toBeInstanceOf(Uint16Array);
    const as8 = Uint8Array.from(out16.data, (v) => Math.round(v / 257));
    expect(maxAbsDiff({ ...whole, data: as8 }, whole)).toBeLessThanOrEqual(1);
  });

  it('run gray images directly and return gray', async () => {
    const rgb = structuredImage(16, 12);
    const gray = { width: 16, height: 12, channels: 1, data: splitLuma(rgb).luma.data.map((v) => Math.round(v / 257)) };
    const out = await up.upscale({ ...gray, data: Uint8Array.from(gray.data) }, { tile: 0 });
    expect(out.channels).toBe(1);
  });
});

describe('LumaRecolour', () => {
  it('rebuilds the input exactly at scale 1 with unchanged luma', () => {
    const image = structuredImage(9, 7);
    const { luma, chroma } = splitLuma(image);
    const dst = new Uint8Array(image.data.length);
    new LumaRecolour(chroma, 9, 7, 1).recolour(luma.data, 0, 7, dst);
    expect(maxAbsDiff({ ...image, data: dst }, image)).toBe(0);
  });

  it('rejects bands of the wrong size', () => {
    const { chroma } = splitLuma(structuredImage(4, 4));
    expect(() => new LumaRecolour(chroma, 4, 4, 2).recolour(new Uint16Array(8), 0, 2, new Uint8Array(3))).toThrow(/band sizes/);
  });

  it('rejects images that are not RGB', () => {
    expect(() => splitLuma({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) } as ImageU8)).toThrow(/RGB/);
  });
});
