import * as tf from '@tensorflow/tfjs';

/** Device scalars, read with the other logged values (see readback.ts). */
export type TensorStats = {
  mean: tf.Scalar;
  meanAbs: tf.Scalar;
  variance: tf.Scalar;
};

/**
 * The conv kernels (4-D weights) in declaration order: the "layers" we report on. PReLU slopes, norm scales, biases
 * and linear layers are left out, so the middle probe is a conv like the first and the last.
 */
export function convWeights(params: Record<string, tf.Tensor>): string[] {
  return Object.keys(params).filter((n) => n.endsWith('.weight') && params[n].rank === 4);
}

/** First, middle and last conv kernels, by name. */
export function probeLayers(params: Record<string, tf.Tensor>): string[] {
  const w = convWeights(params);
  if (w.length === 0) return [];
  return [...new Set([w[0], w[Math.floor((w.length - 1) / 2)], w[w.length - 1]])];
}

export function tensorStats(t: tf.Tensor): TensorStats {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(t);
    return { mean: mean as tf.Scalar, meanAbs: t.abs().mean() as tf.Scalar, variance: variance as tf.Scalar };
  });
}

/** Stats of the probe layers' weights and gradients, keyed by layer name (`grads` as the loss gave them, unclipped). */
export function layerStats(params: Record<string, tf.Tensor>, grads: Record<string, tf.Tensor> | undefined): Record<string, { weight: TensorStats; grad?: TensorStats }> {
  const out: Record<string, { weight: TensorStats; grad?: TensorStats }> = {};
  for (const name of probeLayers(params)) {
    const g = grads?.[name];
    out[name] = { weight: tensorStats(params[name]), ...(g ? { grad: tensorStats(g) } : {}) };
  }
  return out;
}
