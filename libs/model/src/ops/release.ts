import type * as tf from '@tensorflow/tfjs';

/**
 * Inference chaining without tf.tidy: `f(t)`, then frees `t` (an activation is dead once its successor exists), so a
 * forward holds about two activations at a time instead of all of them. `t` survives when `f` returned it unchanged.
 * Never call it on a tensor the caller still needs (the network input, a residual kept for later).
 */
export function consume<T extends tf.Tensor, U extends tf.Tensor>(t: T, f: (t: T) => U): U {
  const out = f(t);
  if ((out as tf.Tensor) !== t) t.dispose();
  return out;
}
