import * as tf from '@tensorflow/tfjs';
import type { AdamConfig } from '../config/schema.ts';
import type { Optimizer } from './optimizers/types.ts';

export type VariableMap = Record<string, tf.Variable>;

/** Adam exactly as torch.optim.Adam (L2 weight decay added to the gradient), with state that checkpoints exactly. */
export class Adam implements Optimizer {
  step = 0;
  readonly m: VariableMap = {};
  readonly v: VariableMap = {};

  constructor(
    readonly cfg: AdamConfig,
    params: VariableMap,
  ) {
    for (const [name, p] of Object.entries(params)) {
      this.m[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
      this.v[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    }
  }

  /**
   * One update of every parameter that has a gradient; `grads` are not disposed. With `finite` (a boolean scalar),
   * parameters and moments keep their values where it is false, decided on the device (torch callers skip the
   * step after reading the loss; reading it here would stall a GPU every step).
   */
  apply(params: VariableMap, grads: Record<string, tf.Tensor>, lr: number, finite?: tf.Scalar): void {
    this.step++;
    const [b1, b2] = this.cfg.betas;
    const bc1 = 1 - b1 ** this.step;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.step);
    const { eps, weightDecay } = this.cfg;
    tf.tidy(() => {
      const keep = (next: tf.Tensor, old: tf.Tensor) => (finite ? tf.where(finite, next, old) : next);
      for (const [name, g0] of Object.entries(grads)) {
        const p = params[name];
        const g = weightDecay ? g0.add(p.mul(weightDecay)) : g0;
        const m = this.m[name].mul(b1).add(g.mul(1 - b1));
        const v = this.v[name].mul(b2).add(g.square().mul(1 - b2));
        const denom = v.sqrt().div(bc2Sqrt).add(eps);
        p.assign(keep(p.sub(m.div(denom).mul(lr / bc1)), p));
        this.m[name].assign(keep(m, this.m[name]));
        this.v[name].assign(keep(v, this.v[name]));
      }
    });
  }

  slots(): Record<string, VariableMap> {
    return { m: this.m, v: this.v };
  }

  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t.dispose();
  }
}

/**
 * torch.nn.utils.clip_grad_norm_: scales all gradients by min(1, max/(norm + 1e-6)), on the device (the scale is
 * exactly 1 below the limit). Returns the new gradients (the given ones are disposed) and the global L2 norm.
 */
/** The global L2 norm of all gradients together (as torch.nn.utils.clip_grad_norm_ measures it). */
export function globalNorm(grads: Record<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.addN(Object.values(grads).map((g) => g.square().sum())).sqrt() as tf.Scalar);
}

export function clipGradNorm(grads: Record<string, tf.Tensor>, max: number): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  const norm = globalNorm(grads);
  const coef = tf.tidy(() => tf.minimum(1, tf.div(max, norm.add(1e-6))));
  const clipped: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) {
    clipped[name] = g.mul(coef);
    g.dispose();
  }
  coef.dispose();
  return { grads: clipped, norm };
}

/**
 * Exponential moving average of parameters: ema = d·ema + (1 − d)·p (BasicSR `model_ema`). With `warmup`, d grows as
 * min(decay, (1 + t) / (10 + t)) over the 0-based step t (TensorFlow's num_updates rule), so a short run's EMA is not
 * dominated by the random initial weights.
 */
export class Ema {
  readonly params: VariableMap = {};

  constructor(
    readonly decay: number,
    source: Record<string, tf.Tensor>,
    readonly warmup = false,
  ) {
    for (const [name, p] of Object.entries(source)) this.params[name] = tf.tidy(() => tf.variable(p.clone(), false));
  }

  decayAt(step: number): number {
    return this.warmup ? Math.min(this.decay, (1 + step) / (10 + step)) : this.decay;
  }

  update(source: Record<string, tf.Tensor>, step: number): void {
    const d = this.decayAt(step);
    tf.tidy(() => {
      for (const [name, e] of Object.entries(this.params)) e.assign(e.mul(d).add(source[name].mul(1 - d)));
    });
  }

  dispose(): void {
    for (const t of Object.values(this.params)) t.dispose();
  }
}
