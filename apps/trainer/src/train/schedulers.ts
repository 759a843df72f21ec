import type { SchedulerConfig } from '../config/schema.ts';

/**
 * The learning rate of the step with 0-based index `iter` (PyTorch convention: scheduler.step() after each
 * optimizer step), for a base rate `lr`. Pure, so resuming needs no scheduler state.
 */
export function learningRate(cfg: SchedulerConfig, lr: number, iter: number): number {
  switch (cfg.type) {
    case 'constant':
      return lr;
    case 'multistep':
      return lr * cfg.gamma ** cfg.milestones.filter((m) => m <= iter).length;
    case 'step':
      return lr * cfg.gamma ** Math.floor(iter / cfg.stepSize);
    case 'cosine': {
      // BasicSR CosineAnnealingRestartLR.
      let start = 0;
      for (let i = 0; i < cfg.periods.length; i++) {
        const period = cfg.periods[i];
        if (iter <= start + period) {
          const weight = cfg.restartWeights?.[i] ?? 1;
          return cfg.etaMin + weight * 0.5 * (lr - cfg.etaMin) * (1 + Math.cos((Math.PI * (iter - start)) / period));
        }
        start += period;
      }
      return cfg.etaMin;
    }
  }
}
