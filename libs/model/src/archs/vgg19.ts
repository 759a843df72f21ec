import * as tf from '@tensorflow/tfjs';
import { fill, kaimingNormalFanOut } from '../init.ts';
import { conv2d, maxPool2x2 } from '../ops/index.ts';
import { asRecord, param } from './params.ts';
import type { ArchSpec, ParamMap } from './types.ts';

/**
 * torchvision `vgg19().features` as a feature extractor (BasicSR `VGGFeatureExtractor`):
 * parameters `features.{n}.weight|bias`, layers named conv1_1 … pool5. Only the layers up to
 * the deepest requested one exist in `paramShapes` and run.
 */
export interface VGG19Config {
  /** Layers whose outputs `features` returns, e.g. ['conv5_4'] (before its ReLU, as ESRGAN uses). */
  layers: string[];
  /** Normalize [0, 1] input with the ImageNet mean/std (BasicSR default true). */
  use_input_norm: boolean;
  /** Map [-1, 1] input to [0, 1] first (BasicSR `range_norm`, default false). */
  range_norm: boolean;
}

const BLOCKS = [2, 2, 4, 4, 4];
const WIDTHS = [64, 128, 256, 512, 512];
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

interface VggLayer {
  name: string;
  index: number;
  kind: 'conv' | 'relu' | 'pool';
  cin: number;
  cout: number;
}

/** torchvision's features Sequential: (conv, relu) × n per block, then a max pool. */
export const VGG19_LAYERS: readonly VggLayer[] = (() => {
  const out: VggLayer[] = [];
  let cin = 3;
  BLOCKS.forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      out.push({ name: `conv${b + 1}_${i}`, index: out.length, kind: 'conv', cin, cout: WIDTHS[b] });
      out.push({ name: `relu${b + 1}_${i}`, index: out.length, kind: 'relu', cin: WIDTHS[b], cout: WIDTHS[b] });
      cin = WIDTHS[b];
    }
    out.push({ name: `pool${b + 1}`, index: out.length, kind: 'pool', cin, cout: cin });
  });
  return out;
})();

function used(c: VGG19Config): VggLayer[] {
  const last = Math.max(...c.layers.map((n) => VGG19_LAYERS.findIndex((l) => l.name === n)));
  return VGG19_LAYERS.slice(0, last + 1);
}

function paramShapes(c: VGG19Config): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const l of used(c)) {
    if (l.kind !== 'conv') continue;
    shapes[`features.${l.index}.weight`] = [3, 3, l.cin, l.cout];
    shapes[`features.${l.index}.bias`] = [l.cout];
  }
  return shapes;
}

/** Runs the extractor and returns every requested layer's NHWC output. */
export function vgg19Features(params: ParamMap, x: tf.Tensor4D, c: VGG19Config): Record<string, tf.Tensor4D> {
  return tf.tidy(() => {
    let h = x;
    if (c.range_norm) h = tf.div(tf.add(h, 1), 2);
    if (c.use_input_norm) h = tf.div(tf.sub(h, MEAN), STD);
    const out: Record<string, tf.Tensor4D> = {};
    for (const l of used(c)) {
      if (l.kind === 'conv') h = conv2d(h, param(params, `features.${l.index}.weight`), param(params, `features.${l.index}.bias`));
      else if (l.kind === 'relu') h = tf.relu(h);
      else h = maxPool2x2(h);
      if (c.layers.includes(l.name)) out[l.name] = h;
    }
    return out;
  });
}

export const vgg19: ArchSpec<VGG19Config> = {
  name: 'VGG19',
  parseConfig(raw) {
    const r = asRecord(raw, 'VGG19');
    const layers = r.layers ?? ['conv5_4'];
    if (!Array.isArray(layers) || layers.length === 0) throw new Error('VGG19 config.layers must be a non-empty array');
    for (const n of layers) {
      if (!VGG19_LAYERS.some((l) => l.name === n)) throw new Error(`VGG19: unknown layer '${String(n)}'`);
    }
    const bool = (key: string, def: boolean) => {
      const v = r[key] ?? def;
      if (typeof v !== 'boolean') throw new Error(`VGG19 config.${key} must be a boolean`);
      return v;
    };
    return { layers: layers as string[], use_input_norm: bool('use_input_norm', true), range_norm: bool('range_norm', false) };
  },
  paramShapes,
  bufferNames: () => [],
  init(c, seed) {
    // torchvision: kaiming_normal_(fan_out, relu), bias 0. Real use loads pretrained weights.
    const params: ParamMap = {};
    for (const [name, shape] of Object.entries(paramShapes(c))) {
      params[name] = name.endsWith('.weight') ? kaimingNormalFanOut(shape, seed, name) : fill(shape, 0);
    }
    return params;
  },
  /** The deepest requested layer's output (use `vgg19Features` for several). */
  forward(params, x, c) {
    return tf.tidy(() => {
      const feats = vgg19Features(params, x, c);
      const deepest = used(c).at(-1)!.name;
      return feats[deepest];
    });
  },
};
