import * as tf from '@tensorflow/tfjs';
import { fill, torchDefault } from '../init.ts';
import { checkPreluWeight, conv2d, pixelShuffle, upsampleNearest, type ConvActivation } from '../ops/index.ts';
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
    return tf.tidy(() => {
      let out = x;
      for (let k = 0; k <= c.num_conv; k++) {
        const act: ConvActivation =
          c.act_type === 'prelu'
            ? { kind: 'prelu', weight: preluWeight(params, `body.${2 * k + 1}.weight`, c.num_feat) }
            : c.act_type === 'relu'
              ? { kind: 'relu' }
              : { kind: 'leakyrelu', alpha: 0.1 };
        out = conv2d(out, param(params, `body.${2 * k}.weight`), param(params, `body.${2 * k}.bias`), 1, 1, act);
      }
      const last = lastConvIndex(c);
      out = conv2d(out, param(params, `body.${last}.weight`), param(params, `body.${last}.bias`));
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
