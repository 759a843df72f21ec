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
