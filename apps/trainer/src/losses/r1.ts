import * as tf from '@tensorflow/tfjs';

/**
 * R1 gradient penalty (γ/2)·E‖∇ₓD(x)‖² on real inputs (Mescheder et al. 2018), exact: ∇ₓD is taken with tf.grad
 * inside the caller's tape, so differentiating the penalty with respect to D's parameters is true double backprop
 * (every op on D's gradient path has a differentiable gradient: ops/second-order-grads.ts fills the ones tfjs lacks).
 * Call it inside the D loss function; `d` is D in training mode without committing BatchNorm statistics.
 */
export function r1Penalty(d: (x: tf.Tensor4D) => tf.Tensor, real: tf.Tensor4D, weight: number): tf.Scalar {
  return tf.tidy(() => {
    const g = tf.grad((x: tf.Tensor) => d(x as tf.Tensor4D).sum())(real);
    return g.square().sum().mul(weight / (2 * real.shape[0])) as tf.Scalar;
  });
}
