import * as tf from '@tensorflow/tfjs';
import { isLumaGenerator } from '@sr/model';
import { CliError } from '../cli-error.ts';
import type { TrainConfig } from '../config/schema.ts';
import type { BatchSource, DataState } from '../data/batches.ts';
import { Prefetcher } from '../data/batches.ts';
import type { JsonlLog } from '../report/jsonl.ts';
import { Progress, type ProgressOptions } from '../report/progress.ts';
import { FiniteWatch } from './finite-watch.ts';
import { networkView } from './network-view.ts';
import type { StepResult } from './psnr-step.ts';
import { disposeTree, readTree } from './readback.ts';
import { yieldToEventLoop } from './signals.ts';

export type PhaseName = 'psnr' | 'gan';

export interface Stepper {
  step(lr: tf.Tensor4D, hr: tf.Tensor4D, iter: number, wantStats: boolean): StepResult;
}

export interface PhaseHooks {
  /** Validation after `iter` completed iterations. */
  validate(iter: number): Promise<void>;
  /** Checkpoint after `iter` completed iterations (data state already advanced). */
  checkpoint(iter: number): Promise<void>;
  /** True once SIGINT/SIGTERM arrived. */
  stopRequested(): boolean;
}

export interface PhaseLoopOptions {
  phase: PhaseName;
  config: TrainConfig;
  total: number;
  start: number;
  source: BatchSource;
  data: DataState;
  stepper: Stepper;
  log: JsonlLog;
  hooks: PhaseHooks;
  progress: ProgressOptions;
  /** The run folder, named in the interruption message. */
  outDir: string;
}

/** An interrupted run (signal) whose checkpoint was saved. */
export class Interrupted extends CliError {
  constructor(phase: PhaseName, iter: number, dir: string) {
    super(`interrupted at ${phase} iteration ${iter}; checkpoint saved, continue with --resume ${dir}`, 130);
  }
}

/**
 * The iteration loop shared by both phases: prefetched batches → step → log / validate / checkpoint on their
 * schedules. `data.nextBatch` is advanced as batches are consumed, so a checkpoint taken after iteration i resumes
 * with exactly the batch iteration i + 1 would have seen.
 */
export async function runPhaseLoop(o: PhaseLoopOptions): Promise<void> {
  const { config: c, phase, total } = o;
  const prefetch = new Prefetcher(o.source, o.data.nextBatch, c.data.prefetch);
  const progress = new Progress(phase, total, o.start, o.progress);
  let lastCheckpoint = o.start;
  const watch = new FiniteWatch();
  const luma = isLumaGenerator(c.generator);
  try {
    for (let iter = o.start; iter < total; iter++) {
      await yieldToEventLoop();
      if (o.hooks.stopRequested()) {
        await o.hooks.checkpoint(iter);
        throw new Interrupted(phase, iter, o.outDir);
      }
      const batch = await prefetch.take();
      const lr = networkView(tf.tensor4d(batch.lr, [batch.size, batch.lrPatch, batch.lrPatch, 3]), luma);
      const hr = networkView(tf.tensor4d(batch.hr, [batch.size, batch.hrPatch, batch.hrPatch, 3]), luma);
      const done = iter + 1;
      const wantStats = done % c.logging.statsEvery === 0;
      let res: StepResult;
      try {
        res = o.stepper.step(lr, hr, iter, wantStats);
      } finally {
        lr.dispose();
        hr.dispose();
      }
      watch.observe(done, res.finite, res.losses);
      o.data.nextBatch = batch.index + 1;
      progress.tick(done);
      const logNow = done % c.logging.every === 0 || done === total;
      const validateNow = done % c.validation.every === 0 || done === total;
      const checkpointNow = done % c.checkpoint.every === 0 || done === total;
      if (!(logNow || res.stats || validateNow || checkpointNow)) {
        disposeTree({ losses: res.losses, finite: res.finite, dAccuracy: res.dAccuracy });
        continue;
      }
      // The one device read of this stretch of steps.
      const host = await readTree({ losses: res.losses, finite: res.finite, dAccuracy: res.dAccuracy, stats: res.stats, bad: watch.readable() });
      if (host.bad.iter >= 0) {
        const [name, value] = Object.entries(host.bad.losses).find(([, v]) => !Number.isFinite(v)) ?? ['total', NaN];
        o.log.write({ kind: 'event', phase, iter: host.bad.iter, event: 'non-finite-loss', losses: host.bad.losses });
        throw new CliError(
          `non-finite loss ${name}=${value} at ${phase} iteration ${host.bad.iter}; stopped (the last good checkpoint, iteration ${lastCheckpoint}, is kept)`,
          3,
        );
      }
      progress.update(done, host.losses);
      if (logNow) {
        o.log.write({ kind: 'train', phase, iter: done, losses: host.losses, lr: res.lrs, ...(host.dAccuracy ? { dAccuracy: host.dAccuracy } : {}) });
      }
      if (host.stats) o.log.write({ kind: 'stats', phase, iter: done, ...(host.stats as Record<string, unknown>) });
      if (validateNow) await o.hooks.validate(done);
      if (checkpointNow) {
        await o.hooks.checkpoint(done);
        lastCheckpoint = done;
      }
    }
  } finally {
    watch.dispose();
    progress.stop();
  }
}
