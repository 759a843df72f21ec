import type * as tf from '@tensorflow/tfjs';

/** Parameters keyed by the PyTorch reference names; conv kernels in HWIO (tfjs) layout. */
export type ParamMap = Record<string, tf.Tensor>;

export type ArchName = 'RRDBNet' | 'SRVGGNetCompact' | 'VGGStyleDiscriminator' | 'VGG19';

export interface ForwardOptions {
  /** Batch-norm layers use batch statistics and report updated running stats when true. */
  training?: boolean;
}

/** One architecture: its parameter names/shapes are the public contract (they equal the PyTorch reference). */
export interface ArchSpec<C> {
  name: ArchName;
  /** Every parameter (and buffer, e.g. BN running stats) with its in-memory HWIO shape. */
  paramShapes(config: C): Record<string, number[]>;
  /** BasicSR `default_init_weights`-style initialization, deterministic for a seed. */
  init(config: C, seed: number): ParamMap;
  /** x: float32 NHWC. */
  forward(params: ParamMap, x: tf.Tensor4D, config: C, opts?: ForwardOptions): tf.Tensor4D;
}

export interface GeneratorSpec<C> extends ArchSpec<C> {
  scaleOf(config: C): number;
}

/** A generator ready to run: what a model file describes. */
export interface Generator<C = Record<string, unknown>> {
  arch: ArchName;
  config: C;
  scale: number;
  params: ParamMap;
}
