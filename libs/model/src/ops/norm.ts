import * as tf from '@tensorflow/tfjs';

export interface BatchNormParams {
  weight?: tf.Tensor1D;
  bias?: tf.Tensor1D;
  runningMean: tf.Tensor1D;
  runningVar: tf.Tensor1D;
}

export interface BatchNormOptions {
  training: boolean;
  /** PyTorch default 0.1: running = (1 - momentum) * running + momentum * batch. */
  momentum?: number;
  eps?: number;
}

export interface BatchNormResult {
  y: tf.Tensor4D;
  /** Only in training mode: the updated running statistics (PyTorch: unbiased variance). */
  runningMean?: tf.Tensor1D;
  runningVar?: tf.Tensor1D;
}

/** PyTorch `nn.BatchNorm2d` on NHWC input. */
export function batchNorm(x: tf.Tensor4D, p: BatchNormParams, opts: BatchNormOptions): BatchNormResult {
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  const affine = (t: tf.Tensor4D): tf.Tensor4D => {
    let out = t;
    if (p.weight) out = tf.mul(out, p.weight);
    if (p.bias) out = tf.add(out, p.bias);
    return out;
  };
  if (!opts.training) {
    const y = tf.tidy(() => affine(tf.div(tf.sub(x, p.runningMean), tf.sqrt(tf.add(p.runningVar, eps)))));
    return { y };
  }
  const [n, h, w] = x.shape;
  const count = n * h * w;
  if (count < 2) throw new Error('batchNorm: training needs more than one value per channel');
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y = affine(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))));
    const runningMean = tf.add(tf.mul(p.runningMean, 1 - momentum), tf.mul(mean, momentum)) as tf.Tensor1D;
    const unbiased = tf.mul(variance, count / (count - 1));
    const runningVar = tf.add(tf.mul(p.runningVar, 1 - momentum), tf.mul(unbiased, momentum)) as tf.Tensor1D;
    return { y, runningMean, runningVar };
  });
}

/** PyTorch `nn.GroupNorm(groups, C)` on NHWC input (per-sample statistics over each channel group). */
export function groupNorm(
  x: tf.Tensor4D,
  groups: number,
  weight: tf.Tensor1D | undefined,
  bias: tf.Tensor1D | undefined,
  eps = 1e-5,
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c % groups !== 0) throw new Error(`groupNorm: ${c} channels not divisible into ${groups} groups`);
  return tf.tidy(() => {
    const g = tf.reshape(x, [n, h * w, groups, c / groups]);
    const { mean, variance } = tf.moments(g, [1, 3], true);
    let y = tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, eps))), [n, h, w, c]) as tf.Tensor4D;
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}
