import * as tf from '@tensorflow/tfjs';

/**
 * Deterministic initializers matching PyTorch's distributions. Each tensor gets its own seed
 * derived from (seed, name), so a network's init does not depend on the order tensors are made.
 * tf.randomNormal/randomUniform with a seed run in JS (seedrandom), identical on every backend.
 */
export function tensorSeed(seed: number, name: string): number {
  // FNV-1a over the name, mixed with the seed.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** fan_in of an HWIO kernel (kh * kw * in) or of a [out, in] linear weight. */
export function fanIn(shape: number[]): number {
  return shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[1];
}

/**
 * BasicSR `default_init_weights`: kaiming_normal_ (a=0, fan_in, gain sqrt(2)) times `scale`.
 * Biases are filled with `biasFill` separately (see `zeros`/`fill`).
 */
export function kaimingNormal(shape: number[], scale: number, seed: number, name: string): tf.Tensor {
  const std = Math.sqrt(2 / fanIn(shape)) * scale;
  return tf.randomNormal(shape, 0, std, 'float32', tensorSeed(seed, name));
}

/** kaiming_normal_ with mode='fan_out' (torchvision VGG init): fan_out = kh * kw * out. */
export function kaimingNormalFanOut(shape: number[], seed: number, name: string): tf.Tensor {
  const fanOut = shape[0] * shape[1] * shape[3];
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanOut), 'float32', tensorSeed(seed, name));
}

/**
 * PyTorch's default Conv2d/Linear init: weight kaiming_uniform_(a=sqrt(5)) and bias, both
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)). `weightShape` gives the fan_in for a bias too.
 */
export function torchDefault(shape: number[], weightShape: number[], seed: number, name: string): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn(weightShape));
  return tf.randomUniform(shape, -bound, bound, 'float32', tensorSeed(seed, name));
}

export function fill(shape: number[], value: number): tf.Tensor {
  return tf.fill(shape, value, 'float32');
}
