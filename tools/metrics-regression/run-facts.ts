import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scores } from '@sr/metrics';
import { readJsonl, type LogRecord } from '../../apps/trainer/src/report/jsonl.ts';

export interface PhaseFacts {
  phase: string;
  /** Last logged iteration. */
  iterations: number;
  /** Seconds between the phase's first and last log record, and the iterations they span. */
  loggedSeconds: number;
  loggedIterations: number;
  /** `sets`: every validation set's scores when the run had several (the first is psnr/ssim/bicubic). */
  lastValidation?: { iter: number; psnr: number; ssim: number; bicubic?: Scores; sets?: { name: string; psnr: number; ssim: number; bicubic: Scores }[] };
}

export interface InterpFacts {
  alpha: number;
  file: string;
  psnr: number;
  ssim: number;
}

/** What a run folder tells about how a model was trained. */
export interface RunFacts {
  /** The resolved training config (config.json). */
  config: Record<string, unknown>;
  phases: PhaseFacts[];
  /** interp.json: validation scores per network-interpolation α. */
  interpolation?: InterpFacts[];
}

function phaseFacts(phase: string, records: LogRecord[]): PhaseFacts {
  const timed = records.filter((r) => typeof r.time === 'number');
  const first = timed[0];
  const last = timed.at(-1)!;
  const val = records.filter((r) => r.kind === 'val' && typeof r.psnr === 'number').at(-1);
  return {
    phase,
    iterations: Math.max(...records.map((r) => r.iter)),
    loggedSeconds: last.time - first.time,
    loggedIterations: last.iter - first.iter,
    lastValidation: val && { iter: val.iter, psnr: val.psnr as number, ssim: val.ssim as number, bicubic: val.bicubic as Scores | undefined, ...(val.sets ? { sets: val.sets as NonNullable<PhaseFacts['lastValidation']>['sets'] } : {}) },
  };
}

export function readRunFacts(runDir: string): RunFacts {
  const configPath = join(runDir, 'config.json');
  if (!existsSync(configPath)) throw new Error(`${runDir} is not a run folder: no config.json`);
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const logPath = join(runDir, 'train.jsonl');
  const records = existsSync(logPath) ? readJsonl(logPath) : [];
  const phases = ['psnr', 'gan']
    .map((p) => [p, records.filter((r) => r.phase === p)] as const)
    .filter(([, rs]) => rs.length > 0)
    .map(([p, rs]) => phaseFacts(p, rs));
  const interpPath = join(runDir, 'interp.json');
  const interpolation = existsSync(interpPath) ? (JSON.parse(readFileSync(interpPath, 'utf8')) as InterpFacts[]) : undefined;
  return { config, phases, interpolation };
}
