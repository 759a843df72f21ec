/** Small deterministic networks and images for the tiling tests. */
import * as tf from '@tensorflow/tfjs';
import type { ImageU16, ImageU8 } from '@sr/metrics';
import type { TileModel } from '../src/tiling.ts';

export interface ToyNet extends TileModel {
  /** LR pixels an output pixel depends on, on each side: the overlap at which tiled == whole exactly. */
  receptiveField: number;
  calls: number;
  dispose(): void;
}

/**
 * A fixed random conv stack (`convs` 3x3 convs with leaky ReLU) with a depth-to-space head and a nearest-upsampled
 * skip, optionally pixel-unshuffling the input by `unshuffle` first (like RRDBNet at scale 1 and 2).
 */
export function toyNet({ scale = 2, convs = 3, feat = 8, unshuffle = 1, seed = 1 } = {}): ToyNet {
  const inCh = 3 * unshuffle * unshuffle;
  const headCh = 3 * (scale * unshuffle) ** 2;
  const chans = [inCh, ...Array<number>(convs).fill(feat), headCh];
  const kernels = chans.slice(1).map((cout, i) => {
    const cin = chans[i];
    return tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', seed * 1000 + i) as tf.Tensor4D;
  });
  const net: ToyNet = {
    scale,
    multiple: unshuffle,
    receptiveField: (convs + 2) * unshuffle,
    calls: 0,
    forward: (x) => {
      net.calls++;
      let h = unshuffle > 1 ? pixelUnshuffle(x, unshuffle) : x;
      kernels.forEach((k, i) => {
        h = tf.conv2d(h, k, 1, 'same');
        if (i < kernels.length - 1) h = tf.leakyRelu(h, 0.2);
      });
      const [, height, width] = x.shape;
      const skip = tf.image.resizeNearestNeighbor(x, [height * scale, width * scale]);
      return tf.add(tf.depthToSpace(h, scale * unshuffle).mul(0.1), skip);
    },
    dispose: () => kernels.forEach((k) => k.dispose()),
  };
  return net;
}

function pixelUnshuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return x.reshape([n, h / r, r, w / r, r, c]).transpose([0, 1, 3, 5, 2, 4]).reshape([n, h / r, w / r, c * r * r]);
}

/** Reproducible uniform noise (mulberry32). */
export function noiseImage(width: number, height: number, seed = 7): ImageU8 {
  let a = seed >>> 0;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = ((t ^ (t >>> 14)) >>> 0) % 256;
  }
  return { width, height, channels: 3, data };
}

/** Gradients, a disc, a stripe pattern and a hard-edged box: structure at several scales. */
export function structuredImage(width: number, height: number): ImageU8 {
  const data = new Uint8Array(width * height * 3);
  const cx = width * 0.6;
  const cy = height * 0.4;
  const r = Math.min(width, height) * 0.3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      const inBox = x > width * 0.1 && x < width * 0.35 && y > height * 0.55 && y < height * 0.9;
      data[o] = inBox ? 20 : Math.round((255 * x) / Math.max(1, width - 1));
      data[o + 1] = inDisc ? 230 : Math.round((255 * y) / Math.max(1, height - 1));
      data[o + 2] = (x + 2 * y) % 6 < 3 ? 200 : 40;
    }
  }
  return { width, height, channels: 3, data };
}

export function maxAbsDiff(a: ImageU8 | ImageU16, b: ImageU8 | ImageU16): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`shape ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}
