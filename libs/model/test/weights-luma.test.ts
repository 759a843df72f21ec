import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Generator } from '../src/archs/types.ts';
import { createGenerator, isLumaGenerator, runGenerator } from '../src/generator.ts';
import { deepenSrvgg } from '../src/weights/deepen.ts';
import { WeightsError } from '../src/weights/errors.ts';
import { lumaSrvgg } from '../src/weights/luma.ts';

/** A random RGB SRVGG whose every parameter (biases and PReLU slopes too) is random, so that no term folds trivially. */
function randomRgbSrvgg(upscale: number, seed: number, skipKernel = 0): Generator {
  const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale, act_type: 'prelu', skip_kernel: skipKernel }, seed);
  for (const [i, [name, t]] of Object.entries(g.params).entries()) g.params[name] = tf.randomUniform(t.shape, -0.5, 0.5, 'float32', seed * 100 + i);
  return g;
}

const luma = (rgb: tf.Tensor4D) => tf.sum(tf.mul(rgb, tf.tensor1d([0.299, 0.587, 0.114])), -1, true) as tf.Tensor4D;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
}

describe('lumaSrvgg', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const grayInput = () => tf.randomUniform([1, 9, 11, 1], 0, 1, 'float32', 11) as tf.Tensor4D;

  for (const [upscale, skipKernel] of [[4, 0], [2, 0], [4, 3]]) {
    const skip = skipKernel ? `, ${skipKernel}x${skipKernel} learned skip` : '';
    it(`x${upscale}${skip}: on a gray image the folded model outputs the luma of the RGB model's output`, () => {
      const rgb = randomRgbSrvgg(upscale, upscale, skipKernel);
      if (skipKernel) expect(lumaSrvgg(rgb).params['skip.weight'].shape).toEqual([skipKernel, skipKernel, 1, upscale * upscale]);
      const folded = lumaSrvgg(rgb);
      const y = grayInput();
      const rgbOut = runGenerator(rgb, tf.tile(y, [1, 1, 1, 3]));
      const lumaOut = runGenerator(folded, y);
      expect(lumaOut.shape).toEqual([1, 9 * upscale, 11 * upscale, 1]);
      expect(maxAbsDiff(lumaOut, luma(rgbOut))).toBeLessThan(1e-5);
      // The comparison is sensitive: the luma of the output differs from e.g. its green channel by far more.
      expect(maxAbsDiff(lumaOut, tf.slice(rgbOut, [0, 0, 0, 1], [-1, -1, -1, 1]))).toBeGreaterThan(1e-2);
    });
  }

  it('keeps the config and the body, with one input and r² outputs', () => {
    const rgb = randomRgbSrvgg(4, 1);
    const folded = lumaSrvgg(rgb);
    expect(folded.config).toEqual({ ...rgb.config, num_in_ch: 1, num_out_ch: 1 });
    expect(folded.scale).toBe(4);
    expect(isLumaGenerator(folded)).toBe(true);
    expect(Object.keys(folded.params).sort()).toEqual(Object.keys(rgb.params).sort());
    const shapes = Object.fromEntries(Object.entries(folded.params).map(([k, t]) => [k, t.shape]));
    expect(shapes).toMatchObject({ 'body.0.weight': [3, 3, 1, 8], 'body.2.weight': [3, 3, 8, 8], 'body.6.weight': [3, 3, 8, 16], 'body.6.bias': [16] });
    expect(Array.from(folded.params['body.2.weight'].dataSync())).toEqual(Array.from(rgb.params['body.2.weight'].dataSync()));
    // The source model is left intact (its tensors are cloned, not shared).
    expect(rgb.params['body.0.weight'].shape).toEqual([3, 3, 3, 8]);
    folded.params['body.2.weight'].dispose();
    expect(rgb.params['body.2.weight'].isDisposed).toBe(false);
  });

  it('refuses what is not an RGB SRVGGNetCompact', () => {
    const rrdb = createGenerator('RRDBNet', { num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 2 }, 1);
    expect(() => lumaSrvgg(rrdb)).toThrow(WeightsError);
    expect(() => lumaSrvgg(rrdb)).toThrow(/only SRVGGNetCompact can be folded to luma, got RRDBNet/);
    const folded = lumaSrvgg(randomRgbSrvgg(2, 3));
    expect(() => lumaSrvgg(folded)).toThrow(/not RGB \(num_in_ch 1, num_out_ch 1\)/);
  });

  it('composes with deepenSrvgg: the deeper luma model computes the same function', () => {
    const folded = lumaSrvgg(randomRgbSrvgg(4, 5));
    const deep = deepenSrvgg(folded, 4);
    expect(deep.config).toMatchObject({ num_in_ch: 1, num_out_ch: 1, num_conv: 4 });
    expect(deep.params['body.10.weight'].shape).toEqual([3, 3, 8, 16]);
    const y = grayInput();
    expect(maxAbsDiff(runGenerator(deep, y), runGenerator(folded, y))).toBeLessThan(1e-5);
  });
});
