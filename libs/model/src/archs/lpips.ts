import * as tf from '@tensorflow/tfjs';
import { conv2d } from '../ops/index.ts';
import type { StateDict } from '../weights/host-tensor.ts';
import { WeightsError } from '../weights/errors.ts';
import { stateDictToParams } from '../weights/state-dict.ts';
import { param } from './params.ts';
import type { ParamMap } from './types.ts';

/**
 * LPIPS v0.1 (Zhang et al. 2018, richzhang/PerceptualSimilarity `lpips.LPIPS(net=…)`, lpips=True, spatial=False):
 *   d(x0, x1) = Σ_l mean_hw( w_l · (φ̂_l(x0) − φ̂_l(x1))² ),  φ̂ = φ / (‖φ‖ over channels + 1e-10),
 * φ_l the five ReLU outputs of AlexNet or VGG16 after the ScalingLayer. Parameter names are the official module's:
 * `net.slice{k}.{i}.weight|bias` (i: the torchvision `features` index) and `lin{k}.model.1.weight`.
 */
export type LpipsNet = 'alex' | 'vgg';
export const LPIPS_NETS: readonly LpipsNet[] = ['alex', 'vgg'];

interface Layer {
  /** torchvision `features` index. */
  index: number;
  kind: 'conv' | 'pool';
  k: number;
  stride: number;
  pad: number;
  cin: number;
  cout: number;
}

const conv = (index: number, cin: number, cout: number, k: number, stride = 1, pad = (k - 1) / 2): Layer => ({ index, kind: 'conv', k, stride, pad, cin, cout });
const pool = (index: number, k: number): Layer => ({ index, kind: 'pool', k, stride: 2, pad: 0, cin: 0, cout: 0 });

/** The layers of each slice (a slice ends at a ReLU output that LPIPS compares). */
const SLICES: Record<LpipsNet, Layer[][]> = {
  alex: [
    [conv(0, 3, 64, 11, 4, 2)],
    [pool(2, 3), conv(3, 64, 192, 5)],
    [pool(5, 3), conv(6, 192, 384, 3)],
    [conv(8, 384, 256, 3)],
    [conv(10, 256, 256, 3)],
  ],
  vgg: [
    [conv(0, 3, 64, 3), conv(2, 64, 64, 3)],
    [pool(4, 2), conv(5, 64, 128, 3), conv(7, 128, 128, 3)],
    [pool(9, 2), conv(10, 128, 256, 3), conv(12, 256, 256, 3), conv(14, 256, 256, 3)],
    [pool(16, 2), conv(17, 256, 512, 3), conv(19, 512, 512, 3), conv(21, 512, 512, 3)],
    [pool(23, 2), conv(24, 512, 512, 3), conv(26, 512, 512, 3), conv(28, 512, 512, 3)],
  ],
};

const SHIFT = [-0.03, -0.088, -0.188];
const SCALE = [0.458, 0.448, 0.45];

const convKey = (slice: number, l: Layer) => `net.slice${slice + 1}.${l.index}`;

/** In-memory (HWIO) shapes of every LPIPS parameter, by official name. */
export function lpipsParamShapes(net: LpipsNet): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  SLICES[net].forEach((layers, s) => {
    for (const l of layers) {
      if (l.kind !== 'conv') continue;
      shapes[`${convKey(s, l)}.weight`] = [l.k, l.k, l.cin, l.cout];
      shapes[`${convKey(s, l)}.bias`] = [l.cout];
    }
    const channels = layers.filter((l) => l.kind === 'conv').at(-1)!.cout;
    shapes[`lin${s}.model.1.weight`] = [1, 1, channels, 1];
  });
  return shapes;
}

/**
 * LPIPS parameters from PyTorch-layout tensors. The linear layers (`lin{k}.model.1.weight`, the official
 * `weights/v0.1/<net>.pth`) must be in `lpips`; the backbone is taken from it when it holds a whole LPIPS state dict
 * (`net.slice…`), else from `backbone`, torchvision's `alexnet` / `vgg16` weights (`features.{i}.…`). Other keys
 * (`scaling_layer.*`, the `lins.*` aliases, classifier weights) are ignored.
 */
export function lpipsParamsFromStateDicts(net: LpipsNet, lpips: StateDict, backbone?: StateDict): ParamMap {
  const shapes = lpipsParamShapes(net);
  const picked: StateDict = {};
  for (const key of Object.keys(shapes)) {
    const torchvision = key.replace(/^net\.slice\d+\./, 'features.');
    const t = lpips[key] ?? (key.startsWith('net.') ? (backbone?.[torchvision] ?? lpips[torchvision]) : undefined);
    if (!t) {
      const where = key.startsWith('lin') ? 'the LPIPS weights' : 'the LPIPS weights or the backbone';
      throw new WeightsError(`LPIPS (${net}): ${where} lack "${key}"${key.startsWith('net.') ? ` (torchvision "${torchvision}")` : ''}`);
    }
    picked[key] = t;
  }
  return stateDictToParams(picked, shapes, `LPIPS (${net}) weights`);
}

/** Unit length over the channels (lpips.normalize_tensor). */
const normalize = (f: tf.Tensor4D): tf.Tensor4D => f.div(f.square().sum(3, true).sqrt().add(1e-10));

function features(params: ParamMap, net: LpipsNet, x: tf.Tensor4D): tf.Tensor4D[] {
  let h = x.mul(2).sub(1).sub(SHIFT).div(SCALE) as tf.Tensor4D;
  return SLICES[net].map((layers, s) => {
    for (const l of layers) {
      if (l.kind === 'pool') h = tf.maxPool(h, l.k, l.stride, 'valid');
      else h = conv2d(h, param(params, `${convKey(s, l)}.weight`), param(params, `${convKey(s, l)}.bias`), l.stride, l.pad, { kind: 'relu' });
    }
    return h;
  });
}

/** The smallest image side whose five feature maps are all non-empty (AlexNet's stride-4 conv and 3×3 pools). */
export const LPIPS_MIN_SIDE: Record<LpipsNet, number> = { alex: 31, vgg: 16 };

/** Per-image LPIPS distance [N] of NHWC RGB batches in [0, 1] (the official `normalize=True`). */
export function lpipsDistance(params: ParamMap, net: LpipsNet, x0: tf.Tensor4D, x1: tf.Tensor4D): tf.Tensor1D {
  const [, h, w] = x0.shape;
  if (Math.min(h, w) < LPIPS_MIN_SIDE[net]) throw new RangeError(`LPIPS (${net}) needs images of at least ${LPIPS_MIN_SIDE[net]} px per side, got ${w}x${h}`);
  return tf.tidy(() => {
    const f0 = features(params, net, x0);
    const f1 = features(params, net, x1);
    const perLayer = f0.map((a, l) => {
      const d = normalize(a).sub(normalize(f1[l])).square() as tf.Tensor4D;
      return tf.conv2d(d, param<tf.Tensor4D>(params, `lin${l}.model.1.weight`), 1, 'valid').mean([1, 2, 3]);
    });
    return tf.addN(perLayer) as tf.Tensor1D;
  });
}
