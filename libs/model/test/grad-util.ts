import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { initBackend } from '../src/index.ts';
import { arr, type Arr } from './ref-ops.ts';
import { GPU_BACKENDS } from './webgpu-env.ts';

export const BACKENDS = ['wasm', 'cpu', ...GPU_BACKENDS] as const;

export async function useBackend(name: 'wasm' | 'cpu' | 'webgpu'): Promise<void> {
  await initBackend({ prefer: name, log: null });
  expect(tf.getBackend()).toBe(name);
}

/** Deterministic pseudo-random values in [-1, 1) (mulberry32). */
export function randomArr(shape: number[], seed: number, scale = 1): Arr {
  let s = seed >>> 0;
  const a = arr(shape);
  for (let i = 0; i < a.data.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    a.data[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return a;
}

export const toTensor = (a: Arr): tf.Tensor => tf.tensor(Float32Array.from(a.data), a.shape);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst / scale, `${what}: max abs error ${worst} (scale ${scale})`).toBeLessThan(tol);
}

/**
 * Checks a tfjs op against a float64 reference: the forward values, and the gradient of
 * L = sum(f(inputs) * R) for a fixed random R, against central finite differences of the
 * float64 reference (exact to ~1e-9, so the only slack is float32 rounding in tfjs).
 */
export async function checkOpGradient(
  name: string,
  tfFn: (xs: tf.Tensor[]) => tf.Tensor,
  refFn: (xs: Arr[]) => Arr,
  inputs: Arr[],
  tol = 2e-4,
): Promise<void> {
  const ref = refFn(inputs);
  const r = randomArr(ref.shape, 99);
  const loss64 = (xs: Arr[]) => refFn(xs).data.reduce((s, v, i) => s + v * r.data[i], 0);
  const tensors = inputs.map(toTensor);
  const rT = toTensor(r);
  const y = tfFn(tensors);
  expect(y.shape, `${name} shape`).toEqual(ref.shape);
  expectClose(await y.data(), ref.data, tol, `${name} forward`);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(tfFn(xs), rT)))(tensors);
  const gradValues = await Promise.all(grads.map((g) => g.data()));
  const h = 1e-6;
  inputs.forEach((input, k) => {
    const numeric = new Float64Array(input.data.length);
    for (let i = 0; i < input.data.length; i++) {
      const orig = input.data[i];
      input.data[i] = orig + h;
      const lp = loss64(inputs);
      input.data[i] = orig - h;
      const lm = loss64(inputs);
      input.data[i] = orig;
      numeric[i] = (lp - lm) / (2 * h);
    }
    expectClose(gradValues[k], numeric, tol, `${name} d/d input ${k}`);
  });
  tf.dispose([...tensors, rT, y, ...grads]);
}
