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
import type { GeneratorSpec, ParamMap, ValidSides } from './types.ts';

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

/** `x` without `n` pixels on each valid side. */
function cropSides(x: tf.Tensor4D, valid: ValidSides, n: number): tf.Tensor4D {
  const [batch, h, w, ch] = x.shape;
  const [top, bottom, left, right] = [valid.top, valid.bottom, valid.left, valid.right].map((v) => (v ? n : 0));
  if (top + bottom + left + right === 0) return x;
  return tf.slice(x, [0, top, left, 0], [batch, h - top - bottom, w - left - right, ch]);
}

/** 3x3 convs in the network (body and last), each reaching one LR pixel further: its exact receptive radius. */
export const srvggRadius = (c: SRVGGNetCompactConfig): number => c.num_conv + 2;

/**
 * How each 3x3 conv pads: 1 on every side (the network's own zero 'same' padding; training), or, for inference, 1 on
 * the image border sides and none on a window's valid sides, in the conv itself (no padded copy of the activation).
 */
type Padding = { kind: 'same' } | { kind: 'valid'; border: ValidSides };

function paddingFor(valid: ValidSides = { top: false, bottom: false, left: false, right: false }): Padding {
  return { kind: 'valid', border: { top: !valid.top, bottom: !valid.bottom, left: !valid.left, right: !valid.right } };
}

function conv3x3(t: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, padding: Padding, act?: ConvActivation): tf.Tensor4D {
  if (padding.kind === 'same') return conv2d(t, w, b, 1, 1, act);
  const { top, bottom, left, right } = padding.border;
  const pad = { top: Number(top), bottom: Number(bottom), left: Number(left), right: Number(right) };
  if (pad.top + pad.bottom + pad.left + pad.right === 0) return conv2d(t, w, b, 1, 0, act);
  // Padding at the image border: one of 9 configurations per layer (all sides for a whole image). wasm caches an
  // XNNPACK operator (with an indirection buffer sized by the output, 36 bytes per pixel) per kernel tensor and
  // configuration for as long as the kernel lives, so these run on a copy of the kernel, whose operator goes when the
  // copy is disposed (measured, wasm heap after the 2x2 tiles of a 256² image: 23 MB, 48 MB with cached operators;
  // after one 256² window: 42 MB, 70 MB with cached operators).
  const kernel = tf.mul(w, 1);
  const out = conv2d(t, kernel, b, 1, pad, act);
  kernel.dispose();
  return out;
}

/** conv + activation, num_conv + 1 times; with `release`, each activation is freed once the next exists. */
function body(params: ParamMap, x: tf.Tensor4D, c: SRVGGNetCompactConfig, release: boolean, padding: Padding = { kind: 'same' }): tf.Tensor4D {
  let out = x;
  for (let k = 0; k <= c.num_conv; k++) {
    const [w, b] = [param(params, `body.${2 * k}.weight`), param(params, `body.${2 * k}.bias`)];
    const step = (t: tf.Tensor4D) => conv3x3(t, w, b, padding, activation(params, c, k));
    out = release && out !== x ? consume(out, step) : step(out);
  }
  return out;
}

/**
 * The forward without a gradient tape: activations are freed as soon as the next one exists (peak: about two
 * activations instead of all of them), and the output stage is rearranged exactly. The last conv's output channels are
 * reordered into depth-to-space order, the nearest-upsampled input becomes x broadcast over the r² sub-pixel channel
 * groups, added before the shuffle, and the shuffle is one cheap transpose. The output stage holds two r²-channel
 * tensors at a time (measured: a whole 256² window grows the wasm heap to 70 MB, 84 MB with a separate skip tensor).
 * Same values as the taped path, up to the conv's summation order.
 *
 * With `valid` sides, every conv skips its padding there, so the output lacks srvggRadius LR pixels on each valid side
 * and every output pixel is computed from true neighbours only: a tile window inside an image computes exactly the
 * pixels its context determines, and the layers shrink towards the tile instead of all running at the window's size.
 */
function forwardInference(params: ParamMap, x: tf.Tensor4D, c: SRVGGNetCompactConfig, valid?: ValidSides): tf.Tensor4D {
  const r = c.upscale;
  const outCh = c.num_out_ch * r * r;
  const last = lastConvIndex(c);
  const w = toDepthToSpaceOrder(param(params, `body.${last}.weight`), r);
  const b = toDepthToSpaceOrder(param(params, `body.${last}.bias`), r);
  const padding = paddingFor(valid);
  const y = consume(body(params, x, c, true, padding), (t) => conv3x3(t, w, b, padding));
  tf.dispose([w, b]);
  // The skip: each LR input pixel added to its r² sub-pixels, as a broadcast over the sub-pixel axis (exactly the x·1
  // of the taped path's nearest upsampling), so no r²-channel copy of the input is made.
  const [n, h, wd] = y.shape;
  const core = valid ? cropSides(x, valid, srvggRadius(c)) : x;
  const base = core.reshape([n, h, wd, 1, c.num_out_ch]);
  const sum = consume(y, (t) => tf.tidy(() => tf.add(t.reshape([n, h, wd, r * r, c.num_out_ch]), base).reshape([n, h, wd, outCh]) as tf.Tensor4D));
  tf.dispose(core === x ? [base] : [base, core]);
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
  validForward(c) {
    if (c.num_in_ch !== c.num_out_ch) return undefined;
    return { radius: srvggRadius(c), forward: (params, x, valid) => forwardInference(params, x, c, valid) };
  },
  flopsPerPixel(c) {
    return (
      convFlops(3, c.num_in_ch, c.num_feat) +
      c.num_conv * convFlops(3, c.num_feat, c.num_feat) +
      convFlops(3, c.num_feat, c.num_out_ch * c.upscale * c.upscale)
    );
  },
};
