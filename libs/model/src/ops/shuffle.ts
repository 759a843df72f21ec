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
 * Where each channel of a depth-to-space ordered tensor comes from in PyTorch pixel_shuffle order: depth-to-space
 * (TF `DepthToSpace`, NHWC) keeps sub-pixel (i, j) of output channel c at `(i*r + j)*C + c`, PyTorch at
 * `c*r*r + i*r + j`. Gathering a conv's output channels (kernel last axis, bias) with this makes it produce
 * depth-to-space order, which {@link depthToSpace} turns into pixels with a cheaper transpose than pixelShuffle's.
 */
export function depthToSpaceOrder(channels: number, r: number): number[] {
  const c = channels / (r * r);
  if (!Number.isInteger(c)) throw new Error(`depthToSpaceOrder: channels ${channels} not divisible by ${r}x${r}`);
  const order: number[] = [];
  for (let s = 0; s < r * r; s++) for (let k = 0; k < c; k++) order.push(k * r * r + s);
  return order;
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
