import type * as tf from '@tensorflow/tfjs';
import type { PsnrPhaseConfig } from '../config/schema.ts';
import { pixelLoss } from '../losses/pixel.ts';
import { Ema } from './adam.ts';
import type { TensorGroups } from './checkpoint.ts';
import { disposeGrads, lossAndGrads } from './grads.ts';
import type { Net } from './net.ts';
import { createOptimizer, optimizerGroups, type Optimizer } from './optimizers/index.ts';
import { learningRate } from './schedulers.ts';
import type { DeviceTree } from './readback.ts';
import { layerStats } from './tensor-stats.ts';

/** A step's outcome; its tensors belong to the caller, who reads them at logging points (readTree) or disposes them. */
export interface StepResult {
  losses: Record<string, tf.Scalar>;
  lrs: Record<string, number>;
  /** True when every loss was finite and the updates were applied (bool scalar). */
  finite: tf.Scalar;
  stats?: DeviceTree;
  dAccuracy?: { real: tf.Scalar; fake: tf.Scalar };
}

/** Phase 1: the generator alone under a pixel loss (ESRNet / RealESRNet style). */
export class PsnrStepper {
  readonly opt: Optimizer;
  readonly ema: Ema | undefined;

  constructor(
    readonly g: Net,
    readonly cfg: PsnrPhaseConfig,
  ) {
    this.opt = createOptimizer(cfg.optimizer, g.vars);
    this.ema = cfg.ema ? new Ema(cfg.ema.decay, g.vars, cfg.ema.warmup) : undefined;
  }

  /** One optimizer step on a batch; `iter` is the 0-based index of this step within the phase. */
  step(lr: tf.Tensor4D, hr: tf.Tensor4D, iter: number, wantStats: boolean): StepResult {
    const rate = learningRate(this.cfg.scheduler, this.cfg.optimizer.lr, iter);
    const { terms, grads, finite, stats: s } = lossAndGrads(
      this.g.vars,
      () => ({ pix: pixelLoss(this.cfg.pixelLoss, this.g.forward(lr, true), hr) }),
      this.cfg.gradClip,
      wantStats ? (raw) => layerStats(this.g.vars, raw) : undefined,
    );
    const stats = s && { g: s.layers, gradNormG: s.gradNorm };
    this.opt.apply(this.g.vars, grads, rate, finite);
    this.ema?.update(this.g.vars, iter);
    disposeGrads(grads);
    return { losses: terms, lrs: { g: rate }, finite, stats };
  }

  /** The weights to validate and export: the EMA when kept, else the live parameters. */
  exportParams(): Record<string, tf.Tensor> {
    return this.ema ? this.ema.params : this.g.vars;
  }

  tensors(): TensorGroups {
    return { g: this.g.vars, ...(this.ema ? { ema: this.ema.params } : {}), ...optimizerGroups('optG', this.opt) };
  }

  adamSteps(): Record<string, number> {
    return { g: this.opt.step };
  }

  dispose(): void {
    this.opt.dispose();
    this.ema?.dispose();
  }
}
