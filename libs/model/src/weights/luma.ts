import * as tf from '@tensorflow/tfjs';
import type { Generator, ParamMap } from '../archs/types.ts';
import type { SRVGGNetCompactConfig } from '../archs/srvgg.ts';
import { BT601_LUMA } from '../tiling/luma.ts';
import { WeightsError } from './errors.ts';

/**
 * An RGB SRVGGNetCompact folded into a luma one (one input, one output channel), as a starting point for luma
 * training. The last conv is linear and the skip adds the upsampled input, so the folded last conv (each sub-pixel's
 * R, G and B kernels summed with the luma weights) gives exactly the luma of the RGB model's output; the first conv's
 * three input kernels are summed, which is exact for gray inputs (R = G = B = Y) and an approximation for colour. A
 * learned skip conv is linear in and out, so it is folded the same two ways.
 */
export function lumaSrvgg(g: Generator): Generator {
  if (g.arch !== 'SRVGGNetCompact') throw new WeightsError(`only SRVGGNetCompact can be folded to luma, got ${g.arch}`);
  const c = g.config as unknown as SRVGGNetCompactConfig;
  if (c.num_in_ch !== 3 || c.num_out_ch !== 3) throw new WeightsError(`the model is not RGB (num_in_ch ${c.num_in_ch}, num_out_ch ${c.num_out_ch})`);
  const r2 = c.upscale * c.upscale;
  const last = 2 * (c.num_conv + 1);
  const params: ParamMap = {};
  for (const [name, t] of Object.entries(g.params)) {
    if (name === 'body.0.weight') params[name] = tf.sum(t, 2, true);
    else if (name === `body.${last}.weight` || name === `body.${last}.bias` || name === 'skip.bias') params[name] = lumaOutputs(t, r2);
    else if (name === 'skip.weight') params[name] = tf.tidy(() => lumaOutputs(tf.sum(t, 2, true), r2));
    else params[name] = t.clone();
  }
  return { ...g, config: { ...g.config, num_in_ch: 1, num_out_ch: 1 }, params };
}

/** The last axis in PyTorch pixel-shuffle order (channel c, sub-pixel s at c·r² + s) mixed down to luma: r² outputs. */
function lumaOutputs(t: tf.Tensor, r2: number): tf.Tensor {
  return tf.tidy(() => {
    const lead = t.shape.slice(0, -1);
    const perChannel = t.reshape([...lead, 3, r2]);
    const weights = tf.tensor1d([...BT601_LUMA]).reshape([...lead.map(() => 1), 3, 1]);
    return tf.sum(tf.mul(perChannel, weights), lead.length);
  });
}
