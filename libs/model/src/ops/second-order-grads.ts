import * as tf from '@tensorflow/tfjs';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

/** Spreads dy along `axis` to every `stride`-th position: length (m − 1)·stride + 1. */
function dilate(dy: tf.Tensor, axis: number, stride: number): tf.Tensor {
  if (stride === 1) return dy;
  const m = dy.shape[axis];
  const shape = dy.shape.slice();
  shape[axis] = m * stride;
  const parts = [tf.expandDims(dy, axis + 1), tf.zeros([...dy.shape.slice(0, axis + 1), stride - 1, ...dy.shape.slice(axis + 1)])];
  const spread = tf.reshape(tf.concat(parts, axis + 1), shape);
  const size = shape.map((n, i) => (i === axis ? (m - 1) * stride + 1 : n));
  return tf.slice(spread, shape.map(() => 0), size);
}

/**
 * tfjs registers no gradient for StridedSlice. Our Conv2D input gradient slices the kernel with strides, so the
 * exact R1 penalty (∇θ‖∇ₓD‖², double backprop) needs one: dy scattered back into zeros at begin + k·stride. Only the
 * form our ops use (no masks, positive strides, in-range bounds) is supported; anything else fails loudly.
 * Built from differentiable ops (concat, reshape, slice, pad).
 */
const stridedSliceGrad: tf.GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const a = attrs as unknown as StridedSliceAttrs;
    const plain = a.beginMask === 0 && a.endMask === 0 && a.ellipsisMask === 0 && a.newAxisMask === 0 && a.shrinkAxisMask === 0;
    const rank = x.rank;
    const inRange = a.begin.length === rank && a.strides.every((s) => s > 0) && a.begin.every((b, i) => b >= 0 && b <= a.end[i] && a.end[i] <= x.shape[i]);
    if (!plain || !inRange) throw new Error(`StridedSlice gradient: only unmasked, positive-stride, in-range slices (got ${JSON.stringify(a)})`);
    return {
      x: () => {
        let g = dy as tf.Tensor;
        for (let i = 0; i < rank; i++) g = dilate(g, i, a.strides[i]);
        return tf.pad(g, a.begin.map((b, i) => [b, x.shape[i] - b - g.shape[i]] as [number, number]));
      },
    };
  },
};

/** Comparisons are piecewise constant: zero gradient (LeakyRelu's gradient compares x with 0). */
const comparisonGrad = (kernelName: string): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['a', 'b'],
  gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(saved[0]), b: () => tf.zerosLike(saved[1]) }),
});

let registered = false;

/**
 * Gradients tfjs lacks that differentiating a gradient again (R1 double backprop) runs into. Idempotent; called by
 * ops/index.ts at import. Kernels that already have one (a later tfjs) keep theirs.
 */
export function registerSecondOrderGradients(): void {
  if (registered) return;
  registered = true;
  for (const g of [stridedSliceGrad, comparisonGrad('Greater'), comparisonGrad('Less')]) if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
}
