import * as tf from '@tensorflow/tfjs';
import { BT601_LUMA } from '@sr/model';

/** An NHWC RGB batch as the networks see it: RGB, or for a luma generator its luma (what the engine feeds it) ([N, H, W, 1]; `rgb` is disposed). */
export function networkView(rgb: tf.Tensor4D, luma: boolean): tf.Tensor4D {
  if (!luma) return rgb;
  const y = tf.tidy(() => tf.sum(tf.mul(rgb, tf.tensor1d([...BT601_LUMA])), -1, true) as tf.Tensor4D);
  rgb.dispose();
  return y;
}
