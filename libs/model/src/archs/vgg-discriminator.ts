import * as tf from '@tensorflow/tfjs';
import { fill, torchDefault } from '../init.ts';
import { batchNorm, conv2d, groupNorm, leakyRelu } from '../ops/index.ts';
import { asRecord, enumField, intField, param } from './params.ts';
import type { ArchSpec, ForwardOptions, ParamMap } from './types.ts';

/**
 * BasicSR `VGGStyleDiscriminator` (basicsr/archs/discriminator_arch.py). `norm` extends the
 * reference: 'batch' is BasicSR's; 'group' uses GroupNorm (32 groups, or the largest divisor of
 * the width below 32) with the same `bn*` weight/bias names and no running stats; 'none' drops the
 * norm layers.
 */
export interface VGGStyleDiscriminatorConfig {
  num_in_ch: number;
  num_feat: number;
  input_size: 128 | 256;
  norm: 'batch' | 'group' | 'none';
}

const NORMS = ['batch', 'group', 'none'] as const;
const MAX_GROUPS = 32;

const groupsFor = (channels: number): number => {
  let g = Math.min(MAX_GROUPS, channels);
  while (channels % g !== 0) g--;
  return g;
};

interface Layer {
  name: string;
  k: 3 | 4;
  stride: 1 | 2;
  cin: number;
  cout: number;
  bias: boolean;
}

/** conv{s}_0 (3x3, stride 1) then conv{s}_1 (4x4, stride 2) per stage; only conv0_0 has a bias and no norm. */
function layers(c: VGGStyleDiscriminatorConfig): Layer[] {
  const f = c.num_feat;
  const widths = [f, f * 2, f * 4, f * 8, f * 8];
  if (c.input_size === 256) widths.push(f * 8);
  const out: Layer[] = [];
  widths.forEach((w, s) => {
    const cin = s === 0 ? c.num_in_ch : widths[s - 1];
    out.push({ name: `${s}_0`, k: 3, stride: 1, cin, cout: w, bias: s === 0 });
    out.push({ name: `${s}_1`, k: 4, stride: 2, cin: w, cout: w, bias: false });
  });
  return out;
}

/**
 * The names of D's intermediate activations that `ForwardOptions.featuresOut` receives, in forward order: `conv{s}_{k}`
 * is that conv's output after its norm and LeakyReLU (the input of the next layer).
 */
export function vggDiscriminatorFeatureNames(c: Pick<VGGStyleDiscriminatorConfig, 'input_size'>): string[] {
  return layers({ num_in_ch: 3, num_feat: 1, norm: 'none', ...c }).map((l) => `conv${l.name}`);
}

const hasNorm = (c: VGGStyleDiscriminatorConfig, l: Layer): boolean => c.norm !== 'none' && l.name !== '0_0';

function paramShapes(c: VGGStyleDiscriminatorConfig): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const l of layers(c)) {
    shapes[`conv${l.name}.weight`] = [l.k, l.k, l.cin, l.cout];
    if (l.bias) shapes[`conv${l.name}.bias`] = [l.cout];
    if (hasNorm(c, l)) {
      shapes[`bn${l.name}.weight`] = [l.cout];
      shapes[`bn${l.name}.bias`] = [l.cout];
      if (c.norm === 'batch') {
        shapes[`bn${l.name}.running_mean`] = [l.cout];
        shapes[`bn${l.name}.running_var`] = [l.cout];
        shapes[`bn${l.name}.num_batches_tracked`] = [];
      }
    }
  }
  const flat = c.num_feat * 8 * 4 * 4;
  shapes['linear1.weight'] = [100, flat];
  shapes['linear1.bias'] = [100];
  shapes['linear2.weight'] = [1, 100];
  shapes['linear2.bias'] = [1];
  return shapes;
}

const isBuffer = (name: string): boolean => /\.(running_mean|running_var|num_batches_tracked)$/.test(name);

