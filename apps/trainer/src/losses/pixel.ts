import * as tf from '@tensorflow/tfjs';

export type PixelCriterion = 'l1' | 'l2';

/** Mean absolute (l1) or mean squared (l2, torch MSELoss) difference, as a scalar. */
export function pixelLoss(kind: PixelCriterion, a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const d = a.sub(b);
    return (kind === 'l1' ? d.abs() : d.square()).mean() as tf.Scalar;
  });
}
