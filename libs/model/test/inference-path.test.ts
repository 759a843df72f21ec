import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, initBackend, ops, runGenerator, type Generator } from '../src/index.ts';

/**
 * The no-tape (inference) forwards of SRVGGNetCompact and RRDBNet: same values as the taped training path, no leaked
 * tensors, activations freed as they go (bounded peak), and the exact output-stage rearrangement of SRVGG.
 */

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

function taped(g: Generator, x: tf.Tensor4D): tf.Tensor4D {
  let out: tf.Tensor4D | undefined;
  tf.grad((t: tf.Tensor) => {
    out = tf.keep(runGenerator(g, t as tf.Tensor4D));
    return tf.sum(out);
  })(x).dispose();
  return out!;
}

/** Non-trivial PReLU slopes, biases and learned skip kernel, so a wrongly ordered channel or broadcast would show. */
function randomizeVectors(g: Generator, seed: number): void {
  for (const [name, t] of Object.entries(g.params)) {
    if (t.rank !== 1 && name !== 'skip.weight') continue;
    g.params[name] = tf.randomUniform(t.shape, -0.5, 0.5, 'float32', seed++);
    t.dispose();
  }
}

/** Bytes of tensor memory above the starting point at the peak of `f` (its output included). */
async function peakBytes(f: () => tf.Tensor): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => f().dispose());
  return info.peakBytes - before;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', log: null });
});

describe('inference forward', () => {
  it.each([
    ['SRVGGNetCompact', { num_feat: 8, num_conv: 3, upscale: 4, act_type: 'prelu' }],
    ['SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 3, act_type: 'relu' }],
    ['SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2, act_type: 'leakyrelu' }],
    ['SRVGGNetCompact', { num_in_ch: 1, num_out_ch: 1, num_feat: 8, num_conv: 2, upscale: 2 }],
    ['SRVGGNetCompact', { num_in_ch: 1, num_out_ch: 3, num_feat: 8, num_conv: 1, upscale: 2 }],
    ['SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4, skip_kernel: 3 }],
    ['SRVGGNetCompact', { num_in_ch: 1, num_out_ch: 1, num_feat: 8, num_conv: 2, upscale: 4, skip_kernel: 5 }],
    ['RRDBNet', { num_feat: 8, num_block: 2, num_grow_ch: 4, scale: 4 }],
    ['RRDBNet', { num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 2 }],
    ['RRDBNet', { num_feat: 8, num_block: 1, num_grow_ch: 4, scale: 1 }],
  ])('%s %j equals the taped path and leaks nothing', (arch, cfg) => {
    const g = createGenerator(arch, cfg, 5);
    randomizeVectors(g, 9);
    const cin = (cfg as { num_in_ch?: number }).num_in_ch ?? 3;
    const x = tf.randomUniform([2, 8, 12, cin], 0, 1, 'float32', 4) as tf.Tensor4D;
    const reference = taped(g, x);
    const tensors = tf.memory().numTensors;
    const y = runGenerator(g, x);
    expect(tf.memory().numTensors).toBe(tensors + 1);
    expect(y.shape).toEqual(reference.shape);
    expect(maxDiff(y, reference)).toBeLessThan(1e-5);
    tf.dispose([x, y, reference]);
    disposeParams(g.params);
  });

  it('SRVGG: the skip folded before the shuffle is exactly the nearest-upsampled input', () => {
    // All-zero convs: the output is the skip term alone, which must equal the upsampled input bit for bit.
    const g = createGenerator('SRVGGNetCompact', { num_feat: 4, num_conv: 1, upscale: 4 }, 1);
    for (const [name, t] of Object.entries(g.params)) {
      g.params[name] = tf.zerosLike(t);
      t.dispose();
    }
    const x = tf.randomUniform([2, 5, 7, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = runGenerator(g, x);
    const expected = ops.upsampleNearest(x, 4);
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, y, expected]);
    disposeParams(g.params);
  });

  it('depthToSpace after toDepthToSpaceOrder is exactly pixelShuffle', () => {
    for (const [c, r] of [
      [3, 4],
      [2, 3],
      [1, 2],
    ]) {
      const x = tf.randomUniform([2, 3, 5, c * r * r], 0, 1, 'float32', r) as tf.Tensor4D;
      const a = ops.depthToSpace(ops.toDepthToSpaceOrder(x, r), r);
      const b = ops.pixelShuffle(x, r);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      tf.dispose([x, a, b]);
    }
    expect(() => ops.toDepthToSpaceOrder(tf.zeros([10]), 2)).toThrow(/not divisible/);
  });

  it('SRVGG peak tensor memory: a few activations, not all of them', async () => {
    const f = 32;
    const g = createGenerator('SRVGGNetCompact', { num_feat: f, num_conv: 6, upscale: 2 }, 3);
    const [n, h, w] = [1, 24, 24];
    const x = tf.randomUniform([n, h, w, 3]) as tf.Tensor4D;
    const activation = n * h * w * f * 4;
    // A conv's input, its output and the PReLU output, plus one for tfjs counting a reshape's alias as new bytes.
    // Keeping every activation (conv + PReLU outputs of 7 layers) would be 14.
    expect(await peakBytes(() => runGenerator(g, x))).toBeLessThanOrEqual(4 * activation + 64 * 1024);
    tf.dispose(x);
    disposeParams(g.params);
  });

  it('RRDBNet x4 peak tensor memory: bounded by the HR stage, not the sum of all activations', async () => {
    const f = 8;
    const g = createGenerator('RRDBNet', { num_feat: f, num_block: 3, num_grow_ch: 4, scale: 4 }, 3);
    const [n, h, w] = [1, 12, 12];
    const x = tf.randomUniform([n, h, w, 3]) as tf.Tensor4D;
    const lr = n * h * w * f * 4;
    // conv_hr: its 16x-area input and output, plus the 4x-area tensor being upsampled before it is freed.
    expect(await peakBytes(() => runGenerator(g, x))).toBeLessThanOrEqual(lr * (2 * 16 + 4) + 64 * 1024);
    tf.dispose(x);
    disposeParams(g.params);
  });
});
