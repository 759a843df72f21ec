import { CliError } from '../cli-error.ts';
import type { TrainConfig } from '../config/schema.ts';
import type { PhaseName } from './phase-loop.ts';

/** Dotted paths of the leaves (arrays count as leaves) where two JSON values differ. */
export function configDiff(a: unknown, b: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => configDiff(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || '(root)'];
}

const isPrefix = (old: unknown, now: unknown) =>
  Array.isArray(old) && Array.isArray(now) && old.length <= now.length && old.every((v, i) => JSON.stringify(v) === JSON.stringify(now[i]));

/** `a.b.c` of a JSON object. */
const at = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);

/**
 * What a resumed run may change: the iterations of the phase it is in or of one not started yet (never below the
 * checkpoint's iteration), and cosine `periods` / `restartWeights` by appending (the schedule already trained on stays
 * the same). Anything else is refused with the differing fields named. Returns a note per change for the log.
 */
export function checkResumeConfig(saved: string, now: TrainConfig, phase: PhaseName, iter: number, dir: string): string[] {
  const before = JSON.parse(saved) as unknown;
  const after = JSON.parse(JSON.stringify(now)) as unknown;
  const refused: string[] = [];
  const notes: string[] = [];
  for (const field of configDiff(before, after)) {
    const [, p, key, sub] = /^phases\.(psnr|gan)\.(iterations|scheduler[GD]?\.(periods|restartWeights))$/.exec(field) ?? [];
    const old = at(before, field);
    const value = at(after, field);
    const started = p === phase || (p === 'psnr' && phase === 'gan');
    if (key === 'iterations' && p === 'psnr' && phase === 'gan') refused.push(`${field} (the psnr phase is finished)`);
    else if (key === 'iterations' && started && (value as number) < iter) refused.push(`${field} (${value} is below the checkpoint's iteration ${iter})`);
    else if (key === 'iterations' || (sub && (!started || isPrefix(old, value)))) notes.push(`${field}: ${JSON.stringify(old)} → ${JSON.stringify(value)}`);
    else if (sub) refused.push(`${field} (periods and restart weights may only be appended to)`);
    else refused.push(field);
  }
  if (refused.length) {
    throw new CliError(
      `cannot resume ${dir}: the config differs from the checkpointed run's in ${refused.join(', ')}; on resume only phases.<phase>.iterations and appended cosine periods/restartWeights may change`,
    );
  }
  return notes;
}
