import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { ops } from '../src/index.ts';
import { BACKENDS, checkOpGradient, randomArr, useBackend } from './grad-util.ts';
import { conv2dRef } from './ref-ops.ts';

const CASES = [
  { k: 3, stride: 1, pad: 1, h: 5, w: 6, ci: 3, co: 4, n: 2 },
  { k: 4, stride: 2, pad: 1, h: 8, w: 8, ci: 2, co: 3, n: 2 },
  { k: 4, stride: 2, pad: 1, h: 7, w: 9, ci: 2, co: 2, n: 1 },
  { k: 3, stride: 2, pad: 1, h: 7, w: 6, ci: 3, co: 2, n: 2 },
  { k: 1, stride: 1, pad: 0, h: 4, w: 3, ci: 3, co: 5, n: 2 },
  // Tall, small batches: dW folds row blocks into the batch (with a zero-padded last block for s2).
  { k: 3, stride: 1, pad: 1, h: 16, w: 4, ci: 2, co: 3, n: 2 },
  { k: 4, stride: 2, pad: 1, h: 18, w: 6, ci: 2, co: 2, n: 1 },
  // Kernel smaller than the stride: some input phases get no gradient at all.
  { k: 1, stride: 2, pad: 0, h: 5, w: 4, ci: 2, co: 3, n: 2 },
];

describe.each(BACKENDS)('conv2d gradients on %s', (backend) => {
  it.each(CASES)('k$k stride$stride pad$pad h$h w$w: dx, dw, db match float64 finite differences', async (c) => {
    await useBackend(backend);
    const x = randomArr([c.n, c.h, c.w, c.ci], 1);
    const w = randomArr([c.k, c.k, c.ci, c.co], 2, 0.5);
    const b = randomArr([c.co], 3);
    await checkOpGradient(
      `conv ${JSON.stringify(c)}`,
      ([xt, wt, bt]) => ops.conv2d(xt as tf.Tensor4D, wt, bt, c.stride, c.pad),
      ([xa, wa, ba]) => conv2dRef(xa, wa, ba, c.stride, c.pad),
      [x, w, b],
    );
  });

  it("tf.conv2d with 'same' padding goes through the registered gradient too", async () => {
    await useBackend(backend);
    const x = randomArr([2, 6, 5, 3], 4);
    const w = randomArr([3, 3, 3, 2], 5);
    await checkOpGradient(
      'conv same',
      ([xt, wt]) => tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, 'same'),
      ([xa, wa]) => conv2dRef(xa, wa, null, 1, 1),
      [x, w],
    );
  });
});
