import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ops } from '../src/index.ts';
import { BACKENDS, checkOpGradient, randomArr, toTensor, useBackend } from './grad-util.ts';
import {
  arr,
  batchNormTrainRef,
  groupNormRef,
  leakyRef,
  maxPool2Ref,
  pixelShuffleRef,
  pixelUnshuffleRef,
  preluRef,
  upsampleRef,
} from './ref-ops.ts';

const t4 = (t: tf.Tensor) => t as tf.Tensor4D;

describe.each(BACKENDS)('op gradients on %s', (backend) => {
  it('pixel shuffle / unshuffle (r = 2, 3)', async () => {
    await useBackend(backend);
    for (const r of [2, 3]) {
      await checkOpGradient(`shuffle ${r}`, ([x]) => ops.pixelShuffle(t4(x), r), ([x]) => pixelShuffleRef(x, r), [
        randomArr([2, 2, 3, 2 * r * r], r),
      ]);
      await checkOpGradient(`unshuffle ${r}`, ([x]) => ops.pixelUnshuffle(t4(x), r), ([x]) => pixelUnshuffleRef(x, r), [
        randomArr([2, 2 * r, 3 * r, 2], r),
      ]);
    }
  });

  it('nearest upsample x2 / x4 with batch > 1', async () => {
    await useBackend(backend);
    for (const r of [2, 4]) {
      await checkOpGradient(`upsample ${r}`, ([x]) => ops.upsampleNearest(t4(x), r), ([x]) => upsampleRef(x, r), [
        randomArr([3, 3, 2, 2], 7),
      ]);
    }
  });

  it('PReLU (per-channel weight) and LeakyReLU', async () => {
    await useBackend(backend);
    await checkOpGradient('prelu', ([x, a]) => ops.prelu(x, a), ([x, a]) => preluRef(x, a), [
      randomArr([2, 3, 3, 4], 8),
      randomArr([4], 9, 0.5),
    ]);
    await checkOpGradient('leaky', ([x]) => ops.leakyRelu(x, 0.2), ([x]) => leakyRef(x, 0.2), [randomArr([2, 3, 3, 4], 10)]);
  });

  it('max pool 2x2 (even and odd sizes)', async () => {
    await useBackend(backend);
    for (const [h, w] of [
      [4, 6],
      [5, 7],
    ]) {
      await checkOpGradient(`maxpool ${h}x${w}`, ([x]) => ops.maxPool2x2(t4(x)), ([x]) => maxPool2Ref(x), [randomArr([2, h, w, 3], h)]);
    }
  });

  it('batch norm in training mode (batch statistics)', async () => {
    await useBackend(backend);
    const c = 3;
    const stats = { runningMean: tf.zeros([c]) as tf.Tensor1D, runningVar: tf.ones([c]) as tf.Tensor1D };
    await checkOpGradient(
      'batchnorm',
      ([x, w, b]) => ops.batchNorm(t4(x), { ...stats, weight: w as tf.Tensor1D, bias: b as tf.Tensor1D }, { training: true }).y,
      ([x, w, b]) => batchNormTrainRef(x, w, b),
      [randomArr([2, 3, 2, c], 11), randomArr([c], 12), randomArr([c], 13)],
      5e-4,
    );
    tf.dispose([stats.runningMean, stats.runningVar]);
  });

  it('group norm', async () => {
    await useBackend(backend);
    await checkOpGradient(
      'groupnorm',
      ([x, w, b]) => ops.groupNorm(t4(x), 2, w as tf.Tensor1D, b as tf.Tensor1D),
      ([x, w, b]) => groupNormRef(x, 2, w, b),
      [randomArr([2, 3, 2, 4], 14), randomArr([4], 15), randomArr([4], 16)],
      5e-4,
    );
  });
});

describe('batch norm statistics (PyTorch semantics)', () => {
  it('updates running stats with momentum 0.1 and the unbiased variance; eval uses them', async () => {
    await useBackend('cpu');
    const x = randomArr([2, 2, 2, 1], 17);
    const n = x.data.length;
    const mean = x.data.reduce((s, v) => s + v, 0) / n;
    const unbiased = x.data.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    const rm = tf.tensor1d([0.5]);
    const rv = tf.tensor1d([2]);
    const r = ops.batchNorm(toTensor(x) as tf.Tensor4D, { runningMean: rm, runningVar: rv }, { training: true });
    expect(r.runningMean!.dataSync()[0]).toBeCloseTo(0.9 * 0.5 + 0.1 * mean, 6);
    expect(r.runningVar!.dataSync()[0]).toBeCloseTo(0.9 * 2 + 0.1 * unbiased, 6);
    const ev = ops.batchNorm(toTensor(arr([1, 1, 1, 1], [1.5])) as tf.Tensor4D, { runningMean: rm, runningVar: rv }, { training: false });
    expect(ev.y.dataSync()[0]).toBeCloseTo((1.5 - 0.5) / Math.sqrt(2 + 1e-5), 6);
  });
});
