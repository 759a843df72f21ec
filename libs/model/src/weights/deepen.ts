import * as tf from '@tensorflow/tfjs';
import type { Generator, ParamMap } from '../archs/types.ts';
import { nearestSkipParams, srvgg, type SRVGGNetCompactConfig } from '../archs/srvgg.ts';
import { cloneParams } from '../generator.ts';
import { WeightsError } from './errors.ts';

/**
 * Net2DeeperNet for SRVGGNetCompact: inserts body convs that compute the identity before the last conv (a 3×3 kernel
 * with 1 at the centre tap of channel i → i, zero bias, and for PReLU a slope of 1), so the deeper network computes
 * exactly the same function as the original and training can start from the smaller model's quality.
 */
export function deepenSrvgg(g: Generator, numConv: number): Generator {
  if (g.arch !== 'SRVGGNetCompact') throw new WeightsError(`only SRVGGNetCompact can be deepened, got ${g.arch}`);
  const c = g.config as unknown as SRVGGNetCompactConfig;
  if (!Number.isInteger(numConv) || numConv <= c.num_conv) {
    throw new WeightsError(`num_conv must be an integer above the model's ${c.num_conv}, got ${numConv}`);
  }
  // After a ReLU the features are ≥ 0, so an identity conv + ReLU passes them unchanged; a fixed leaky slope would not.
  if (c.act_type === 'leakyrelu') throw new WeightsError('a leakyrelu model cannot be deepened exactly (its slope 0.1 is fixed)');
  const oldLast = 2 * (c.num_conv + 1);
  const newLast = 2 * (numConv + 1);
  const params: ParamMap = {};
  for (const [name, t] of Object.entries(g.params)) {
    const [, index, leaf] = name.split('.');
    const moved = Number(index) === oldLast ? `body.${newLast}.${leaf}` : name;
    params[moved] = t.clone();
  }
  const f = c.num_feat;
  for (let k = c.num_conv + 1; k <= numConv; k++) {
    params[`body.${2 * k}.weight`] = tf.tidy(() => tf.pad(tf.eye(f).reshape([1, 1, f, f]), [[1, 1], [1, 1], [0, 0], [0, 0]]));
    params[`body.${2 * k}.bias`] = tf.zeros([f]);
    if (c.act_type === 'prelu') params[`body.${2 * k + 1}.weight`] = tf.ones([f]);
  }
  return { ...g, config: { ...g.config, num_conv: numConv }, params };
}

/**
 * Replaces an SRVGGNetCompact's nearest-upsampling skip by a learned k×k skip conv that starts as exactly that
 * upsampling (`skip_kernel`), so the model computes the same function and training can start from its quality.
 */
export function learnSkipSrvgg(g: Generator, kernel: number): Generator {
  if (g.arch !== 'SRVGGNetCompact') throw new WeightsError(`only SRVGGNetCompact has a learnable skip, got ${g.arch}`);
  const c = g.config as unknown as SRVGGNetCompactConfig;
  if ((c.skip_kernel ?? 0) > 0) throw new WeightsError(`the model already has a learned ${c.skip_kernel}×${c.skip_kernel} skip`);
  if (c.num_in_ch !== c.num_out_ch) throw new WeightsError(`a nearest skip needs num_in_ch = num_out_ch, got ${c.num_in_ch} and ${c.num_out_ch}`);
  const config = { ...g.config, skip_kernel: kernel };
  try {
    srvgg.parseConfig(config);
  } catch (err) {
    throw new WeightsError((err as Error).message);
  }
  return { ...g, config, params: { ...cloneParams(g.params), ...nearestSkipParams(kernel, c.num_in_ch, c.upscale) } };
}
