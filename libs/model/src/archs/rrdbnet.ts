import * as tf from '@tensorflow/tfjs';
import { fill, kaimingNormal, torchDefault } from '../init.ts';
import { consume, conv2d, pixelUnshuffle, upsampleNearest, type ConvActivation } from '../ops/index.ts';
import { asRecord, convFlops, intField, param } from './params.ts';
import type { GeneratorSpec, ParamMap } from './types.ts';

/** BasicSR `RRDBNet` (basicsr/archs/rrdbnet_arch.py), the ESRGAN / Real-ESRGAN generator. */
export interface RRDBNetConfig {
  num_in_ch: number;
  num_out_ch: number;
  scale: 1 | 2 | 4;
  num_feat: number;
  num_block: number;
  num_grow_ch: number;
}

const LRELU: ConvActivation = { kind: 'leakyrelu', alpha: 0.2 };

/** BasicSR feeds pixel_unshuffle(x, 4 / scale) to conv_first for scales 1 and 2. */
const unshuffleFactor = (c: RRDBNetConfig): number => 4 / c.scale;

const rdbConvIn = (c: RRDBNetConfig, k: number): number => c.num_feat + (k - 1) * c.num_grow_ch;
const rdbConvOut = (c: RRDBNetConfig, k: number): number => (k === 5 ? c.num_feat : c.num_grow_ch);

function paramShapes(c: RRDBNetConfig): Record<string, number[]> {
  const f = c.num_feat;
  const u = unshuffleFactor(c);
  const shapes: Record<string, number[]> = {};
  const conv = (name: string, cin: number, cout: number) => {
    shapes[`${name}.weight`] = [3, 3, cin, cout];
    shapes[`${name}.bias`] = [cout];
  };
  conv('conv_first', c.num_in_ch * u * u, f);
  for (let i = 0; i < c.num_block; i++) {
    for (let r = 1; r <= 3; r++) {
      for (let k = 1; k <= 5; k++) conv(`body.${i}.rdb${r}.conv${k}`, rdbConvIn(c, k), rdbConvOut(c, k));
    }
  }
  conv('conv_body', f, f);
  conv('conv_up1', f, f);
  conv('conv_up2', f, f);
  conv('conv_hr', f, f);
  conv('conv_last', f, c.num_out_ch);
  return shapes;
}

function residualDenseBlock(params: ParamMap, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const conv = (k: number, t: tf.Tensor4D, act?: ConvActivation) =>
    conv2d(t, param(params, `${prefix}.conv${k}.weight`), param(params, `${prefix}.conv${k}.bias`), 1, 1, act);
  const feats = [x];
  for (let k = 1; k <= 4; k++) feats.push(conv(k, tf.concat(feats, 3), LRELU));
  const x5 = conv(5, tf.concat(feats, 3));
  return tf.add(tf.mul(x5, 0.2), x);
}

function rrdb(params: ParamMap, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  let out = x;
  for (let r = 1; r <= 3; r++) out = residualDenseBlock(params, `${prefix}.rdb${r}`, out);
  return tf.add(tf.mul(out, 0.2), x);
}

const convFn =
  (params: ParamMap) =>
  (name: string, t: tf.Tensor4D, act?: ConvActivation): tf.Tensor4D =>
    conv2d(t, param(params, `${name}.weight`), param(params, `${name}.bias`), 1, 1, act);

/** residualDenseBlock without a tape: each concatenation and the dense features are freed once used; keeps x. */
function residualDenseBlockInference(params: ParamMap, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const conv = convFn(params);
  const feats = [x];
  for (let k = 1; k <= 4; k++) feats.push(consume(tf.concat(feats, 3), (t) => conv(`${prefix}.conv${k}`, t, LRELU)));
  const x5 = consume(tf.concat(feats, 3), (t) => conv(`${prefix}.conv5`, t));
  tf.dispose(feats.slice(1));
  return consume(consume(x5, (t) => tf.mul(t, 0.2)), (t) => tf.add(t, x) as tf.Tensor4D);
}

