import * as tf from '@tensorflow/tfjs';

export interface Pad2D {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface ConvGeometry {
  strideH: number;
  strideW: number;
  pad: Pad2D;
}

/** An activation applied right after a convolution (fused into it when no gradient is recorded). */
export type ConvActivation =
  | { kind: 'relu' }
  | { kind: 'leakyrelu'; alpha: number }
  | { kind: 'prelu'; weight: tf.Tensor };

function activate(y: tf.Tensor4D, act: ConvActivation | undefined): tf.Tensor4D {
  if (!act) return y;
  if (act.kind === 'relu') return tf.relu(y);
  if (act.kind === 'leakyrelu') return tf.leakyRelu(y, act.alpha);
  return tf.prelu(y, act.weight as tf.Tensor4D);
}

/**
 * 2-D convolution, NHWC input, HWIO kernel, PyTorch-style symmetric integer padding
 * (`nn.Conv2d(k, stride, padding)`), optional bias and activation.
 * With no gradient tape active (inference) it runs `tf.fused.conv2d` (~15% faster on wasm: bias
 * and activation in the conv kernel). Under a tape it runs plain Conv2D + ops, never the fused
 * op: the fused op's gradient calls Conv2DBackpropFilter/Input directly (missing / scalar-slow
 * on wasm), while Conv2D goes through the gradient registered in ops/gradients.ts.
 */
export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor,
  b: tf.Tensor | undefined,
  stride = 1,
  padding = Math.floor((w.shape[0] - 1) / 2),
  act?: ConvActivation,
): tf.Tensor4D {
  if (w.rank !== 4 || w.shape[2] !== x.shape[3]) {
    throw new Error(`conv2d: kernel ${JSON.stringify(w.shape)} does not fit input ${JSON.stringify(x.shape)} (HWIO expected)`);
  }
  const filter = w as tf.Tensor4D;
  const pad: tf.backend_util.ExplicitPadding | 'valid' =
    padding === 0 ? 'valid' : [[0, 0], [padding, padding], [padding, padding], [0, 0]];
  if (!tf.engine().isTapeOn()) {
    return tf.fused.conv2d({
      x,
      filter,
      bias: b,
      strides: stride,
      pad,
      activation: act?.kind ?? 'linear',
      preluActivationWeights: act?.kind === 'prelu' ? act.weight : undefined,
      leakyreluAlpha: act?.kind === 'leakyrelu' ? act.alpha : undefined,
    });
  }
  return tf.tidy(() => {
    const y = tf.conv2d(x, filter, stride, pad);
    return activate(b ? tf.add(y, b) : y, act);
  });
}

/** Inserts `s - 1` zeros after every row (axis 1) and column (axis 2): stride-s "dilation". */
function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  let out = dy;
  const [n, , , c] = dy.shape;
  if (sh > 1) {
    const [, h, w] = out.shape;
    out = tf.pad(tf.reshape(out, [n, h, 1, w * c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0]]).reshape([n, h * sh, w, c]);
  }
  if (sw > 1) {
    const [, h, w] = out.shape;
    out = tf.pad(tf.reshape(out, [n * h, w, 1, c]), [[0, 0], [0, 0], [0, sw - 1], [0, 0]]).reshape([n, h, w * sw, c]);
  }
  return out;
}

/** Crops (negative) or zero-pads (positive) the spatial borders. */
function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  let out = ct + cb + cl + cr > 0 ? tf.slice(t, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c]) : t;
  const pt = Math.max(0, top);
  const pb = Math.max(0, bottom);
  const pl = Math.max(0, left);
  const pr = Math.max(0, right);
  if (pt + pb + pl + pr > 0) out = tf.pad(out, [[0, 0], [pt, pb], [pl, pr], [0, 0]]);
  return out;
}

/**
 * dL/dx of a stride-s convolution, as one forward convolution: the output gradient with
 * stride-zeros inserted, padded by (k - 1 - pad), correlated with the spatially flipped kernel
 * whose in/out channels are swapped.
 */
export function convBackpropInput(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = w.shape;
    const [, hIn, wIn] = xShape;
    const d = dilate(dy, g.strideH, g.strideW);
    const top = kh - 1 - g.pad.top;
    const left = kw - 1 - g.pad.left;
    const bottom = hIn + kh - 1 - top - d.shape[1];
    const right = wIn + kw - 1 - left - d.shape[2];
    const wT = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    if (Math.min(top, bottom, left, right) >= 0) {
      return tf.conv2d(d, wT, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    }
    return tf.conv2d(padOrCrop(d, top, bottom, left, right), wT, 1, 'valid');
  });
}

/**
 * dL/dw of a stride-s convolution, as one forward convolution with batch and channels swapped:
 * input = padded x as [Cin, H, W, N], kernel = dy as [Ho, Wo, N, Cout] dilated by the stride;
 * the [Cin, kh, kw, Cout] result is the HWIO gradient after a transpose. XNNPACK runs this as
 * one GEMM (~12 GFLOP/s on wasm SIMD), where wasm has no Conv2DBackpropFilter kernel at all.
 */
export function convBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const [, ho, wo] = dy.shape;
    // Rows/cols of the padded input the forward conv actually read.
    const needH = (ho - 1) * g.strideH + kh;
    const needW = (wo - 1) * g.strideW + kw;
    const [, h, w] = x.shape;
    const xp = padOrCrop(x, g.pad.top, needH - h - g.pad.top, g.pad.left, needW - w - g.pad.left);
    const xT = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const out = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [g.strideH, g.strideW]);
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}
