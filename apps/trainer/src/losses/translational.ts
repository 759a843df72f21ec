import * as tf from '@tensorflow/tfjs';

/**
 * Translational self-consistency: G on two LR sub-patches offset by `shift` pixels diagonally; the outputs must agree
 * (L1) on the region both sub-patches cover. `g` maps an NHWC LR batch to its ×scale output.
 */
export function translationalLoss(g: (x: tf.Tensor4D) => tf.Tensor4D, lr: tf.Tensor4D, shift: number, scale: number): tf.Scalar {
  return tf.tidy(() => {
    const [n, h, w, c] = lr.shape;
    if (shift <= 0 || shift >= Math.min(h, w)) throw new RangeError(`translational shift ${shift} must be in 1..${Math.min(h, w) - 1}`);
    const a = g(lr.slice([0, 0, 0, 0], [n, h - shift, w - shift, c]));
    const b = g(lr.slice([0, shift, shift, 0], [n, h - shift, w - shift, c]));
    const s = shift * scale;
    const oh = (h - 2 * shift) * scale;
    const ow = (w - 2 * shift) * scale;
    const oc = a.shape[3];
    const shared = [n, oh, ow, oc];
    return a.slice([0, s, s, 0], shared).sub(b.slice([0, 0, 0, 0], shared)).abs().mean() as tf.Scalar;
  });
}
