import * as tf from '@tensorflow/tfjs';
import type { FeatureMatchingConfig } from '../config/schema.ts';
import { pixelLoss, type PixelCriterion } from './pixel.ts';

/** The configured layer → weight map, or every one of the discriminator's layers at 1/L (their mean). */
export function featureLayerWeights(cfg: FeatureMatchingConfig, dLayers: readonly string[]): Record<string, number> {
  if (cfg.layers) return Object.fromEntries(Object.entries(cfg.layers).filter(([, w]) => w > 0));
  return Object.fromEntries(dLayers.map((name) => [name, 1 / dLayers.length]));
}

/**
 * pix2pixHD `loss_G_GAN_Feat` (unweighted): Σ_l w_l · mean crit(D_l(SR), D_l(HR)). The HR activations must be constants
 * (computed outside the generator's gradient tape: their gradient is not wanted), so only SR carries a gradient.
 */
export function featureMatchingLoss(
  fake: Record<string, tf.Tensor>,
  real: Record<string, tf.Tensor>,
  layerWeights: Record<string, number>,
  criterion: PixelCriterion,
): tf.Scalar {
  return tf.tidy(() => {
    const terms = Object.entries(layerWeights).map(([name, w]) => {
      const f = fake[name];
      const r = real[name];
      if (!f || !r) throw new Error(`feature matching: the discriminator has no activation "${name}"`);
      return pixelLoss(criterion, f, r).mul(w);
    });
    return tf.addN(terms) as tf.Scalar;
  });
}
