import type { OptimizerConfig } from '../../config/schema.ts';
import { Adam, type VariableMap } from '../adam.ts';
import { restoreInto, type LoadedCheckpoint, type TensorGroups } from '../checkpoint.ts';
import { AdamW } from './adamw.ts';
import { Sgd } from './sgd.ts';
import type { Optimizer } from './types.ts';

export type { Optimizer } from './types.ts';

export function createOptimizer(cfg: OptimizerConfig, params: VariableMap): Optimizer {
  switch (cfg.type) {
    case undefined:
    case 'adam':
      return new Adam(cfg, params);
    case 'adamw':
      return new AdamW(cfg, params);
    case 'sgd':
      return new Sgd(cfg, params);
  }
}

/** The optimizer's state as checkpoint groups `<name>.<slot>` (e.g. `optG.m`, `optD.buf`). */
export function optimizerGroups(name: string, opt: Optimizer): TensorGroups {
  return Object.fromEntries(Object.entries(opt.slots()).map(([slot, vars]) => [`${name}.${slot}`, vars]));
}

export function restoreOptimizer(opt: Optimizer, ck: LoadedCheckpoint, name: string, step: number): void {
  for (const [slot, vars] of Object.entries(opt.slots())) restoreInto(vars, ck.groups[`${name}.${slot}`], `${name} ${slot}`);
  opt.step = step;
}
