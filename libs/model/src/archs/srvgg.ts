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
  /**
   * Not in Real-ESRGAN: 0 (its default) adds the nearest-upsampled input; an odd k instead adds a learned linear k×k
   * conv of the input (`skip.weight` / `skip.bias`, num_in_ch → num_out_ch·r² sub-pixels), which starts as the
   * nearest upsampling, so a tiny body need not spend its capacity on the linear part of the upscale. Absent = 0, so
   * configs and model files without it are unchanged.
   */
  skip_kernel?: number;
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
  if (hasLearnedSkip(c)) {
    shapes['skip.weight'] = [c.skip_kernel, c.skip_kernel, c.num_in_ch, outCh];
    shapes['skip.bias'] = [outCh];
  }
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

const hasLearnedSkip = (c: SRVGGNetCompactConfig): c is SRVGGNetCompactConfig & { skip_kernel: number } => (c.skip_kernel ?? 0) > 0;
const skipRadius = (c: SRVGGNetCompactConfig): number => ((c.skip_kernel ?? 1) - 1) / 2;

/** 0 (left out), or an odd kernel size whose reach stays within the body's (so tiling keeps its radius). */
function skipKernelField(r: Record<string, unknown>, numConv: number): { skip_kernel?: number } {
  const v = r.skip_kernel ?? 0;
  const max = 2 * (numConv + 2) + 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || (v !== 0 && (v % 2 === 0 || v < 1 || v > max))) {
    throw new Error(`config.skip_kernel must be 0 or an odd integer from 1 to ${max}, got ${JSON.stringify(r.skip_kernel)}`);
  }
  return v === 0 ? {} : { skip_kernel: v };
}

/**
 * `skip.weight` / `skip.bias` of a k×k learned skip that computes the nearest upsampling: in the kernel (HWIO,
 * C → C·r² in PyTorch pixel-shuffle order) the centre tap of input channel ch is 1 for each of its r² sub-pixel
 * outputs ch·r² + s; the bias is zero.
 */
export function nearestSkipParams(k: number, channels: number, r: number): ParamMap {
  const outCh = channels * r * r;
  const values = new Float32Array(k * k * channels * outCh);
  const centre = (k - 1) / 2;
  for (let ch = 0; ch < channels; ch++) {
    for (let sub = 0; sub < r * r; sub++) values[((centre * k + centre) * channels + ch) * outCh + ch * r * r + sub] = 1;
  }
  return { 'skip.weight': tf.tensor4d(values, [k, k, channels, outCh]), 'skip.bias': tf.zeros([outCh]) };
}

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
  const last = lastConvIndex(c);
  const w = toDepthToSpaceOrder(param(params, `body.${last}.weight`), r);
  const b = toDepthToSpaceOrder(param(params, `body.${last}.bias`), r);
  const padding = paddingFor(valid);
  const y = consume(body(params, x, c, true, padding), (t) => conv3x3(t, w, b, padding));
  tf.dispose([w, b]);
  const sum = hasLearnedSkip(c) ? addLearnedSkip(params, x, y, c, valid) : addNearestSkip(x, y, c, valid);
  return consume(sum, (t) => depthToSpace(t, r));
}

/**
 * Each LR input pixel added to its r² sub-pixels, as a broadcast over the sub-pixel axis (exactly the x·1 of the
 * taped path's nearest upsampling), so no r²-channel copy of the input is made. Consumes `y`.
 */
function addNearestSkip(x: tf.Tensor4D, y: tf.Tensor4D, c: SRVGGNetCompactConfig, valid?: ValidSides): tf.Tensor4D {
  const [n, h, wd, outCh] = y.shape;
  const core = valid ? cropSides(x, valid, srvggRadius(c)) : x;
  const base = core.reshape([n, h, wd, 1, c.num_out_ch]);
  const sum = consume(y, (t) => tf.tidy(() => tf.add(t.reshape([n, h, wd, c.upscale * c.upscale, c.num_out_ch]), base).reshape([n, h, wd, outCh]) as tf.Tensor4D));
  tf.dispose(core === x ? [base] : [base, core]);
  return sum;
}

/**
 * The learned skip conv in depth-to-space order, on the input cropped to what the body's output covers plus the
 * skip's own radius, padded at the image border only, like the body. Consumes `y`.
 */
function addLearnedSkip(params: ParamMap, x: tf.Tensor4D, y: tf.Tensor4D, c: SRVGGNetCompactConfig, valid?: ValidSides): tf.Tensor4D {
  const s = skipRadius(c);
  const at = (inside: boolean | undefined) => (inside ? 0 : s);
  const pad = { top: at(valid?.top), bottom: at(valid?.bottom), left: at(valid?.left), right: at(valid?.right) };
  const core = valid ? cropSides(x, valid, srvggRadius(c) - s) : x;
  const w = toDepthToSpaceOrder(param(params, 'skip.weight'), c.upscale);
  const b = toDepthToSpaceOrder(param(params, 'skip.bias'), c.upscale);
  const skip = conv2d(core, w, b, 1, pad);
  tf.dispose(core === x ? [w, b] : [w, b, core]);
  const sum = consume(y, (t) => tf.add(t, skip) as tf.Tensor4D);
  skip.dispose();
  return sum;
}

export const srvgg: GeneratorSpec<SRVGGNetCompactConfig> = {
  name: 'SRVGGNetCompact',
  parseConfig(raw) {
    const r = asRecord(raw, 'SRVGGNetCompact');
    const numConv = intField(r, 'num_conv', 16);
    return {
      num_in_ch: intField(r, 'num_in_ch', 3),
      num_out_ch: intField(r, 'num_out_ch', 3),
      num_feat: intField(r, 'num_feat', 64),
      num_conv: numConv,
      upscale: intField(r, 'upscale', 4),
      act_type: enumField(r, 'act_type', 'prelu', ACTS),
      ...skipKernelField(r, numConv),
    };
  },
  paramShapes,
  bufferNames: () => [],
  init(c, seed) {
    // Real-ESRGAN keeps PyTorch's default init here (no default_init_weights); PReLU starts at 0.25.
    // A learned skip starts as the nearest upsampling it replaces.
    const shapes = paramShapes(c);
    const skip: ParamMap = hasLearnedSkip(c) ? nearestSkipParams(c.skip_kernel, c.num_in_ch, c.upscale) : {};
    const params: ParamMap = {};
    for (const [name, shape] of Object.entries(shapes)) {
      if (name in skip) {
        params[name] = skip[name];
        continue;
      }
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
      if (hasLearnedSkip(c)) return pixelShuffle(tf.add(out, conv2d(x, param(params, 'skip.weight'), param(params, 'skip.bias'))), c.upscale);
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
      convFlops(3, c.num_feat, c.num_out_ch * c.upscale * c.upscale) +
      (hasLearnedSkip(c) ? convFlops(c.skip_kernel, c.num_in_ch, c.num_out_ch * c.upscale * c.upscale) : 0)
    );
  },
};
