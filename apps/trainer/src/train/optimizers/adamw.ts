import * as tf from '@tensorflow/tfjs';
import type { AdamWConfig } from '../../config/schema.ts';
import { Adam, type VariableMap } from '../adam.ts';
import { keepIfFinite, type Optimizer } from './types.ts';

/** torch.optim.AdamW: p ← p·(1 − lr·λ), then the Adam step without L2 decay (Loshchilov & Hutter's decoupled decay). */
export class AdamW implements Optimizer {
  private readonly adam: Adam;

  constructor(
    readonly cfg: AdamWConfig,
    params: VariableMap,
  ) {
    this.adam = new Adam({ ...cfg, type: 'adam', weightDecay: 0 }, params);
  }

  get step(): number {
    return this.adam.step;
  }

  set step(n: number) {
    this.adam.step = n;
  }

  apply(params: VariableMap, grads: Record<string, tf.Tensor>, lr: number, finite?: tf.Scalar): void {
    const shrink = 1 - lr * this.cfg.weightDecay;
    if (shrink !== 1) {
      tf.tidy(() => {
        const keep = keepIfFinite(finite);
        for (const name of Object.keys(grads)) params[name].assign(keep(params[name].mul(shrink), params[name]));
      });
    }
    this.adam.apply(params, grads, lr, finite);
  }

  slots(): Record<string, VariableMap> {
    return this.adam.slots();
  }

  dispose(): void {
    this.adam.dispose();
  }
}
