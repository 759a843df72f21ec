import * as tf from '@tensorflow/tfjs';
import { vgg19Features, type ParamMap } from '@sr/model';
import type { PerceptualConfig } from '../config/schema.ts';
import { pixelLoss } from './pixel.ts';

export type PerceptualOptions = Omit<PerceptualConfig, 'vggWeights'>;

/** BasicSR `_gram_mat`: per image, F·Fᵀ / (C·H·W) over the C×(H·W) feature matrix. */
export function gramMatrix(f: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = f.shape;
    const flat = f.reshape([n, h * w, c]);
    return tf.matMul(flat, flat, true, false).div(c * h * w) as tf.Tensor3D;
  });
}

/**
 * BasicSR `PerceptualLoss`: Σ_layers w_l·crit(φ_l(SR), φ_l(HR)) times `weight`, and the same over Gram matrices times
 * `styleWeight`, with VGG19 features (convX_Y before its ReLU) after optional range and ImageNet normalisation. VGG is
 * frozen: its parameters are plain tensors, never tf.Variables, so no gradient is taken for them.
 */
export class PerceptualLoss {
  private readonly vggConfig;

  constructor(
    private readonly vgg: ParamMap,
    private readonly o: PerceptualOptions,
  ) {
    this.vggConfig = { layers: Object.keys(o.layers), use_input_norm: o.useInputNorm, range_norm: o.rangeNorm };
  }

  private distance(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
    if (this.o.criterion === 'fro') return tf.tidy(() => a.sub(b).square().sum().sqrt() as tf.Scalar);
    return pixelLoss(this.o.criterion, a, b);
  }

  /** The weighted terms with a positive weight: `percep` (features) and `style` (Gram matrices). */
  terms(sr: tf.Tensor4D, hr: tf.Tensor4D): { percep?: tf.Scalar; style?: tf.Scalar } {
    return tf.tidy(() => {
      const fs = vgg19Features(this.vgg, sr, this.vggConfig);
      const fh = vgg19Features(this.vgg, hr, this.vggConfig);
      const layers = Object.entries(this.o.layers);
      const weighted = (of: (f: tf.Tensor4D) => tf.Tensor, weight: number) =>
        tf.addN(layers.map(([name, w]) => this.distance(of(fs[name]), of(fh[name])).mul(w))).mul(weight) as tf.Scalar;
      const out: { percep?: tf.Scalar; style?: tf.Scalar } = {};
      if (this.o.weight > 0) out.percep = weighted((f) => f, this.o.weight);
      if (this.o.styleWeight > 0) out.style = weighted(gramMatrix, this.o.styleWeight);
      return out;
    });
  }

  dispose(): void {
    for (const t of Object.values(this.vgg)) t.dispose();
  }
}
