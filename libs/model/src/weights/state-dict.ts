import * as tf from '@tensorflow/tfjs';
import type { ParamMap } from '../archs/types.ts';
import { WeightsError } from './errors.ts';
import { shapeString, type StateDict } from './host-tensor.ts';
import { fromTorchLayout, torchShape, toTorchLayout } from './layout.ts';

// BatchNorm's step counter: an int buffer no forward pass reads; tolerated when an architecture does not list it.
const IGNORABLE = /(^|\.)num_batches_tracked$/;

function listKeys(keys: string[]): string {
  return keys.length <= 5 ? keys.join(', ') : `${keys.slice(0, 5).join(', ')} (+${keys.length - 5} more)`;
}

/**
 * Checks a PyTorch-layout state dict against an architecture's in-memory parameter shapes and names the first
 * problem: unknown keys, missing keys, or a shape mismatch (expected vs got, both in PyTorch layout).
 */
export function checkStateDict(sd: StateDict, memShapes: Record<string, number[]>, what = 'weights'): void {
  const unknown = Object.keys(sd).filter((k) => !(k in memShapes) && !IGNORABLE.test(k));
  if (unknown.length) throw new WeightsError(`${what}: unknown keys ${listKeys(unknown)}`);
  const missing = Object.keys(memShapes).filter((k) => !(k in sd));
  if (missing.length) throw new WeightsError(`${what}: missing keys ${listKeys(missing)}`);
  for (const [key, mem] of Object.entries(memShapes)) {
    const expected = torchShape(mem);
    const got = sd[key].shape;
    if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
      throw new WeightsError(`${what}: "${key}" has shape ${shapeString(got)}, expected ${shapeString(expected)}`);
    }
  }
}

/** Validated state dict (PyTorch layout) → tf tensors in memory layout, keyed by the architecture's names. */
export function stateDictToParams(sd: StateDict, memShapes: Record<string, number[]>, what?: string): ParamMap {
  checkStateDict(sd, memShapes, what);
  const params: ParamMap = {};
  for (const key of Object.keys(memShapes)) {
    const t = fromTorchLayout(sd[key]);
    params[key] = IGNORABLE.test(key) ? tf.tensor(t.data, t.shape, 'int32') : tf.tensor(t.data, t.shape, 'float32');
  }
  return params;
}

/** tf tensors (memory layout) → host tensors in PyTorch layout; one batch of async reads (GPU tensors cannot be read synchronously). */
export async function paramsToStateDict(params: ParamMap): Promise<StateDict> {
  const entries = Object.entries(params);
  const values = await Promise.all(entries.map(([, t]) => t.data()));
  const sd: StateDict = {};
  entries.forEach(([key, t], i) => {
    sd[key] = toTorchLayout({ shape: [...t.shape], data: new Float32Array(values[i]) });
  });
  return sd;
}
