import * as tf from '@tensorflow/tfjs';

export type AdversarialKind = 'ragan' | 'vanilla' | 'relativistic';

/** Numerically stable binary cross-entropy on logits against targets in [0, 1] (torch BCEWithLogitsLoss, mean). */
export function bceWithLogits(logits: tf.Tensor, target: tf.Tensor | number): tf.Scalar {
  return tf.tidy(() => {
    const t = typeof target === 'number' ? tf.scalar(target) : target;
    return logits.relu().sub(logits.mul(t)).add(logits.abs().neg().exp().log1p()).mean() as tf.Scalar;
  });
}

/** Targets for one D step: per-sample real/fake labels after smoothing, noise and flipping. */
export interface DTargets {
  real: tf.Tensor | number;
  fake: tf.Tensor | number;
}

/**
 * Discriminator loss from D's logits on real and fake batches.
 * - vanilla: BCE(D(x), 1) + BCE(D(G(z)), 0)
 * - ragan (ESRGAN/BasicSR): ½ [BCE(D(x) − E D(G(z)), 1) + BCE(D(G(z)) − E D(x), 0)]
 * - relativistic (RSGAN): BCE(D(x) − D(G(z)), 1)
 */
export function discriminatorLoss(kind: AdversarialKind, real: tf.Tensor, fake: tf.Tensor, targets: DTargets = { real: 1, fake: 0 }): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'vanilla':
        return bceWithLogits(real, targets.real).add(bceWithLogits(fake, targets.fake)) as tf.Scalar;
      case 'ragan':
        return bceWithLogits(real.sub(fake.mean()), targets.real)
          .add(bceWithLogits(fake.sub(real.mean()), targets.fake))
          .mul(0.5) as tf.Scalar;
      case 'relativistic':
        return bceWithLogits(real.sub(fake), targets.real);
    }
  });
}

/** Generator adversarial loss (unweighted); `real` is D's output on real images, treated as a constant. */
export function generatorAdversarialLoss(kind: AdversarialKind, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'vanilla':
        return bceWithLogits(fake, 1);
      case 'ragan':
        return bceWithLogits(real.sub(fake.mean()), 0)
          .add(bceWithLogits(fake.sub(real.mean()), 1))
          .mul(0.5) as tf.Scalar;
      case 'relativistic':
        return bceWithLogits(fake.sub(real), 1);
    }
  });
}

/**
 * The share of real samples D scores as real and of fake samples it scores as fake (relative to the other batch for
 * ragan/relativistic), as device scalars (read them with readTree).
 */
export function discriminatorAccuracy(kind: AdversarialKind, real: tf.Tensor, fake: tf.Tensor): { real: tf.Scalar; fake: tf.Scalar } {
  return tf.tidy(() => {
    const rr = kind === 'vanilla' ? real : kind === 'ragan' ? real.sub(fake.mean()) : real.sub(fake);
    const ff = kind === 'vanilla' ? fake : kind === 'ragan' ? fake.sub(real.mean()) : fake.sub(real);
    return { real: rr.greater(0).cast('float32').mean() as tf.Scalar, fake: ff.less(0).cast('float32').mean() as tf.Scalar };
  });
}
