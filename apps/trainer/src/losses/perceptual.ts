import * as tf from '@tensorflow/tfjs';
import { vgg19Features, type ParamMap } from '@sr/model';
import { pixelLoss, type PixelCriterion } from './pixel.ts';

/**
 * ESRGAN perceptual loss: distance between VGG19 features (before the activation, e.g. conv5_4) of SR and HR, with
 * ImageNet input normalization (BasicSR `PerceptualLoss`, use_input_norm, no range_norm). VGG is frozen: its
 * parameters are plain tensors, never tf.Variables, so no gradient is taken for them.
 */
export class PerceptualLoss {
  private readonly config;

  constructor(
    private readonly vgg: ParamMap,
    layer: string,
    private readonly criterion: PixelCriterion,
  ) {
    this.config = { layers: [layer], use_input_norm: true, range_norm: false };
  }

  loss(sr: tf.Tensor4D, hr: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => {
      const [layer] = this.config.layers;
      const fs = vgg19Features(this.vgg, sr, this.config)[layer];
      const fh = vgg19Features(this.vgg, hr, this.config)[layer];
      return pixelLoss(this.criterion, fs, fh);
    });
  }

  dispose(): void {
    for (const t of Object.values(this.vgg)) t.dispose();
  }
}
