import * as tf from '@tensorflow/tfjs';
import { getGeneratorArch } from './archs/registry.ts';
import type { Generator, ParamMap } from './archs/types.ts';

/** Builds a freshly initialized generator; `config` is validated and completed with BasicSR defaults. */
export function createGenerator(arch: string, config: unknown, seed: number): Generator {
  const spec = getGeneratorArch(arch);
  const parsed = spec.parseConfig(config);
  return { arch: spec.name, config: parsed, scale: spec.scaleOf(parsed), params: spec.init(parsed, seed) };
}

/** The forward pass: x float32 NHWC in [0, 1] → NHWC at `g.scale` times the size (unclamped). */
export function runGenerator(g: Generator, x: tf.Tensor4D): tf.Tensor4D {
  const spec = getGeneratorArch(g.arch);
  const m = spec.inputMultiple(g.config);
  if (x.shape[1] % m !== 0 || x.shape[2] % m !== 0) {
    throw new Error(`${g.arch} x${g.scale} needs input height/width divisible by ${m}, got ${x.shape[1]}x${x.shape[2]}`);
  }
  return spec.forward(g.params, x, g.config);
}

/** One input and one output channel: the network upscales luma only (see tiling/luma.ts). */
export function isLumaGenerator(g: Pick<Generator, 'config'>): boolean {
  const c = g.config as { num_in_ch?: unknown; num_out_ch?: unknown };
  return c.num_in_ch === 1 && c.num_out_ch === 1;
}

export function countParams(params: ParamMap): number {
  return Object.values(params).reduce((n, t) => n + t.size, 0);
}

/** Convolution FLOPs per LR input pixel (benchmarks: GFLOP/s = flopsPerPixel * pixels / seconds / 1e9). */
export function flopsPerPixel(g: Generator): number {
  return getGeneratorArch(g.arch).flopsPerPixel(g.config);
}

export function disposeParams(params: ParamMap): void {
  for (const t of Object.values(params)) t.dispose();
}

/** Deep copy of parameters (an export or a derived model must not change when the source goes on training). */
export function cloneParams(params: ParamMap): ParamMap {
  return tf.tidy(() => Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.clone()])));
}
