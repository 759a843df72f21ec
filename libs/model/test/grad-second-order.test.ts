import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { arr, conv2dRef, type Arr } from './ref-ops.ts';
import { checkOpGradient, randomArr, useBackend } from './grad-util.ts';

/** StridedSlice of a rank-4 array with positive strides and no masks. */
function stridedSliceRef(x: Arr, begin: number[], end: number[], strides: number[]): Arr {
  const size = begin.map((b, i) => Math.ceil((end[i] - b) / strides[i]));
  const out = arr(size);
  const [, h, w, c] = x.shape;
  let k = 0;
  for (let n = 0; n < size[0]; n++)
    for (let y = 0; y < size[1]; y++)
      for (let z = 0; z < size[2]; z++)
        for (let q = 0; q < size[3]; q++) {
          const [a, b, d, e] = [n, y, z, q].map((v, i) => begin[i] + v * strides[i]);
          out.data[k++] = x.data[((a * h + b) * w + d) * c + e];
        }
  return out;
}

/**
 * ∇ₓ sum(leakyRelu(conv(x, w))·R) in float64: conv is linear in x, so entry i is sum(conv(eᵢ, w)·u) with
 * u = R ⊙ leakyRelu'(conv(x, w)).
 */
function inputGradRef(x: Arr, w: Arr, r: Arr, stride: number, pad: number, slope: number): Arr {
  const y = conv2dRef(x, w, null, stride, pad);
  const u = y.data.map((v, i) => r.data[i] * (v > 0 ? 1 : slope));
  const g = arr(x.shape);
  const e = arr(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    e.data.fill(0);
    e.data[i] = 1;
    g.data[i] = conv2dRef(e, w, null, stride, pad).data.reduce((s, v, j) => s + v * u[j], 0);
  }
  return g;
}

describe.each(['wasm', 'cpu'] as const)('second-order gradients on %s', (backend) => {
  it('StridedSlice (tfjs registers none)', async () => {
    await useBackend(backend);
    const [begin, end, strides] = [[0, 1, 0, 0], [2, 7, 5, 3], [1, 2, 3, 1]];
    await checkOpGradient(
      'stridedSlice',
      ([x]) => tf.stridedSlice(x, begin, end, strides),
      ([x]) => stridedSliceRef(x, begin, end, strides),
      [randomArr([2, 7, 5, 3], 1)],
    );
  });

  it('the gradient of a strided conv + LeakyReLU input gradient, w.r.t. input and kernel (R1 double backprop)', async () => {
    await useBackend(backend);
    const r = randomArr([1, 3, 3, 3], 5);
    const rT = tf.tensor(Float32Array.from(r.data), r.shape);
    await checkOpGradient(
      'd/dw ∇ₓ',
      ([x, w]) => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), 0.2), rT)))(x),
      ([x, w]) => inputGradRef(x, w, r, 2, 1, 0.2),
      [randomArr([1, 6, 6, 2], 2), randomArr([4, 4, 2, 3], 3)],
    );
    rT.dispose();
  });
});
