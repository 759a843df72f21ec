import * as tf from '@tensorflow/tfjs';
import { convBackpropFilter, convBackpropInput, type ConvGeometry } from './conv.ts';

type GradFunc = tf.GradConfig['gradFunc'];
type Attrs = Record<string, unknown>;

/**
 * Global gradient overrides (tf.registerGradient replaces the entry the tfjs package registered at
 * import, for every caller of these kernels, on every backend). Chosen over tf.customGrad
 * because it also covers code that calls tf.conv2d / tf.maxPool / resizeNearestNeighbor
 * directly. Cases outside the fast paths, and the native tfjs-node backend, use the stock gradient.
 * - Conv2D: both gradients as forward convolutions (wasm lacks Conv2DBackpropFilter and its
 *   Conv2DBackpropInput is a scalar loop, ~12x slower).
 * - MaxPool (2x2, stride 2, VALID): mask of x == upsampled max (wasm MaxPoolGrad is wrong).
 * - ResizeNearestNeighbor (integer factors, no corner/half-pixel modes): sum over each block
 *   (the cpu kernel's gradient is wrong for batch > 1).
 */
let registered = false;

function stock(kernelName: string): GradFunc {
  const config = tf.getGradient(kernelName);
  if (!config) throw new Error(`tfjs registered no gradient for ${kernelName}; import @tensorflow/tfjs`);
  return config.gradFunc;
}

function convGeometry(xShape: number[], wShape: number[], attrs: Attrs): ConvGeometry | null {
  const { strides, pad, dilations, dataFormat, dimRoundingMode } = attrs as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dilations: number | [number, number];
    dataFormat: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (dataFormat === 'NCHW') return null;
  const dil = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
  if (dil[0] !== 1 || dil[1] !== 1) return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return { strideH: info.strideHeight, strideW: info.strideWidth, pad: info.padInfo };
}

const conv2dGrad = (fallback: GradFunc): GradFunc => (dy, saved, attrs) => {
  const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
  const g = convGeometry(x.shape, w.shape, attrs as Attrs);
  if (!g) return fallback(dy, saved, attrs);
  return {
    x: () => convBackpropInput(dy as tf.Tensor4D, w, x.shape, g),
    filter: () => convBackpropFilter(x, dy as tf.Tensor4D, w.shape, g),
  };
};

/** Nearest-neighbour upsampling by integer factors via broadcasting (no resize kernel). */
function repeatBlocks(t: tf.Tensor4D, rh: number, rw: number): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  const rows = tf.broadcastTo(tf.reshape(t, [n * h, 1, w * c]), [n * h, rh, w * c]);
  const cols = tf.broadcastTo(tf.reshape(rows, [n * h * rh * w, 1, c]), [n * h * rh * w, rw, c]);
  return tf.reshape(cols, [n, h * rh, w * rw, c]);
}

/** Sums each rh x rw block: the adjoint of `repeatBlocks`. */
export function sumBlocks(t: tf.Tensor4D, rh: number, rw: number): tf.Tensor4D {
  const [n, hh, ww, c] = t.shape;
  const h = hh / rh;
  const w = ww / rw;
  const rows = tf.sum(tf.reshape(t, [n * h, rh, ww * c]), 1);
  return tf.reshape(tf.sum(tf.reshape(rows, [n * h * w, rw, c]), 1), [n, h, w, c]);
}

const maxPoolGrad = (fallback: GradFunc): GradFunc => (dy, saved, attrs) => {
  const [x, y] = saved as [tf.Tensor4D, tf.Tensor4D];
  const { filterSize, strides, pad } = attrs as { filterSize: number | number[]; strides: number | number[]; pad: unknown };
  const k = typeof filterSize === 'number' ? [filterSize, filterSize] : filterSize;
  const s = typeof strides === 'number' ? [strides, strides] : strides;
  if (pad !== 'valid' || k[0] !== 2 || k[1] !== 2 || s[0] !== 2 || s[1] !== 2) return fallback(dy, saved, attrs);
  return {
    x: () =>
      tf.tidy(() => {
        const [n, h, w, c] = x.shape;
        const [, ho, wo] = y.shape;
        const xc = tf.slice(x, [0, 0, 0, 0], [n, 2 * ho, 2 * wo, c]);
        const mask = tf.cast(tf.equal(xc, repeatBlocks(y, 2, 2)), 'float32');
        const g = tf.mul(mask, repeatBlocks(dy as tf.Tensor4D, 2, 2));
        return tf.pad(g, [[0, 0], [0, h - 2 * ho], [0, w - 2 * wo], [0, 0]]);
      }),
  };
};

const resizeNearestGrad = (fallback: GradFunc): GradFunc => (dy, saved, attrs) => {
  const [images] = saved as [tf.Tensor4D];
  const { alignCorners, halfPixelCenters } = attrs as { alignCorners: boolean; halfPixelCenters: boolean };
  const [, h, w] = images.shape;
  const [, hh, ww] = (dy as tf.Tensor4D).shape;
  if (alignCorners || halfPixelCenters || hh % h !== 0 || ww % w !== 0) return fallback(dy, saved, attrs);
  return { images: () => sumBlocks(dy as tf.Tensor4D, hh / h, ww / w) };
};

const OVERRIDDEN = ['Conv2D', 'MaxPool', 'ResizeNearestNeighbor'] as const;
export type OverriddenKernel = (typeof OVERRIDDEN)[number];

/**
 * Backends whose stock gradient is kept, by kernel. tfjs-node ('tensorflow') has native, correct backprop kernels.
 * On webgpu the stock Conv2DBackpropInput/Filter shaders beat our forward-conv formulation (`npm run bench:gpu`
 * prints both: 1.2-2.4x for dx, 2-3.3x for dW on SwiftShader); its MaxPoolGrad and resize gradient are correct but
 * ours are plain ops that every backend runs well, so they stay.
 */
const STOCK_ON: Record<OverriddenKernel, readonly string[]> = {
  Conv2D: ['tensorflow', 'webgpu'],
  MaxPool: ['tensorflow'],
  ResizeNearestNeighbor: ['tensorflow'],
};

/** Which gradient `kernel` uses on `backend`: tfjs's own or ours (ops/gradients.ts). */
export function gradientChoice(kernel: OverriddenKernel, backend = tf.getBackend()): 'stock' | 'ours' {
  return STOCK_ON[kernel].includes(backend) ? 'stock' : 'ours';
}

function override(kernelName: OverriddenKernel, make: (fallback: GradFunc) => GradFunc): void {
  const config = tf.getGradient(kernelName)!;
  const fallback = stock(kernelName);
  const fast = make(fallback);
  tf.registerGradient({
    ...config,
    gradFunc: (dy, saved, attrs) => (gradientChoice(kernelName) === 'stock' ? fallback : fast)(dy, saved, attrs),
  });
}

/** Idempotent; called by initBackend and by ops/index.ts at import. */
export function registerOpGradients(): void {
  if (registered) return;
  registered = true;
  const makers: Record<OverriddenKernel, (fallback: GradFunc) => GradFunc> = {
    Conv2D: conv2dGrad,
    MaxPool: maxPoolGrad,
    ResizeNearestNeighbor: resizeNearestGrad,
  };
  for (const k of OVERRIDDEN) override(k, makers[k]);
}
