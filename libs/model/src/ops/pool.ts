import * as tf from '@tensorflow/tfjs';

/**
 * PyTorch `nn.MaxPool2d(2, 2)` (floor mode). Its gradient is the mask-based one registered in
 * ops/gradients.ts (the stock wasm MaxPoolGrad is wrong).
 */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, 'valid');
}
