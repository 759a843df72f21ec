import * as tf from '@tensorflow/tfjs';

/** PyTorch `nn.LeakyReLU(negative_slope)`. */
export function leakyRelu<T extends tf.Tensor>(x: T, slope: number): T {
  return tf.leakyRelu(x, slope);
}

/** PyTorch `nn.PReLU(num_parameters=C)`: max(0, x) + weight[c] * min(0, x) on the channel axis (last, NHWC). */
export function prelu<T extends tf.Tensor>(x: T, weight: tf.Tensor): T {
  const c = x.shape[x.shape.length - 1];
  if (weight.shape[0] !== c && weight.shape[0] !== 1) {
    throw new Error(`prelu: weight has ${weight.shape[0]} entries for ${c} channels`);
  }
  return tf.prelu(x, weight as T);
}
