import * as tf from '@tensorflow/tfjs';

/**
 * R1 gradient penalty (γ/2)·E‖∇ₓD(x)‖² on real inputs, without double backprop (tfjs cannot differentiate through
 * the gradients of conv on every backend). With g = ∇ₓ ΣD(x) held constant, gᵀ∇ₓD(x) ≈ (D(x + h·g) − D(x)) / h,
 * so the surrogate (γ/2)·E[2·(D(x + h·g) − D(x)) / h] has, to first order in h, the same gradient with respect to D's
 * parameters as the true penalty: ∇θ‖g‖² = 2·∇θ(gᵀ∇ₓD) with g fixed.
 *
 * Returns the differentiable surrogate (call inside the D loss function) and the measured penalty value.
 */
export function r1Penalty(d: (x: tf.Tensor4D) => tf.Tensor, real: tf.Tensor4D, weight: number, relStep = 1e-3): { surrogate: tf.Scalar; value: number } {
  // Rebuilt from its values so that g is a constant: under an outer gradient tape, tf.grad's result stays connected
  // to D's parameters, which would double the parameter gradient.
  const g = tf.tidy(() => {
    const traced = tf.grad((x: tf.Tensor) => d(x as tf.Tensor4D).sum())(real);
    return tf.tensor(traced.dataSync(), traced.shape, 'float32');
  });
  const gSq = tf.tidy(() => g.square().sum().div(real.shape[0]));
  const value = gSq.dataSync()[0];
  gSq.dispose();
  // Step length h·‖g‖ of relStep per pixel keeps the finite difference inside D's locally linear region.
  const h = value > 0 ? (relStep * Math.sqrt(real.size / real.shape[0])) / Math.sqrt(value) : 0;
  const surrogate = tf.tidy(() => {
    if (h === 0) return tf.scalar(0);
    const moved = d(real.add(g.mul(h)) as tf.Tensor4D);
    const base = d(real);
    return moved.sub(base).sum().div(real.shape[0]).mul(weight / h) as tf.Scalar;
  });
  g.dispose();
  return { surrogate, value: (weight / 2) * value };
}
