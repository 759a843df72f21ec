import * as tf from '@tensorflow/tfjs';
import { fill, torchDefault } from '../init.ts';
import {
  checkPreluWeight,
  consume,
  conv2d,
  depthToSpace,
  pixelShuffle,
  toDepthToSpaceOrder,
  upsampleNearest,
  type ConvActivation,
} from '../ops/index.ts';
import { asRecord, convFlops, enumField, intField, param } from './params.ts';
import type { GeneratorSpec, ParamMap } from './types.ts';

/** Real-ESRGAN `SRVGGNetCompact` (realesrgan/archs/srvgg_arch.py). */
export interface SRVGGNetCompactConfig {
  num_in_ch: number;
  num_out_ch: number;
  num_feat: number;
  num_conv: number;
  upscale: number;
  act_type: 'prelu' | 'relu' | 'leakyrelu';
}

const ACTS = ['prelu', 'relu', 'leakyrelu'] as const;

function preluWeight(params: ParamMap, name: string, channels: number): tf.Tensor {
  const w = param(params, name);
  checkPreluWeight(w, channels, name);
  return w;
}

/** `body` indices: conv at 2k and activation at 2k+1 for k = 0..num_conv, then the last conv. */
const lastConvIndex = (c: SRVGGNetCompactConfig): number => 2 * (c.num_conv + 1);

function paramShapes(c: SRVGGNetCompactConfig): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (let k = 0; k <= c.num_conv; k++) {
    const cin = k === 0 ? c.num_in_ch : c.num_feat;
    shapes[`body.${2 * k}.weight`] = [3, 3, cin, c.num_feat];
    shapes[`body.${2 * k}.bias`] = [c.num_feat];
    if (c.act_type === 'prelu') shapes[`body.${2 * k + 1}.weight`] = [c.num_feat];
  }
  const last = lastConvIndex(c);
  const outCh = c.num_out_ch * c.upscale * c.upscale;
  shapes[`body.${last}.weight`] = [3, 3, c.num_feat, outCh];
  shapes[`body.${last}.bias`] = [outCh];
  return shapes;
}

function activation(params: ParamMap, c: SRVGGNetCompactConfig, k: number): ConvActivation {
  if (c.act_type === 'prelu') return { kind: 'prelu', weight: preluWeight(params, `body.${2 * k + 1}.weight`, c.num_feat) };
  return c.act_type === 'relu' ? { kind: 'relu' } : { kind: 'leakyrelu', alpha: 0.1 };
}

/** conv + activation, num_conv + 1 times; with `release`, each activation is freed once the next exists. */
function body(params: ParamMap, x: tf.Tensor4D, c: SRVGGNetCompactConfig, release: boolean): tf.Tensor4D {
  let out = x;
  for (let k = 0; k <= c.num_conv; k++) {
    const [w, b] = [param(params, `body.${2 * k}.weight`), param(params, `body.${2 * k}.bias`)];
    const step = (t: tf.Tensor4D) => conv2d(t, w, b, 1, 1, activation(params, c, k));
    out = release && out !== x ? consume(out, step) : step(out);
  }
  return out;
}

/**
 * The forward without a gradient tape: activations are freed as soon as the next one exists (peak: about two
 * activations instead of all of them), and the output stage is rearranged exactly. The last conv's output channels are
 * reordered into depth-to-space order, the nearest-upsampled input becomes x repeated over the r² sub-pixel channel
 * groups (a one-hot 1x1 conv: x·1 + 0s, exact) added before the shuffle, and the shuffle is one cheap transpose.
 * Same values as the taped path, up to the conv's summation order.
 */
function forwardInference(params: ParamMap, x: tf.Tensor4D, c: SRVGGNetCompactConfig): tf.Tensor4D {
  const r = c.upscale;
  const outCh = c.num_out_ch * r * r;
  const last = lastConvIndex(c);
  const w = toDepthToSpaceOrder(param(params, `body.${last}.weight`), r);
  const b = toDepthToSpaceOrder(param(params, `body.${last}.bias`), r);
  const y = consume(body(params, x, c, true), (t) => conv2d(t, w, b));
  tf.dispose([w, b]);
  // After the body, so that this r²-channel tensor is not alive during it.
  const skip = tf.tidy(() => {
    const oneHot = tf.tile(tf.eye(c.num_out_ch), [1, r * r]).reshape([1, 1, c.num_out_ch, outCh]);
    return tf.conv2d(x, oneHot as tf.Tensor4D, 1, 'valid');
  });
  const sum = consume(y, (t) => tf.add(t, skip) as tf.Tensor4D);
  skip.dispose();
  return consume(sum, (t) => depthToSpace(t, r));
}

export const srvgg: GeneratorSpec<SRVGGNetCompactConfig> = {
  name: 'SRVGGNetCompact',
  parseConfig(raw) {
    const r = asRecord(raw, 'SRVGGNetCompact');
    return {
      num_in_ch: intField(r, 'num_in_ch', 3),
      num_out_ch: intField(r, 'num_out_ch', 3),
      num_feat: intField(r, 'num_feat', 64),
      num_conv: intField(r, 'num_conv', 16),
      upscale: intField(r, 'upscale', 4),
      act_type: enumField(r, 'act_type', 'prelu', ACTS),
    };
  },
  paramShapes,
  bufferNames: () => [],
  init(c, seed) {
    // Real-ESRGAN keeps PyTorch's default init here (no default_init_weights); PReLU starts at 0.25.
    const shapes = paramShapes(c);
    const params: ParamMap = {};
    for (const [name, shape] of Object.entries(shapes)) {
      const layer = name.slice(0, name.lastIndexOf('.'));
      const isPrelu = shape.length === 1 && Number(layer.split('.')[1]) % 2 === 1;
      if (isPrelu) params[name] = fill(shape, 0.25);
      else params[name] = torchDefault(shape, shapes[`${layer}.weight`], seed, name);
    }
    return params;
  },
  forward(params, x, c) {
    if (!tf.engine().isTapeOn() && c.num_in_ch === c.num_out_ch) return forwardInference(params, x, c);
    return tf.tidy(() => {
      const last = lastConvIndex(c);
      const out = conv2d(body(params, x, c, false), param(params, `body.${last}.weight`), param(params, `body.${last}.bias`));
      return tf.add(pixelShuffle(out, c.upscale), upsampleNearest(x, c.upscale));
    });
  },
  scaleOf: (c) => c.upscale,
  inputMultiple: () => 1,
  flopsPerPixel(c) {
    return (
      convFlops(3, c.num_in_ch, c.num_feat) +
      c.num_conv * convFlops(3, c.num_feat, c.num_feat) +
      convFlops(3, c.num_feat, c.num_out_ch * c.upscale * c.upscale)
    );
  },
};
