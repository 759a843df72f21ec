import * as tf from '@tensorflow/tfjs';

/**
 * Self-ensemble (BasicSR's test-time "x8"): the network runs on flipped/transposed copies of its input, each output is
 * transformed back and the results are averaged in float32. Transform k (0..7) flips horizontally when bit 0 is set,
 * vertically when bit 1 is set, then transposes when bit 2 is set: the eight symmetries of the square. An ensemble of
 * n uses transforms 0..n-1: 2 = identity + mirror, 4 = the flips (180° rotation included), 8 = all of them.
 */
export const ENSEMBLE_SIZES = [1, 2, 4, 8] as const;
export type EnsembleSize = (typeof ENSEMBLE_SIZES)[number];

export function checkEnsemble(n: number): asserts n is EnsembleSize {
  if (!(ENSEMBLE_SIZES as readonly number[]).includes(n)) throw new RangeError(`ensemble must be one of ${ENSEMBLE_SIZES.join(', ')}, got ${n}`);
}

const flips = (k: number): number[] => [...(k & 2 ? [1] : []), ...(k & 1 ? [2] : [])];
const transposes = (k: number): boolean => (k & 4) !== 0;

/** Transform k of a NHWC batch. */
export function transformBatch(x: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const axes = flips(k);
    const flipped = axes.length > 0 ? tf.reverse(x, axes) : x;
    return transposes(k) ? tf.transpose(flipped, [0, 2, 1, 3]) : flipped;
  });
}

/** The inverse of transform k: undo the transpose, then the flips. */
export function untransformBatch(y: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const unTransposed = transposes(k) ? tf.transpose(y, [0, 2, 1, 3]) : y;
    const axes = flips(k);
    return axes.length > 0 ? tf.reverse(unTransposed, axes) : unTransposed;
  });
}

/**
 * The mean of untransform_k(forward(transform_k(x))) over k < n; forward itself for n = 1. One transformed pass is alive
 * at a time beside the running sum.
 */
export function ensembleForward(forward: (x: tf.Tensor4D) => tf.Tensor4D, x: tf.Tensor4D, n: EnsembleSize): tf.Tensor4D {
  if (n === 1) return forward(x);
  let sum: tf.Tensor4D | undefined;
  for (let k = 0; k < n; k++) {
    const next = tf.tidy(() => {
      const y = untransformBatch(forward(transformBatch(x, k)), k);
      return sum ? tf.add<tf.Tensor4D>(sum, y) : y;
    });
    sum?.dispose();
    sum = next;
  }
  const mean = tf.div(sum!, n) as tf.Tensor4D;
  sum!.dispose();
  return mean;
}
