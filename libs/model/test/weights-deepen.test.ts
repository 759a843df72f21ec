import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, runGenerator } from '../src/generator.ts';
import { initBackend } from '../src/runtime/backend.ts';
import { deepenSrvgg, learnSkipSrvgg } from '../src/weights/deepen.ts';
import { WeightsError } from '../src/weights/errors.ts';

describe('deepenSrvgg', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu', log: null });
  });

  const input = () => tf.randomUniform([1, 9, 11, 3], 0, 1, 'float32', 3) as tf.Tensor4D;

  for (const act of ['prelu', 'relu'] as const) {
    it(`keeps the outputs of a ${act} model while adding convs`, () => {
      const small = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4, act_type: act }, 5);
      // Random PReLU slopes so that negative features reach the inserted layers.
      if (act === 'prelu') for (const k of ['body.1.weight', 'body.3.weight', 'body.5.weight']) small.params[k] = tf.randomUniform([8], -0.5, 0.5, 'float32', 7);
      const deep = deepenSrvgg(small, 4);
      expect(deep.config).toMatchObject({ num_conv: 4 });
      expect(Object.keys(deep.params)).toContain('body.10.weight');
      expect(Array.from(deep.params['body.10.weight'].dataSync())).toEqual(Array.from(small.params['body.6.weight'].dataSync()));
      expect(deep.params['body.6.weight'].shape).toEqual([3, 3, 8, 8]);
      const x = input();
      const a = runGenerator(small, x).dataSync();
      const b = runGenerator(deep, x).dataSync();
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      expect(maxDiff).toBeLessThan(1e-6);
      // The inserted layers start as the identity, not as zeros: a perturbed copy must change the output.
      deep.params['body.6.weight'] = tf.add(deep.params['body.6.weight'], 0.1);
      expect(Math.abs(runGenerator(deep, x).dataSync()[0] - a[0])).toBeGreaterThan(1e-4);
    });
  }

  it('refuses what it cannot deepen exactly', () => {
    const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2 }, 1);
    expect(() => deepenSrvgg(g, 2)).toThrow(WeightsError);
    expect(() => deepenSrvgg(g, 2.5)).toThrow(/integer above the model's 2/);
    const leaky = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2, act_type: 'leakyrelu' }, 1);
    expect(() => deepenSrvgg(leaky, 3)).toThrow(/leakyrelu/);
    const rrdb = createGenerator('RRDBNet', { num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 2 }, 1);
    expect(() => deepenSrvgg(rrdb, 3)).toThrow(/only SRVGGNetCompact/);
  });

  const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    return d;
  };

  for (const kernel of [1, 3, 5]) {
    it(`learnSkipSrvgg: a ${kernel}x${kernel} learned skip starts as the nearest skip it replaces`, () => {
      const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4 }, 5);
      const skip = learnSkipSrvgg(g, kernel);
      expect(skip.config).toMatchObject({ skip_kernel: kernel });
      expect(skip.params['skip.weight'].shape).toEqual([kernel, kernel, 3, 48]);
      const x = input();
      const a = runGenerator(g, x).dataSync();
      expect(maxAbsDiff(a, runGenerator(skip, x).dataSync())).toBeLessThan(1e-6);
      // The skip is live: a perturbed skip kernel changes the output.
      skip.params['skip.weight'] = tf.add(skip.params['skip.weight'], 0.05);
      expect(maxAbsDiff(a, runGenerator(skip, x).dataSync())).toBeGreaterThan(1e-3);
      // The source model's own tensors were copied, not shared.
      expect(g.params['body.0.weight'].isDisposed).toBe(false);
      expect(skip.params['body.0.weight']).not.toBe(g.params['body.0.weight']);
    });
  }

  it('learnSkipSrvgg refuses what has no exact nearest skip to replace', () => {
    const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2 }, 1);
    expect(() => learnSkipSrvgg(g, 4)).toThrow(/odd integer from 1 to 9/);
    expect(() => learnSkipSrvgg(g, 11)).toThrow(WeightsError);
    expect(() => learnSkipSrvgg(learnSkipSrvgg(g, 3), 3)).toThrow(/already has a learned 3×3 skip/);
    const mismatched = createGenerator('SRVGGNetCompact', { num_in_ch: 1, num_out_ch: 3, num_feat: 8, num_conv: 2, upscale: 2 }, 1);
    expect(() => learnSkipSrvgg(mismatched, 3)).toThrow(/num_in_ch = num_out_ch/);
    const rrdb = createGenerator('RRDBNet', { num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 2 }, 1);
    expect(() => learnSkipSrvgg(rrdb, 3)).toThrow(/only SRVGGNetCompact/);
  });
});