function initTensor(name: string, shape: number[], shapes: Record<string, number[]>, seed: number): tf.Tensor {
  if (name.endsWith('num_batches_tracked')) return tf.scalar(0, 'int32');
  if (name.endsWith('running_var')) return fill(shape, 1);
  if (name.endsWith('running_mean')) return fill(shape, 0);
  if (name.startsWith('bn')) return fill(shape, name.endsWith('.weight') ? 1 : 0);
  const layer = name.slice(0, name.lastIndexOf('.'));
  return torchDefault(shape, shapes[`${layer}.weight`], seed, name);
}

function norm(
  params: ParamMap,
  c: VGGStyleDiscriminatorConfig,
  l: Layer,
  x: tf.Tensor4D,
  opts: ForwardOptions,
): tf.Tensor4D {
  const bn = `bn${l.name}`;
  const weight = param<tf.Tensor1D>(params, `${bn}.weight`);
  const bias = param<tf.Tensor1D>(params, `${bn}.bias`);
  if (c.norm === 'group') return groupNorm(x, groupsFor(l.cout), weight, bias);
  const r = batchNorm(
    x,
    { weight, bias, runningMean: param(params, `${bn}.running_mean`), runningVar: param(params, `${bn}.running_var`) },
    { training: opts.training === true },
  );
  if (opts.statsOut && r.runningMean && r.runningVar) {
    opts.statsOut[`${bn}.running_mean`] = tf.keep(r.runningMean);
    opts.statsOut[`${bn}.running_var`] = tf.keep(r.runningVar);
    opts.statsOut[`${bn}.num_batches_tracked`] = tf.keep(tf.add(param(params, `${bn}.num_batches_tracked`), tf.scalar(1, 'int32')));
  } else {
    r.runningMean?.dispose();
    r.runningVar?.dispose();
  }
  return r.y;
}

export const vggDiscriminator: ArchSpec<VGGStyleDiscriminatorConfig, tf.Tensor2D> = {
  name: 'VGGStyleDiscriminator',
  parseConfig(raw) {
    const r = asRecord(raw, 'VGGStyleDiscriminator');
    return {
      num_in_ch: intField(r, 'num_in_ch', 3),
      num_feat: intField(r, 'num_feat', 64),
      input_size: intField(r, 'input_size', 128, [128, 256]) as 128 | 256,
      norm: enumField(r, 'norm', 'batch', NORMS),
    };
  },
  paramShapes,
  bufferNames: (c) => Object.keys(paramShapes(c)).filter(isBuffer),
  init(c, seed) {
    const shapes = paramShapes(c);
    return Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, initTensor(n, s, shapes, seed)]));
  },
  /** Returns the logits [N, 1], like the reference; `opts.featuresOut` receives the activations of vggDiscriminatorFeatureNames. */
  forward(params, x, c, opts = {}) {
    const [, h, w] = x.shape;
    if (h !== c.input_size || w !== c.input_size) {
      throw new Error(`VGGStyleDiscriminator: input must be ${c.input_size}x${c.input_size}, got ${h}x${w}`);
    }
    return tf.tidy(() => {
      let feat = x;
      for (const l of layers(c)) {
        const b = l.bias ? param<tf.Tensor1D>(params, `conv${l.name}.bias`) : undefined;
        if (hasNorm(c, l)) {
          feat = leakyRelu(norm(params, c, l, conv2d(feat, param(params, `conv${l.name}.weight`), b, l.stride, 1), opts), 0.2);
        } else {
          feat = conv2d(feat, param(params, `conv${l.name}.weight`), b, l.stride, 1, { kind: 'leakyrelu', alpha: 0.2 });
        }
        if (opts.featuresOut) opts.featuresOut[`conv${l.name}`] = tf.keep(feat);
      }
      // PyTorch flattens NCHW: (c, h, w) order.
      const n = feat.shape[0];
      const flat = tf.reshape(tf.transpose(feat, [0, 3, 1, 2]), [n, -1]);
      const dense = (t: tf.Tensor2D, name: string) =>
        tf.add(tf.matMul(t, param<tf.Tensor2D>(params, `${name}.weight`), false, true), param(params, `${name}.bias`)) as tf.Tensor2D;
      return dense(leakyRelu(dense(flat as tf.Tensor2D, 'linear1'), 0.2), 'linear2');
    });
  },
};
