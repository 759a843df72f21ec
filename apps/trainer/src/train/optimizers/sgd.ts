import * as tf from '@tensorflow/tfjs';
import type { SgdConfig } from '../../config/schema.ts';
import type { VariableMap } from '../adam.ts';
import { keepIfFinite, type Optimizer } from './types.ts';

/**
 * torch.optim.SGD: d = g + λp; with momentum μ, b = d on the first step, else μb + (1 − dampening)d, and the step
 * direction is b (or d + μb with Nesterov); p ← p − lr·direction.
 */
export class Sgd implements Optimizer {
  step = 0;
  readonly buf: VariableMap = {};

  constructor(
    readonly cfg: SgdConfig,
    params: VariableMap,
  ) {
    if (cfg.momentum > 0) {
      for (const [name, p] of Object.entries(params)) this.buf[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    }
  }

  apply(params: VariableMap, grads: Record<string, tf.Tensor>, lr: number, finite?: tf.Scalar): void {
    this.step++;
    const { momentum, dampening, nesterov, weightDecay } = this.cfg;
    const first = this.step === 1;
    tf.tidy(() => {
      const keep = keepIfFinite(finite);
      for (const [name, g] of Object.entries(grads)) {
        const p = params[name];
        let dir = weightDecay ? g.add(p.mul(weightDecay)) : g;
        if (momentum > 0) {
          const buf = this.buf[name];
          const next = first ? dir : buf.mul(momentum).add(dir.mul(1 - dampening));
          buf.assign(keep(next, buf));
          dir = nesterov ? dir.add(next.mul(momentum)) : next;
        }
        p.assign(keep(p.sub(dir.mul(lr)), p));
      }
    });
  }

  slots(): Record<string, VariableMap> {
    return this.cfg.momentum > 0 ? { buf: this.buf } : {};
  }

  dispose(): void {
    for (const t of Object.values(this.buf)) t.dispose();
  }
}
