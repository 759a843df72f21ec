import * as tf from '@tensorflow/tfjs';

/**
 * Remembers, on the device, the first iteration whose losses were not all finite and those losses, so that the
 * loop can check for divergence at its read points instead of reading every step.
 */
export class FiniteWatch {
  private iter = tf.scalar(-1);
  private losses: Record<string, tf.Scalar> = {};

  /** Takes note of one step (1-based iteration `iter`); does not dispose its arguments. */
  observe(iter: number, finite: tf.Scalar, losses: Record<string, tf.Scalar>): void {
    const next = tf.tidy(() => {
      const first = tf.logicalAnd(tf.logicalNot(finite), tf.less(this.iter, 0));
      const kept: Record<string, tf.Scalar> = Object.fromEntries(Object.entries(this.losses).map(([k, v]) => [k, v.clone()]));
      for (const [k, v] of Object.entries(losses)) kept[k] = tf.where(first, v, this.losses[k] ?? tf.scalar(0)) as tf.Scalar;
      return { iter: tf.where(first, tf.scalar(iter), this.iter) as tf.Scalar, losses: kept };
    });
    this.dispose();
    this.iter = next.iter;
    this.losses = next.losses;
  }

  /** What to read at a read point: the first bad iteration (−1 when none) and its losses. */
  readable(): { iter: tf.Scalar; losses: Record<string, tf.Scalar> } {
    return { iter: this.iter.clone(), losses: Object.fromEntries(Object.entries(this.losses).map(([k, v]) => [k, v.clone()])) };
  }

  dispose(): void {
    this.iter.dispose();
    tf.dispose(Object.values(this.losses));
  }
}
