import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator } from '../src/generator.ts';
import { initBackend } from '../src/runtime/backend.ts';
import type { Generator } from '../src/archs/types.ts';
import { interpolateGenerators, interpolateParams } from '../src/weights/interpolate.ts';

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe('interpolate', () => {
  const cfg = { num_feat: 8, num_conv: 2, upscale: 2 };
  let a: Generator;
  let b: Generator;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu', log: null });
    a = createGenerator('SRVGGNetCompact', cfg, 1);
    b = createGenerator('SRVGGNetCompact', cfg, 2);
  });

  it('reproduces A at α=0 and B at α=1 bit-exactly', () => {
    // Values where a + 1·(b − a) ≠ b in float32: the end points must not go through the formula.
    const x = { w: tf.tensor([1e-8, 3.1, -7.3e5]) };
    const y = { w: tf.tensor([1.0, 1e-9, 0.3]) };
    expect(bits(tf.add(x.w, tf.mul(tf.sub(y.w, x.w), 1)))).not.toEqual(bits(y.w));
    expect(bits(interpolateParams(x, y, 0).w)).toEqual(bits(x.w));
    expect(bits(interpolateParams(x, y, 1).w)).toEqual(bits(y.w));
    for (const [alpha, ref] of [[0, a], [1, b]] as const) {
      const g = interpolateGenerators(a, b, alpha);
      for (const k of Object.keys(ref.params)) expect(bits(g.params[k]), k).toEqual(bits(ref.params[k]));
    }
  });

  it('blends (1−α)·A + α·B in between', () => {
    const g = interpolateGenerators(a, b, 0.8);
    for (const k of Object.keys(a.params)) {
      const x = a.params[k].dataSync();
      const y = b.params[k].dataSync();
      const z = g.params[k].dataSync();
      for (let i = 0; i < x.length; i++) expect(z[i]).toBeCloseTo(0.2 * x[i] + 0.8 * y[i], 6);
    }
    expect(g.params['body.0.weight']).not.toBe(b.params['body.0.weight']);
  });

  it('refuses mismatched generators and bad α', () => {
    const other = createGenerator('SRVGGNetCompact', { ...cfg, num_conv: 3 }, 1);
    const rrdb = createGenerator('RRDBNet', { num_feat: 4, num_block: 1, num_grow_ch: 2 }, 1);
    expect(() => interpolateGenerators(a, other, 0.5)).toThrow(/configs differ/);
    expect(() => interpolateGenerators(a, rrdb, 0.5)).toThrow(/cannot interpolate RRDBNet|cannot interpolate SRVGGNetCompact with RRDBNet/);
    expect(() => interpolateGenerators(a, b, 1.5)).toThrow(/alpha must be in \[0, 1\]/);
    expect(() => interpolateGenerators(a, b, Number.NaN)).toThrow(/alpha/);
    expect(() => interpolateParams({ w: tf.zeros([2]) }, { v: tf.zeros([2]) }, 0.5)).toThrow(/"w" only in A/);
    expect(() => interpolateParams({ w: tf.zeros([2]) }, { w: tf.zeros([3]) }, 0.5)).toThrow(/"w" is \[2\] in A and \[3\] in B/);
  });
});
