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
 * (`nn.Conv2d(k, stride, padding)`) or zero padding per side, optional bias and activation.
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
  padding: number | Pad2D = Math.floor((w.shape[0] - 1) / 2),
  act?: ConvActivation,
): tf.Tensor4D {
  if (w.rank !== 4 || w.shape[2] !== x.shape[3]) {
    throw new Error(`conv2d: kernel ${JSON.stringify(w.shape)} does not fit input ${JSON.stringify(x.shape)} (HWIO expected)`);
  }
  const filter = w as tf.Tensor4D;
  const p = typeof padding === 'number' ? { top: padding, bottom: padding, left: padding, right: padding } : padding;
  const pad: tf.backend_util.ExplicitPadding | 'valid' =
    p.top + p.bottom + p.left + p.right === 0 ? 'valid' : [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
  if (!tf.engine().isTapeOn()) {
    if (act?.kind === 'prelu' && tf.getBackend() === 'wasm') {
      // wasm's fused PReLU is a scalar pass after the conv; its Prelu kernel (XNNPACK) is ~2.5x faster.
      const y = tf.fused.conv2d({ x, filter, bias: b, strides: stride, pad });
      const out = tf.prelu(y, act.weight as tf.Tensor4D);
      y.dispose();
      return out;
    }
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
 * One output phase (rows ≡ a, cols ≡ b mod stride) of dL/dx. For x index i = s*m + a, only the
 * kernel taps k ≡ (a + pad) mod s touch it, reading dy[m + q - t] with k = s*t + r: a stride-1
 * correlation of dy with the flipped sub-kernel w[r::s] (in/out channels swapped).
 */
function inputGradPhase(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  g: ConvGeometry,
  a: number,
  b: number,
  outH: number,
  outW: number,
): tf.Tensor4D {
  const [kh, kw, cin, cout] = w.shape;
  const [n, ho, wo] = dy.shape;
  const rh = (a + g.pad.top) % g.strideH;
  const rw = (b + g.pad.left) % g.strideW;
  const th = Math.ceil((kh - rh) / g.strideH);
  const tw = Math.ceil((kw - rw) / g.strideW);
  if (th <= 0 || tw <= 0) return tf.zeros([n, outH, outW, cin]);
  const sub = tf.stridedSlice(w, [rh, rw, 0, 0], [kh, kw, cin, cout], [g.strideH, g.strideW, 1, 1]) as tf.Tensor4D;
  const k = tf.transpose(tf.reverse(sub, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const top = th - 1 - Math.floor((a + g.pad.top) / g.strideH);
  const left = tw - 1 - Math.floor((b + g.pad.left) / g.strideW);
  const bottom = outH + th - 1 - ho - top;
  const right = outW + tw - 1 - wo - left;
  if (Math.min(top, bottom, left, right) >= 0) {
    return tf.conv2d(dy, k, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  }
  return tf.conv2d(padOrCrop(dy, top, bottom, left, right), k, 1, 'valid');
}

/**
 * dL/dx of a stride-s convolution as s*s stride-1 forward convolutions ("sub-pixel" transposed
 * convolution), interleaved like a pixel shuffle. Unlike zero-inserting dy, it does no work on
 * zeros: the same FLOPs as the forward conv. Stride 1 is the single-phase case: dy correlated with
 * the flipped kernel, padded by k - 1 - pad.
 */
export function convBackpropInput(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, wd, c] = xShape;
    const sh = g.strideH;
    const sw = g.strideW;
    const hc = Math.ceil(h / sh);
    const wc = Math.ceil(wd / sw);
    if (sh === 1 && sw === 1) return inputGradPhase(dy, w, g, 0, 0, h, wd);
    const phases: tf.Tensor4D[] = [];
    for (let a = 0; a < sh; a++) for (let b = 0; b < sw; b++) phases.push(inputGradPhase(dy, w, g, a, b, hc, wc));
    // [N*hc, wc, a, b, C] → [N*hc, a, wc, b, C] → rows s*m + a, cols s*j + b.
    const stacked = tf.reshape(tf.stack(phases, 3), [n * hc, wc, sh, sw, c]);
    const full: tf.Tensor4D = tf.reshape(tf.transpose(stacked, [0, 2, 1, 3, 4]), [n, hc * sh, wc * sw, c]);
    return hc * sh === h && wc * sw === wd ? full : tf.slice(full, [0, 0, 0, 0], [n, h, wd, c]);
  });
}

/** Row blocks to fold into the batch so the dW convolution contracts over >= MIN_FOLDED images. */
const MIN_FOLDED = 16;
const MIN_BLOCK_ROWS = 4;

/**
 * dL/dw of a stride-s convolution, as one forward convolution with batch and channels swapped:
 * input = padded x as [Cin, H, W, N], kernel = dy as [Ho, Wo, N, Cout] dilated by the stride;
 * the [Cin, kh, kw, Cout] result is the HWIO gradient after a transpose (wasm has no
 * Conv2DBackpropFilter kernel at all). XNNPACK's inner loop runs over that "channel" axis N, so
 * small batches are first cut into row blocks (with their kernel halo) stacked along the batch:
 * same sum, a wider inner loop (batch 1 at 128x128: ~2x faster).
 */
export function convBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const [n, ho, wo, cout] = dy.shape;
    const blocks = Math.max(1, Math.min(Math.ceil(MIN_FOLDED / n), Math.floor(ho / MIN_BLOCK_ROWS)));
    const hb = Math.ceil(ho / blocks);
    const hoPadded = hb * blocks;
    // Rows/cols of the padded input the forward conv read (plus rows for zero dy padding rows).
    const needH = (hoPadded - 1) * g.strideH + kh;
    const needW = (wo - 1) * g.strideW + kw;
    const [, h, w, cin] = x.shape;
    const xp = padOrCrop(x, g.pad.top, needH - h - g.pad.top, g.pad.left, needW - w - g.pad.left);
    let xs = xp;
    let dys = dy;
    if (blocks > 1) {
      const rowsIn = (hb - 1) * g.strideH + kh;
      const parts = [];
      for (let b = 0; b < blocks; b++) parts.push(tf.slice(xp, [0, b * hb * g.strideH, 0, 0], [n, rowsIn, needW, cin]));
      xs = tf.concat(parts, 0);
      const dyp = hoPadded > ho ? tf.pad(dy, [[0, 0], [0, hoPadded - ho], [0, 0], [0, 0]]) : dy;
      dys = tf.reshape(tf.transpose(tf.reshape(dyp, [n, blocks, hb * wo * cout]), [1, 0, 2]), [blocks * n, hb, wo, cout]);
    }
    const xT = tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyT = tf.transpose(dys, [1, 2, 0, 3]) as tf.Tensor4D;
    const out = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [g.strideH, g.strideW]);
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}
