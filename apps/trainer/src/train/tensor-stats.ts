import * as tf from '@tensorflow/tfjs';

/** Device scalars, read with the other logged values (see readback.ts). */
export type TensorStats = {
  mean: tf.Scalar;
  meanAbs: tf.Scalar;
  variance: tf.Scalar;
};

/** The weight tensors (not biases, not buffers) in declaration order: the "layers" we report on. */
export function layerWeights(names: readonly string[]): string[] {
  return names.filter((n) => n.endsWith('.weight'));
}

/** First, middle and last weight tensors, by name. */
export function probeLayers(names: readonly string[]): string[] {
  const w = layerWeights(names);
  if (w.length === 0) return [];
  return [...new Set([w[0], w[Math.floor((w.length - 1) / 2)], w[w.length - 1]])];
}

export function tensorStats(t: tf.Tensor): TensorStats {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(t);
    return { mean: mean as tf.Scalar, meanAbs: t.abs().mean() as tf.Scalar, variance: variance as tf.Scalar };
  });
}

/** Stats of the probe layers' weights and gradients, keyed by layer name. */
export function layerStats(params: Record<string, tf.Tensor>, grads: Record<string, tf.Tensor> | undefined): Record<string, { weight: TensorStats; grad?: TensorStats }> {
  const out: Record<string, { weight: TensorStats; grad?: TensorStats }> = {};
  for (const name of probeLayers(Object.keys(params))) {
    const g = grads?.[name];
    out[name] = { weight: tensorStats(params[name]), ...(g ? { grad: tensorStats(g) } : {}) };
  }
  return out;
}
