/**
 * Float64 reference implementations (plain loops, straight from the PyTorch definitions) used to
 * check the tfjs ops and their gradients. All tensors are NHWC / HWIO, row-major.
 */
export interface Arr {
  shape: number[];
  data: Float64Array;
}

export const arr = (shape: number[], data?: ArrayLike<number>): Arr => ({
  shape,
  data: data ? Float64Array.from(data) : new Float64Array(shape.reduce((a, b) => a * b, 1)),
});

export function conv2dRef(x: Arr, w: Arr, b: Arr | null, stride: number, pad: number): Arr {
  const [n, h, wd, ci] = x.shape;
  const [kh, kw, , co] = w.shape;
  const ho = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const wo = Math.floor((wd + 2 * pad - kw) / stride) + 1;
  const y = arr([n, ho, wo, co]);
  for (let b0 = 0; b0 < n; b0++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let o = 0; o < co; o++) {
          let s = b ? b.data[o] : 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * stride + ky - pad;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * stride + kx - pad;
              if (ix < 0 || ix >= wd) continue;
              for (let c = 0; c < ci; c++) {
                s += x.data[((b0 * h + iy) * wd + ix) * ci + c] * w.data[((ky * kw + kx) * ci + c) * co + o];
              }
            }
          }
          y.data[((b0 * ho + oy) * wo + ox) * co + o] = s;
        }
  return y;
}

/** PyTorch pixel_shuffle written in NCHW index terms, then stored NHWC. */
export function pixelShuffleRef(x: Arr, r: number): Arr {
  const [n, h, w, crr] = x.shape;
  const c = crr / (r * r);
  const y = arr([n, h * r, w * r, c]);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let oy = 0; oy < h * r; oy++)
        for (let ox = 0; ox < w * r; ox++) {
          // out[b, ch, oy, ox] = in[b, ch*r*r + (oy%r)*r + (ox%r), oy/r, ox/r]
          const src = ch * r * r + (oy % r) * r + (ox % r);
          const v = x.data[((b * h + Math.floor(oy / r)) * w + Math.floor(ox / r)) * crr + src];
          y.data[((b * h * r + oy) * w * r + ox) * c + ch] = v;
        }
  return y;
}

export function pixelUnshuffleRef(x: Arr, r: number): Arr {
  const [n, hh, ww, c] = x.shape;
  const h = hh / r;
  const w = ww / r;
  const y = arr([n, h, w, c * r * r]);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < hh; oy++)
      for (let ox = 0; ox < ww; ox++)
        for (let ch = 0; ch < c; ch++) {
          const dst = ch * r * r + (oy % r) * r + (ox % r);
          y.data[((b * h + Math.floor(oy / r)) * w + Math.floor(ox / r)) * c * r * r + dst] =
            x.data[((b * hh + oy) * ww + ox) * c + ch];
        }
  return y;
}

export function upsampleRef(x: Arr, r: number): Arr {
  const [n, h, w, c] = x.shape;
  const y = arr([n, h * r, w * r, c]);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < h * r; oy++)
      for (let ox = 0; ox < w * r; ox++)
        for (let ch = 0; ch < c; ch++)
          y.data[((b * h * r + oy) * w * r + ox) * c + ch] =
            x.data[((b * h + Math.floor(oy / r)) * w + Math.floor(ox / r)) * c + ch];
  return y;
}

export function maxPool2Ref(x: Arr): Arr {
  const [n, h, w, c] = x.shape;
  const ho = Math.floor(h / 2);
  const wo = Math.floor(w / 2);
  const y = arr([n, ho, wo, c]);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let ch = 0; ch < c; ch++) {
          let m = -Infinity;
          for (let dy = 0; dy < 2; dy++)
            for (let dx = 0; dx < 2; dx++) m = Math.max(m, x.data[((b * h + 2 * oy + dy) * w + 2 * ox + dx) * c + ch]);
          y.data[((b * ho + oy) * wo + ox) * c + ch] = m;
        }
  return y;
}

const lastDim = (x: Arr) => x.shape[x.shape.length - 1];

export function preluRef(x: Arr, a: Arr): Arr {
  const c = lastDim(x);
  return arr(x.shape, Array.from(x.data, (v, i) => (v > 0 ? v : a.data[i % c] * v)));
}

export function leakyRef(x: Arr, slope: number): Arr {
  return arr(x.shape, Array.from(x.data, (v) => (v > 0 ? v : slope * v)));
}

/** Normalizes x over the index sets `groupOf(i)` (each group: mean/biased var), then per-channel affine. */
function normalizeRef(x: Arr, groupOf: (i: number) => number, groups: number, w: Arr, b: Arr, eps: number): Arr {
  const sum = new Float64Array(groups);
  const sq = new Float64Array(groups);
  const cnt = new Float64Array(groups);
  x.data.forEach((v, i) => {
    const g = groupOf(i);
    sum[g] += v;
    cnt[g] += 1;
  });
  const mean = sum.map((s, g) => s / cnt[g]);
  x.data.forEach((v, i) => {
    const g = groupOf(i);
    sq[g] += (v - mean[g]) ** 2;
  });
  const c = lastDim(x);
  return arr(
    x.shape,
    Array.from(x.data, (v, i) => {
      const g = groupOf(i);
      return ((v - mean[g]) / Math.sqrt(sq[g] / cnt[g] + eps)) * w.data[i % c] + b.data[i % c];
    }),
  );
}

export function batchNormTrainRef(x: Arr, w: Arr, b: Arr, eps = 1e-5): Arr {
  const c = lastDim(x);
  return normalizeRef(x, (i) => i % c, c, w, b, eps);
}

export function groupNormRef(x: Arr, groups: number, w: Arr, b: Arr, eps = 1e-5): Arr {
  const [n, h, wd, c] = x.shape;
  const per = h * wd * c;
  return normalizeRef(x, (i) => Math.floor(i / per) * groups + Math.floor((i % c) / (c / groups)), n * groups, w, b, eps);
}
