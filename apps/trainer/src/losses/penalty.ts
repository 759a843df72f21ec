import * as tf from '@tensorflow/tfjs';

/** g = ∇ₓ ΣD(x) on the real inputs, a constant for the surrogate below. */
export interface R1Direction {
  g: tf.Tensor4D;
  /** E‖g‖² (device scalar). */
  normSq: tf.Scalar;
}

/**
 * Must run outside any gradient tape, so that g is a constant: under an outer tape, tf.grad's result stays connected
 * to D's parameters, which would double the parameter gradient (tfjs has no stop-gradient op, and reading the
 * values back to cut the link would be a synchronous device read per step).
 */
export function r1Direction(d: (x: tf.Tensor4D) => tf.Tensor, real: tf.Tensor4D): R1Direction {
  if (tf.engine().isTapeOn()) throw new Error('r1Direction must be called outside a gradient tape');
  return tf.tidy(() => {
    const g = tf.grad((x: tf.Tensor) => d(x as tf.Tensor4D).sum())(real) as tf.Tensor4D;
    return { g, normSq: g.square().sum().div(real.shape[0]) as tf.Scalar };
  });
}

/**
 * R1 gradient penalty (γ/2)·E‖∇ₓD(x)‖² on real inputs, without double backprop (tfjs cannot differentiate through
 * the gradients of conv on every backend). With g = ∇ₓ ΣD(x) held constant, gᵀ∇ₓD(x) ≈ (D(x + h·g) − D(x)) / h,
 * so the surrogate (γ/2)·E[2·(D(x + h·g) − D(x)) / h] has, to first order in h, the same gradient with respect to D's
 * parameters as the true penalty: ∇θ‖g‖² = 2·∇θ(gᵀ∇ₓD) with g fixed.
 *
 * Returns the differentiable surrogate (call inside the D loss function) and the measured penalty value (a device
 * scalar). `dir` comes from r1Direction on the same D and inputs.
 */
export function r1Penalty(d: (x: tf.Tensor4D) => tf.Tensor, real: tf.Tensor4D, dir: R1Direction, weight: number, relStep = 1e-3): { surrogate: tf.Scalar; value: tf.Scalar } {
  const n = real.shape[0];
  return tf.tidy(() => {
    // Step length h·‖g‖ of relStep per pixel keeps the finite difference inside D's locally linear region. For g = 0
    // the step is irrelevant (x + h·g = x, the surrogate is exactly 0): h = 1 avoids a division by zero.
    const positive = dir.normSq.greater(0);
    const h = tf.where(positive, tf.div(relStep * Math.sqrt(real.size / n), tf.sqrt(dir.normSq)), tf.scalar(1)) as tf.Scalar;
    const moved = d(real.add(dir.g.mul(h)) as tf.Tensor4D);
    const base = d(real);
    const surrogate = moved.sub(base).sum().div(n).mul(weight).div(h) as tf.Scalar;
    return { surrogate, value: dir.normSq.mul(weight / 2) as tf.Scalar };
  });
}
