import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, ops, runGenerator, vggDiscriminator } from '../src/index.ts';
import { useBackend } from './grad-util.ts';

async function onBoth(f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  await useBackend('wasm');
  const a = f();
  const wasm = a.dataSync() as Float32Array;
  await useBackend('cpu');
  const b = f();
  const cpu = b.dataSync() as Float32Array;
  tf.dispose([a, b]);
  return [wasm, cpu];
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('PyTorch pixel_shuffle channel order (hand-computed, NCHW semantics)', () => {
  it('in[0, c*4 + i*2 + j, 0, 0] lands at out[0, c, i, j]', async () => {
    await useBackend('wasm');
    // NCHW input [1, 8, 1, 1] = 0..7 → out channel 0 = [[0,1],[2,3]], channel 1 = [[4,5],[6,7]]; stored NHWC.
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    const y = ops.pixelShuffle(x, 2);
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    expect(Array.from(ops.pixelUnshuffle(y, 2).dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('wasm forward ≈ cpu forward', () => {
  it.each([
    ['SRVGGNetCompact', { num_feat: 8, num_conv: 3, upscale: 4 }],
    ['RRDBNet', { num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 2 }],
  ])('%s', async (arch, cfg) => {
    const g = createGenerator(arch, cfg, 11);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const [wasm, cpu] = await onBoth(() => runGenerator(g, x));
    expect(maxDiff(wasm, cpu)).toBeLessThan(1e-4);
    disposeParams(g.params);
  });

  it('VGGStyleDiscriminator (train and eval)', async () => {
    const c = { num_in_ch: 3, num_feat: 4, input_size: 128, norm: 'batch' } as const;
    const p = vggDiscriminator.init(c, 3);
    const x = tf.randomUniform([2, 128, 128, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    for (const training of [false, true]) {
      const [wasm, cpu] = await onBoth(() => vggDiscriminator.forward(p, x, c, { training }));
      expect(maxDiff(wasm, cpu)).toBeLessThan(1e-3);
    }
    disposeParams(p);
  });
});

describe('inference (fused conv + bias + activation) ≈ the taped training path', () => {
  it.each([
    ['SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2, act_type: 'prelu' }],
    ['SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2, act_type: 'leakyrelu' }],
    ['RRDBNet', { num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 4 }],
  ])('%s %j', async (arch, cfg) => {
    await useBackend('wasm');
    const g = createGenerator(arch, cfg, 12);
    // Non-trivial PReLU slopes, so a wrongly broadcast fused PReLU would show.
    const preluNames = Object.keys(g.params).filter((k) => g.params[k].rank === 1 && !k.endsWith('.bias'));
    for (const k of preluNames) g.params[k] = tf.randomUniform(g.params[k].shape, 0, 0.5, 'float32', 7);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const inference = runGenerator(g, x).dataSync() as Float32Array;
    let taped: Float32Array = new Float32Array(0);
    tf.grad((t: tf.Tensor) => {
      const y = runGenerator(g, t as tf.Tensor4D);
      taped = y.dataSync() as Float32Array;
      return tf.sum(y);
    })(x);
    expect(maxDiff(inference, taped)).toBeLessThan(1e-5);
    disposeParams(g.params);
  });
});
