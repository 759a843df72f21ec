import * as tf from '@tensorflow/tfjs';

/** PyTorch `nn.LeakyReLU(negative_slope)`. */
export function leakyRelu<T extends tf.Tensor>(x: T, slope: number): T {
  return tf.leakyRelu(x, slope);
}

/** PyTorch `nn.PReLU(num_parameters=C)`: max(0, x) + weight[c] * min(0, x) on the channel axis (last, NHWC). */
export function prelu<T extends tf.Tensor>(x: T, weight: tf.Tensor): T {
  checkPreluWeight(weight, x.shape[x.shape.length - 1]);
  return tf.prelu(x, weight as T);
}

/** PyTorch PReLU weights are [C] (or [1], shared): anything else would silently broadcast wrong. */
export function checkPreluWeight(weight: tf.Tensor, channels: number, name = 'prelu weight'): void {
  if (weight.rank !== 1 || (weight.shape[0] !== channels && weight.shape[0] !== 1)) {
    throw new Error(`${name}: shape ${JSON.stringify(weight.shape)} does not fit ${channels} channels`);
  }
}
