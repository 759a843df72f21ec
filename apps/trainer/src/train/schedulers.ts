import type { SchedulerConfig } from '../config/schema.ts';

/**
 * The learning rate of the step with 0-based index `iter` (PyTorch convention: scheduler.step() after each
 * optimizer step), for a base rate `lr`. Pure, so resuming needs no scheduler state.
 */
export function learningRate(cfg: SchedulerConfig, lr: number, iter: number): number {
  return scheduledRate(cfg, lr, iter) * warmupFactor(cfg.warmup, iter);
}

/**
 * Linear warmup: (i + 1) / warmup at the 0-based step i < warmup, then 1. BasicSR's `warmup_iter` rule, and
 * torch's LinearLR(start_factor=1/warmup, total_iters=warmup − 1) chained with the main schedule.
 */
function warmupFactor(warmup: number | undefined, iter: number): number {
  return warmup !== undefined && iter < warmup ? (iter + 1) / warmup : 1;
}

function scheduledRate(cfg: SchedulerConfig, lr: number, iter: number): number {
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

/**
 * Why a schedule does not fit a phase of `iterations` steps, or undefined: cosine periods that end before the phase
 * does (the rest would silently train at etaMin), restart weights that do not pair with the periods, a warmup longer
 * than the phase. Returns [field relative to the scheduler, message].
 */
export function scheduleMismatch(cfg: SchedulerConfig, iterations: number): [string, string] | undefined {
  if (cfg.warmup !== undefined && cfg.warmup > iterations) return ['warmup', `is ${cfg.warmup}, longer than the phase (${iterations} iterations)`];
  if (cfg.type !== 'cosine') return undefined;
  if (cfg.restartWeights && cfg.restartWeights.length !== cfg.periods.length) {
    return ['restartWeights', `has ${cfg.restartWeights.length} entries for ${cfg.periods.length} periods`];
  }
  const covered = cfg.periods.reduce((a, b) => a + b, 0);
  if (covered < iterations) {
    return ['periods', `sum to ${covered}, but the phase runs ${iterations} iterations (the rest would train at etaMin ${cfg.etaMin}); make them add up to at least ${iterations}`];
  }
  return undefined;
}
