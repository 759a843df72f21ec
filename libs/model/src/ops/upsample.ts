import * as tf from '@tensorflow/tfjs';

/**
 * PyTorch `F.interpolate(x, scale_factor=r, mode='nearest')` for an integer r: source index
 * floor(dst / r), which is tf's nearest resize without corner alignment or half-pixel centers.
 * Its gradient is the block sum registered in ops/gradients.ts (the stock cpu one is wrong for
 * batch > 1).
 */
export function upsampleNearest(x: tf.Tensor4D, r: number): tf.Tensor4D {
  if (!Number.isInteger(r) || r < 1) throw new Error(`upsampleNearest: factor must be a positive integer, got ${r}`);
  if (r === 1) return x;
  const [, h, w] = x.shape;
  return tf.image.resizeNearestNeighbor(x, [h * r, w * r], false, false);
}
