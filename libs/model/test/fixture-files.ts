import { readFileSync } from 'node:fs';
import { parseSafetensors } from '../src/weights/safetensors.ts';
import type { HostTensor, StateDict } from '../src/weights/host-tensor.ts';

/** Files written by tools/pytorch/make_fixtures.py. */
export const fixturePath = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(name)));

export const fixtureTensors = (name: string): StateDict => parseSafetensors(fixtureBytes(name)).tensors;

export interface FixtureCase {
  name: string;
  arch: string;
  config: Record<string, unknown>;
  pth?: string;
  io: string;
  weights?: 'hash';
  layers?: string[];
  /** Gradient fixture and the mode (eval/train) PyTorch ran the network in for it. */
  grad?: string;
  grad_mode?: 'eval' | 'train';
}

export const fixtureCases = (): FixtureCase[] => JSON.parse(readFileSync(fixturePath('manifest.json'), 'utf8')).cases;

/** NCHW (PyTorch) → NHWC data. */
export function nchwToNhwc(t: HostTensor): { shape: [number, number, number, number]; data: Float32Array } {
  const [n, c, h, w] = t.shape;
  const out = new Float32Array(t.data.length);
  let k = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[k++] = t.data[((b * c + ch) * h + y) * w + x];
  return { shape: [n, h, w, c], data: out };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
