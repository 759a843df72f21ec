import * as tf from '@tensorflow/tfjs';

/** Full-range BT.601 luma weights of R, G, B: what @sr/model's engine feeds a luma network (tiling/luma.ts). */
const LUMA = [0.299, 0.587, 0.114];

/** An NHWC RGB batch as the networks see it: RGB, or for a luma generator its luma ([N, H, W, 1]; `rgb` is disposed). */
export function networkView(rgb: tf.Tensor4D, luma: boolean): tf.Tensor4D {
  if (!luma) return rgb;
  const y = tf.tidy(() => tf.sum(tf.mul(rgb, tf.tensor1d(LUMA)), -1, true) as tf.Tensor4D);
  rgb.dispose();
  return y;
}
