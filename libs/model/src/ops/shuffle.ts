import * as tf from '@tensorflow/tfjs';

/**
 * PyTorch `pixel_shuffle(r)` on NHWC tensors. PyTorch (NCHW) maps input channel
 * `c * r * r + i * r + j` to output channel c at sub-pixel (i, j); in NHWC that is
 * [N,H,W,C*r*r] → [N,H,W,C,r,r] → [N,H,r(i),W,r(j),C]. Rank-6 transposes are split into two
 * rank-5 steps (wasm transposes up to rank 5; reshape/transpose have gradients everywhere,
 * unlike tf.depthToSpace, whose channel order also differs).
 */
export function pixelShuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [n, h, w, crr] = x.shape;
  if (crr % (r * r) !== 0) throw new Error(`pixelShuffle: channels ${crr} not divisible by ${r}x${r}`);
  const c = crr / (r * r);
  return tf.tidy(() => {
    // [N*H, W, C, i, j] → [N*H, i, W, j, C]
    const t = tf.transpose(tf.reshape(x, [n * h, w, c, r, r]), [0, 3, 1, 4, 2]);
    return tf.reshape(t, [n, h * r, w * r, c]);
  });
}

/** PyTorch `pixel_unshuffle(r)` (BasicSR `pixel_unshuffle`) on NHWC: the inverse of pixelShuffle. */
export function pixelUnshuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [n, hh, ww, c] = x.shape;
  if (hh % r !== 0 || ww % r !== 0) throw new Error(`pixelUnshuffle: ${hh}x${ww} not divisible by ${r}`);
  const h = hh / r;
  const w = ww / r;
  return tf.tidy(() => {
    // [N*H, i, W, j, C] → [N*H, W, C, i, j]
    const t = tf.transpose(tf.reshape(x, [n * h, r, w, r, c]), [0, 2, 4, 1, 3]);
    return tf.reshape(t, [n, h, w, c * r * r]);
  });
}

/**
 * Reorders the last axis (a conv kernel's output channels, its bias, or activations) from PyTorch pixel_shuffle order to
 * depth-to-space order: PyTorch keeps sub-pixel (i, j) of channel c at `c*r*r + i*r + j`, depth-to-space (TF
 * `DepthToSpace`, NHWC) at `(i*r + j)*C + c`. A conv whose kernel and bias went through this produces input for
 * {@link depthToSpace}, whose transpose is cheaper than pixelShuffle's.
 */
export function toDepthToSpaceOrder<T extends tf.Tensor>(t: T, r: number): T {
  const shape = t.shape;
  const lead = shape.slice(0, -1);
  const c = shape[shape.length - 1] / (r * r);
  if (!Number.isInteger(c)) throw new Error(`toDepthToSpaceOrder: last axis ${shape[shape.length - 1]} not divisible by ${r}x${r}`);
  return tf.tidy(() => {
    const swapped = tf.transpose(tf.reshape(t, [...lead, c, r * r]), [...lead.keys(), lead.length + 1, lead.length]);
    // The exact multiply by 1 gives the result storage of its own shape: wasm FusedConv2D checks a bias's storage rank,
    // which a reshaped transpose would not have.
    return tf.mul(tf.reshape(swapped, shape), 1) as T;
  });
}

/**
 * TF `DepthToSpace` on NHWC: [N,H,W,(i,j,C)] → [N,H*r,W*r,C], as one rank-4 transpose moving r*C-float runs.
 * Inference only (no gradient needed): tfjs wasm's DepthToSpace kernel is a scalar loop (~40x slower at 256x192x48),
 * and this transpose is ~3x faster than pixelShuffle's rank-5 one.
 */
export function depthToSpace(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [n, h, w, crr] = x.shape;
  if (crr % (r * r) !== 0) throw new Error(`depthToSpace: channels ${crr} not divisible by ${r}x${r}`);
  return tf.tidy(() => {
    // [N*H, W, i, (j, C)] → [N*H, i, W, (j, C)]
    const t = tf.transpose(tf.reshape(x, [n * h, w, r, crr / r]), [0, 2, 1, 3]);
    return tf.reshape(t, [n, h * r, w * r, crr / (r * r)]);
  });
}
