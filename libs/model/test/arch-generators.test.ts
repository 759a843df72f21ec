import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParams, createGenerator, disposeParams, flopsPerPixel, getArch, rrdbnet, runGenerator, srvgg } from '../src/index.ts';
import { useBackend } from './grad-util.ts';

beforeAll(() => useBackend('wasm'));

/** The ESRGAN / RealESRGAN_x4plus state_dict key set (BasicSR RRDBNet, 23 blocks). */
function esrganKeys(): string[] {
  const keys = ['conv_first.weight', 'conv_first.bias'];
  for (let i = 0; i < 23; i++)
    for (let r = 1; r <= 3; r++)
      for (let k = 1; k <= 5; k++) keys.push(`body.${i}.rdb${r}.conv${k}.weight`, `body.${i}.rdb${r}.conv${k}.bias`);
  for (const n of ['conv_body', 'conv_up1', 'conv_up2', 'conv_hr', 'conv_last']) keys.push(`${n}.weight`, `${n}.bias`);
  return keys;
}

const sizeOf = (shapes: Record<string, number[]>) =>
  Object.values(shapes).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);

describe('RRDBNet', () => {
  const full = rrdbnet.parseConfig({});

  it('BasicSR defaults give the published ESRGAN x4 key set and 16,697,987 parameters', () => {
    expect(full).toEqual({ num_in_ch: 3, num_out_ch: 3, scale: 4, num_feat: 64, num_block: 23, num_grow_ch: 32 });
    const shapes = rrdbnet.paramShapes(full);
    expect(Object.keys(shapes).sort()).toEqual(esrganKeys().sort());
    expect(sizeOf(shapes)).toBe(16_697_987);
    expect(shapes['body.0.rdb1.conv5.weight']).toEqual([3, 3, 64 + 4 * 32, 64]);
  });

  it('x2 / x1 feed pixel_unshuffle(2 / 4) of the input to conv_first', () => {
    expect(rrdbnet.paramShapes({ ...full, scale: 2 })['conv_first.weight']).toEqual([3, 3, 12, 64]);
    expect(rrdbnet.paramShapes({ ...full, scale: 1 })['conv_first.weight']).toEqual([3, 3, 48, 64]);
  });

  it.each([4, 2, 1])('tiny x%i forward shape; input size must fit the unshuffle', (scale) => {
    const g = createGenerator('RRDBNet', { scale, num_feat: 8, num_block: 2, num_grow_ch: 4 }, 3);
    const y = runGenerator(g, tf.randomUniform([2, 8, 12, 3]) as tf.Tensor4D);
    expect(y.shape).toEqual([2, 8 * scale, 12 * scale, 3]);
    if (scale < 4) expect(() => runGenerator(g, tf.zeros([1, 6, 7, 3]) as tf.Tensor4D)).toThrow(/divisible/);
    tf.dispose(y);
    disposeParams(g.params);
  });

  it('init: RDB convs are kaiming_normal x 0.1 with zero bias, the rest PyTorch-default uniform', () => {
    const c = { ...full, num_block: 1 };
    const p = rrdbnet.init(c, 7);
    const std = (t: tf.Tensor) => Math.sqrt(tf.moments(t).variance.dataSync()[0]);
    expect(std(p['body.0.rdb1.conv5.weight']) / (0.1 * Math.sqrt(2 / (9 * 192)))).toBeCloseTo(1, 1);
    expect(tf.max(tf.abs(p['body.0.rdb2.conv1.bias'])).dataSync()[0]).toBe(0);
    const bound = 1 / Math.sqrt(9 * 64);
    const up = p['conv_up1.weight'];
    expect(tf.max(tf.abs(up)).dataSync()[0]).toBeLessThanOrEqual(bound);
    expect(std(up) / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
    disposeParams(p);
  });

  it('flopsPerPixel counts the trunk at LR size and the upsampling convs at 2x / 4x', () => {
    const c = { ...full };
    const conv = (ci: number, co: number) => 2 * 9 * ci * co;
    let rdb = 0;
    for (let k = 1; k <= 5; k++) rdb += conv(64 + (k - 1) * 32, k === 5 ? 64 : 32);
    const expected = conv(3, 64) + 23 * 3 * rdb + conv(64, 64) + 4 * conv(64, 64) + 16 * (2 * conv(64, 64) + conv(64, 3));
    expect(rrdbnet.flopsPerPixel(c)).toBe(expected);
  });
});

describe('SRVGGNetCompact', () => {
  it('realesr-general-x4v3 = (3, 3, 64, 32, 4, prelu): key set and 1,213,296 parameters', () => {
    const c = srvgg.parseConfig({ num_in_ch: 3, num_out_ch: 3, num_feat: 64, num_conv: 32, upscale: 4, act_type: 'prelu' });
    const shapes = srvgg.paramShapes(c);
    const keys: string[] = [];
    for (let k = 0; k <= 32; k++) keys.push(`body.${2 * k}.weight`, `body.${2 * k}.bias`, `body.${2 * k + 1}.weight`);
    keys.push('body.66.weight', 'body.66.bias');
    expect(Object.keys(shapes).sort()).toEqual(keys.sort());
    expect(shapes['body.65.weight']).toEqual([64]);
    expect(shapes['body.66.weight']).toEqual([3, 3, 64, 48]);
    expect(sizeOf(shapes)).toBe(1_213_296);
  });

  it('relu / leakyrelu variants have no activation parameters', () => {
    for (const act_type of ['relu', 'leakyrelu']) {
      const shapes = srvgg.paramShapes(srvgg.parseConfig({ num_conv: 2, act_type }));
      expect(Object.keys(shapes).filter((k) => shapes[k].length === 1 && !k.endsWith('.bias'))).toEqual([]);
    }
  });

  it('output = pixel_shuffle(body) + nearest-upsampled input (zero last conv → exact upsample)', () => {
    const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2 }, 1);
    g.params['body.6.weight'] = tf.zerosLike(g.params['body.6.weight']);
    g.params['body.6.bias'] = tf.zerosLike(g.params['body.6.bias']);
    const x = tf.tensor4d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 1, 2, 3]);
    const y = runGenerator(g, x);
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(tf.image.resizeNearestNeighbor(x, [2, 4]).dataSync()),
    );
    expect(flopsPerPixel(g)).toBe(2 * 9 * (3 * 8 + 2 * 8 * 8 + 8 * 12));
  });

  it('init is deterministic for a seed and differs across seeds; PReLU starts at 0.25', () => {
    const a = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2 }, 5);
    const b = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2 }, 5);
    const c = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2 }, 6);
    for (const k of Object.keys(a.params)) {
      expect(Array.from(a.params[k].dataSync())).toEqual(Array.from(b.params[k].dataSync()));
    }
    expect(Array.from(a.params['body.2.weight'].dataSync())).not.toEqual(Array.from(c.params['body.2.weight'].dataSync()));
    expect(Array.from(a.params['body.1.weight'].dataSync())).toEqual(new Array(8).fill(0.25));
    expect(countParams(a.params)).toBe(sizeOf(srvgg.paramShapes(a.config as never)));
  });

  it('bad configs fail clearly', () => {
    expect(() => createGenerator('SRVGGNetCompact', { act_type: 'gelu' }, 1)).toThrow(/act_type/);
    expect(() => createGenerator('RRDBNet', { scale: 3 }, 1)).toThrow(/scale/);
    expect(() => createGenerator('VGG19', {}, 1)).toThrow(/not a generator/);
    expect(() => getArch('EDSR')).toThrow(/unknown architecture/);
  });
});
