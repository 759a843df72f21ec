import type * as tf from '@tensorflow/tfjs';

/**
 * Parameters keyed by the PyTorch reference names. In memory: conv kernels HWIO (tfjs layout);
 * linear weights keep the PyTorch layout [out, in]; PReLU weights and norm parameters/buffers are
 * 1-D [C]; BatchNorm `num_batches_tracked` is an int32 scalar.
 */
export type ParamMap = Record<string, tf.Tensor>;

export type ArchName = 'RRDBNet' | 'SRVGGNetCompact' | 'VGGStyleDiscriminator' | 'VGG19';

export interface ForwardOptions {
  /** Batch-norm layers use batch statistics and report updated running stats when true. */
  training?: boolean;
  /**
   * Training mode only: receives the updated BatchNorm buffers (`<bn>.running_mean`,
   * `<bn>.running_var`, `<bn>.num_batches_tracked`), kept out of any enclosing tf.tidy. The
   * caller owns them: swap them into its ParamMap (disposing the old ones) after the step.
   */
  statsOut?: ParamMap;
  /**
   * Discriminators only: receives every intermediate activation by layer name (VGGStyleDiscriminator:
   * `vggDiscriminatorFeatureNames`), kept out of any enclosing tf.tidy; the caller disposes them. Inside a gradient tape
   * they stay differentiable (feature-matching loss).
   */
  featuresOut?: ParamMap;
}

/** One architecture: its parameter names/shapes are the public contract (they equal the PyTorch reference). */
export interface ArchSpec<C, Out extends tf.Tensor = tf.Tensor4D> {
  name: ArchName;
  /** Validates a config (e.g. parsed from a model file's JSON), filling BasicSR defaults. */
  parseConfig(raw: unknown): C;
  /** Every parameter (and buffer, e.g. BN running stats) with its in-memory shape (HWIO for convs). */
  paramShapes(config: C): Record<string, number[]>;
  /** Names in paramShapes that are buffers, not trainable parameters (BN running stats). */
  bufferNames(config: C): string[];
  /** PyTorch-faithful initialization (BasicSR `default_init_weights` where the reference uses it), deterministic for a seed. */
  init(config: C, seed: number): ParamMap;
  /** x: float32 NHWC. Generators and VGG19 return NHWC features; the discriminator returns logits [N, 1]. */
  forward(params: ParamMap, x: tf.Tensor4D, config: C, opts?: ForwardOptions): Out;
}

export interface GeneratorSpec<C> extends ArchSpec<C> {
  scaleOf(config: C): number;
  /** Convolution FLOPs (2 per multiply-add) per input (LR) pixel, for throughput figures. */
  flopsPerPixel(config: C): number;
  /** The input height/width must be a multiple of this (pixel-unshuffle in RRDBNet x1/x2). */
  inputMultiple(config: C): number;
  /** Inference on windows inside a larger image without padding at their inner sides; absent where not exact. */
  validForward?(config: C): ValidForward | undefined;
}

/** Which sides of an inference window lie inside the image (not at its border). */
export interface ValidSides {
  top: boolean;
  bottom: boolean;
  left: boolean;
  right: boolean;
}

/**
 * Inference (no gradient tape) that convolves without padding on the valid sides of the input: the output lacks
 * `radius` LR pixels on each of them and equals the whole-image result everywhere else.
 */
export interface ValidForward {
  radius: number;
  forward(params: ParamMap, x: tf.Tensor4D, valid: ValidSides): tf.Tensor4D;
}

/** A generator ready to run: what a model file describes. */
export interface Generator<C = Record<string, unknown>> {
  arch: ArchName;
  config: C;
  scale: number;
  params: ParamMap;
}
