import { existsSync, readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, serializeSafetensors, type StateDict } from '@sr/model';
import { CliError } from '../cli-error.ts';
import type { DataState } from '../data/batches.ts';
import type { RngState } from '../data/rng.ts';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface CheckpointState {
  version: 1;
  phase: 'psnr' | 'gan';
  /** Completed iterations of `phase`. */
  iter: number;
  rng: RngState;
  data: DataState;
  /** Adam step counts by optimizer name (the moments are tensors). */
  adamSteps: Record<string, number>;
  /** JSON of the resolved config, to refuse resuming with a different one. */
  config: string;
}

/** Tensor groups, e.g. { g: params, ema: ..., 'optG.m': ... }; stored as `<group>/<name>`. */
export type TensorGroups = Record<string, Record<string, tf.Tensor>>;

export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Reads the tensors to host memory in one batch of async reads; the caller awaits it before the next training step. */
export async function snapshotTensors(groups: TensorGroups): Promise<StateDict> {
  const entries = Object.entries(groups).flatMap(([group, tensors]) => Object.entries(tensors).map(([name, t]) => [`${group}/${name}`, t] as const));
  const values = await Promise.all(entries.map(([, t]) => t.data()));
  const sd: StateDict = {};
  entries.forEach(([key, t], i) => {
    const data = values[i];
    sd[key] = { shape: [...t.shape], data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>) };
  });
  return sd;
}

/** Writes a checkpoint atomically (temp file + fsync + rename): a crash leaves the previous one intact. */
export async function saveCheckpoint(dir: string, state: CheckpointState, tensors: StateDict): Promise<void> {
  await writeAtomic(join(dir, CHECKPOINT_FILE), serializeSafetensors(tensors, { state: JSON.stringify(state) }));
}

export interface LoadedCheckpoint {
  state: CheckpointState;
  groups: Record<string, Record<string, { shape: number[]; data: Float32Array }>>;
}

/** `action` names what the caller wanted in the error messages ("cannot resume from ..."). */
export function loadCheckpoint(dir: string, action = 'resume'): LoadedCheckpoint {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new CliError(`cannot ${action}: no ${CHECKPOINT_FILE} in ${dir}`);
  let parsed;
  try {
    parsed = parseSafetensors(new Uint8Array(readFileSync(path)));
  } catch (err) {
    throw new CliError(`cannot ${action} from ${path}: ${(err as Error).message}`);
  }
  const state = JSON.parse(parsed.metadata.state ?? 'null') as CheckpointState | null;
  if (state?.version !== 1) throw new CliError(`cannot ${action} from ${path}: not a trainer checkpoint`);
  const groups: LoadedCheckpoint['groups'] = {};
  for (const [key, t] of Object.entries(parsed.tensors)) {
    const slash = key.indexOf('/');
    (groups[key.slice(0, slash)] ??= {})[key.slice(slash + 1)] = t;
  }
  return { state, groups };
}

/** Overwrites variables with checkpointed values, checking that names and shapes match. */
export function restoreInto(target: Record<string, tf.Variable>, saved: Record<string, { shape: number[]; data: Float32Array }> | undefined, what: string): void {
  if (!saved) throw new CliError(`checkpoint has no ${what}`);
  for (const [name, v] of Object.entries(target)) {
    const s = saved[name];
    if (!s || s.shape.join() !== v.shape.join()) throw new CliError(`checkpoint ${what} does not match the model at "${name}"`);
    tf.tidy(() => v.assign(tf.tensor(s.data, s.shape, 'float32')));
  }
}
