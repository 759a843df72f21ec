import type * as tf from '@tensorflow/tfjs';
import type { ParamMap } from './types.ts';

/** Looks a parameter up by its PyTorch name; a missing one is a clear error, not `undefined`. */
export function param<T extends tf.Tensor = tf.Tensor>(params: ParamMap, name: string): T {
  const t = params[name];
  if (!t) throw new Error(`missing parameter '${name}'`);
  return t as T;
}

export function optionalParam<T extends tf.Tensor = tf.Tensor>(params: ParamMap, name: string): T | undefined {
  return params[name] as T | undefined;
}

/** Reads a config object field with a default and a type/range check. */
export function intField(raw: Record<string, unknown>, key: string, def: number | undefined, allowed?: number[]): number {
  const v = raw[key] ?? def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`config.${key} must be a positive integer, got ${JSON.stringify(raw[key])}`);
  }
  if (allowed && !allowed.includes(v)) throw new Error(`config.${key} must be one of ${allowed.join(', ')}, got ${v}`);
  return v;
}

export function enumField<T extends string>(raw: Record<string, unknown>, key: string, def: T, allowed: readonly T[]): T {
  const v = raw[key] ?? def;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new Error(`config.${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw[key])}`);
  }
  return v as T;
}

export function asRecord(raw: unknown, arch: string): Record<string, unknown> {
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${arch} config must be an object`);
  return raw as Record<string, unknown>;
}

export const convFlops = (k: number, cin: number, cout: number): number => 2 * k * k * cin * cout;