/** rrdb without a tape; keeps x (the block's residual input). */
function rrdbInference(params: ParamMap, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  let out = residualDenseBlockInference(params, `${prefix}.rdb1`, x);
  for (let r = 2; r <= 3; r++) out = consume(out, (t) => residualDenseBlockInference(params, `${prefix}.rdb${r}`, t));
  return consume(consume(out, (t) => tf.mul(t, 0.2)), (t) => tf.add(t, x) as tf.Tensor4D);
}

/** The forward without a tape: at most a few activations alive at a time (see ops/release.ts); keeps x. */
function forwardInference(params: ParamMap, x: tf.Tensor4D, c: RRDBNetConfig): tf.Tensor4D {
  const u = unshuffleFactor(c);
  const conv = convFn(params);
  const feat = u > 1 ? consume(pixelUnshuffle(x, u), (t) => conv('conv_first', t)) : conv('conv_first', x);
  let body = feat;
  for (let i = 0; i < c.num_block; i++) {
    const next = rrdbInference(params, `body.${i}`, body);
    if (body !== feat) body.dispose();
    body = next;
  }
  let out = consume(consume(body, (t) => conv('conv_body', t)), (t) => tf.add(feat, t) as tf.Tensor4D);
  feat.dispose();
  for (const name of ['conv_up1', 'conv_up2']) out = consume(consume(out, (t) => upsampleNearest(t, 2)), (t) => conv(name, t, LRELU));
  return consume(consume(out, (t) => conv('conv_hr', t, LRELU)), (t) => conv('conv_last', t));
}

export const rrdbnet: GeneratorSpec<RRDBNetConfig> = {
  name: 'RRDBNet',
  parseConfig(raw) {
    const r = asRecord(raw, 'RRDBNet');
    return {
      num_in_ch: intField(r, 'num_in_ch', 3),
      num_out_ch: intField(r, 'num_out_ch', 3),
      scale: intField(r, 'scale', 4, [1, 2, 4]) as 1 | 2 | 4,
      num_feat: intField(r, 'num_feat', 64),
      num_block: intField(r, 'num_block', 23),
      num_grow_ch: intField(r, 'num_grow_ch', 32),
    };
  },
  paramShapes,
  bufferNames: () => [],
  init(c, seed) {
    // RDB convs: default_init_weights(scale 0.1, bias 0); the other convs keep PyTorch's default.
    const shapes = paramShapes(c);
    const params: ParamMap = {};
    for (const [name, shape] of Object.entries(shapes)) {
      const layer = name.slice(0, name.lastIndexOf('.'));
      const isWeight = name.endsWith('.weight');
      if (name.startsWith('body.')) {
        params[name] = isWeight ? kaimingNormal(shape, 0.1, seed, name) : fill(shape, 0);
      } else {
        params[name] = torchDefault(shape, shapes[`${layer}.weight`], seed, name);
      }
    }
    return params;
  },
  forward(params, x, c) {
    if (!tf.engine().isTapeOn()) return forwardInference(params, x, c);
    return tf.tidy(() => {
      const u = unshuffleFactor(c);
      const conv = convFn(params);
      const feat = conv('conv_first', u > 1 ? pixelUnshuffle(x, u) : x);
      let body = feat;
      for (let i = 0; i < c.num_block; i++) body = rrdb(params, `body.${i}`, body);
      let out: tf.Tensor4D = tf.add(feat, conv('conv_body', body));
      out = conv('conv_up1', upsampleNearest(out, 2), LRELU);
      out = conv('conv_up2', upsampleNearest(out, 2), LRELU);
      return conv('conv_last', conv('conv_hr', out, LRELU));
    });
  },
  scaleOf: (c) => c.scale,
  inputMultiple: (c) => unshuffleFactor(c),
  flopsPerPixel(c) {
    const f = c.num_feat;
    const u = unshuffleFactor(c);
    // Areas relative to one LR pixel: trunk at 1/u², after up1 4/u², after up2 16/u².
    let rdb = 0;
    for (let k = 1; k <= 5; k++) rdb += convFlops(3, rdbConvIn(c, k), rdbConvOut(c, k));
    const trunk = convFlops(3, c.num_in_ch * u * u, f) + c.num_block * 3 * rdb + convFlops(3, f, f);
    const hr = 2 * convFlops(3, f, f) + convFlops(3, f, c.num_out_ch);
    return (trunk + 4 * convFlops(3, f, f) + 16 * hr) / (u * u);
  },
};
