/**
 * The one place that talks to @sr/model: decode a model file, interpolate weights, run the probe and
 * build the tiled upscaler. The registry and routes only see these functions.
 */
import * as tf from '@tensorflow/tfjs';
import {
  countParams,
  decodeModelFile,
  disposeParams,
  flopsPerPixel,
  interpolateGenerators as interpolate,
  isLumaGenerator,
  runGenerator,
  Upscaler,
  type Generator,
} from '@sr/model';
import { PROBE_SIZE, fingerprint, probeInput } from './self-check.ts';

export interface LoadedFile {
  generator: Generator;
  metadata: Record<string, string>;
  sha256: string;
}

/** Pure on bytes (no file system), so it runs in workerd too. */
export const loadFile = (bytes: Uint8Array): Promise<LoadedFile> => decodeModelFile(bytes);

export const parameterCount = (g: Generator): number => countParams(g.params);

/** What the network takes and returns: RGB, or BT.601 luma only (the engine upscales the colour differences bicubically). */
export type NetworkChannels = 'rgb' | 'luma';
export const networkChannels = (g: Generator): NetworkChannels => (isLumaGenerator(g) ? 'luma' : 'rgb');

/** Convolution FLOPs per LR pixel, for the per-request work estimate. */
export const modelFlopsPerPixel = (g: Generator): number => flopsPerPixel(g);

/** (1 - α)·psnr + α·gan, ESRGAN's network interpolation. */
export const interpolateGenerators = (psnr: Generator, gan: Generator, alpha: number): Generator => interpolate(psnr, gan, alpha);

export const disposeGenerator = (g: Generator): void => disposeParams(g.params);

export function createUpscaler(g: Generator): Upscaler {
  return Upscaler.forGenerator(g);
}

/** The probe output fingerprint of `g` (see self-check.ts). */
export async function probe(g: Generator): Promise<number[]> {
  const channels = isLumaGenerator(g) ? 1 : 3;
  const y = tf.tidy(() => runGenerator(g, tf.tensor4d(probeInput(channels), [1, PROBE_SIZE, PROBE_SIZE, channels])));
  try {
    return fingerprint((await y.data()) as Float32Array, PROBE_SIZE * g.scale, channels);
  } finally {
    y.dispose();
  }
}
