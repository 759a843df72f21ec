import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, vggDiscriminator, type ParamMap } from '../src/index.ts';
import { useBackend } from './grad-util.ts';

beforeAll(() => useBackend('wasm'));

/** The module names of BasicSR's VGGStyleDiscriminator (input 128). */
function basicsrKeys(): string[] {
  const keys = ['conv0_0.weight', 'conv0_0.bias', 'conv0_1.weight'];
  const bn = (n: string) => ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map((p) => `bn${n}.${p}`);
  keys.push(...bn('0_1'));
  for (let s = 1; s <= 4; s++) keys.push(`conv${s}_0.weight`, ...bn(`${s}_0`), `conv${s}_1.weight`, ...bn(`${s}_1`));
  keys.push('linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias');
  return keys;
}

const tiny = { num_in_ch: 3, num_feat: 4, input_size: 128, norm: 'batch' } as const;

describe('VGGStyleDiscriminator', () => {
  it('has the BasicSR key set; strided convs are 4x4; linear weights keep [out, in]', () => {
    const c = vggDiscriminator.parseConfig({ num_in_ch: 3, num_feat: 64 });
    expect(c).toEqual({ num_in_ch: 3, num_feat: 64, input_size: 128, norm: 'batch' });
    const shapes = vggDiscriminator.paramShapes(c);
    expect(Object.keys(shapes).sort()).toEqual(basicsrKeys().sort());
    expect(shapes['conv1_1.weight']).toEqual([4, 4, 128, 128]);
    expect(shapes['linear1.weight']).toEqual([100, 512 * 16]);
    expect(shapes['bn0_1.num_batches_tracked']).toEqual([]);
    expect(vggDiscriminator.bufferNames(c)).toHaveLength(9 * 3);
    const c256 = vggDiscriminator.paramShapes({ ...c, input_size: 256 });
    expect(c256['conv5_1.weight']).toEqual([4, 4, 512, 512]);
  });

  it("norm 'group' keeps bn weight/bias only; 'none' has no norm parameters", () => {
    const g = vggDiscriminator.paramShapes({ ...tiny, norm: 'group' });
    expect(Object.keys(g).filter((k) => k.startsWith('bn'))).toHaveLength(9 * 2);
    const n = vggDiscriminator.paramShapes({ ...tiny, norm: 'none' });
    expect(Object.keys(n).filter((k) => k.startsWith('bn'))).toEqual([]);
  });

  it("norm 'group' works for widths that 32 does not divide", () => {
    const c = { ...tiny, num_feat: 6, norm: 'group' } as const;
    const p = vggDiscriminator.init(c, 1);
    expect(vggDiscriminator.forward(p, tf.randomUniform([1, 128, 128, 3]) as tf.Tensor4D, c).shape).toEqual([1, 1]);
    disposeParams(p);
  });

  it('returns logits [N, 1] and rejects the wrong input size', () => {
    const p = vggDiscriminator.init(tiny, 1);
    const y = vggDiscriminator.forward(p, tf.randomUniform([2, 128, 128, 3]) as tf.Tensor4D, tiny);
    expect(y.shape).toEqual([2, 1]);
    expect(() => vggDiscriminator.forward(p, tf.zeros([1, 96, 96, 3]) as tf.Tensor4D, tiny)).toThrow(/128x128/);
    disposeParams(p);
  });

  it('training mode uses batch statistics and reports updated running stats; eval mode uses the running stats', () => {
    const p = vggDiscriminator.init(tiny, 2);
    const x = tf.randomUniform([2, 128, 128, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    // Eval: per-sample outputs do not depend on the rest of the batch.
    const evalBoth = vggDiscriminator.forward(p, x, tiny).dataSync();
    const evalFirst = vggDiscriminator.forward(p, tf.slice(x, 0, 1), tiny).dataSync();
    expect(evalFirst[0]).toBeCloseTo(evalBoth[0], 5);
    // Training: batch statistics make sample 0 depend on sample 1.
    const stats: ParamMap = {};
    const trainBoth = tf.tidy(() => vggDiscriminator.forward(p, x, tiny, { training: true, statsOut: stats }).dataSync());
    expect(Math.abs(trainBoth[0] - evalBoth[0])).toBeGreaterThan(1e-6);
    expect(Object.keys(stats).sort()).toEqual(vggDiscriminator.bufferNames(tiny).sort());
    expect(stats['bn0_1.num_batches_tracked'].dataSync()[0]).toBe(1);
    expect(stats['bn0_1.num_batches_tracked'].dtype).toBe('int32');
    // Kept out of the tidy, and moved 10% of the way from (0, 1) towards the batch statistics.
    const rm = stats['bn2_1.running_mean'].dataSync();
    const rv = stats['bn2_1.running_var'].dataSync();
    expect(rm.some((v) => v !== 0)).toBe(true);
    expect(Array.from(rv).every((v) => v > 0.9 - 1e-6)).toBe(true);
    disposeParams(stats);
    disposeParams(p);
  });
});
