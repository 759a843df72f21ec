import type { RgbF } from './float-image.ts';

/**
 * torch `F.interpolate` on NCHW float images with align_corners=False and antialias=False, the resizes of Real-ESRGAN's
 * degradation: 'area' (adaptive average pooling), 'bilinear' and 'bicubic' (Keys a = -0.75, clamped borders). All
 * three are separable, so each axis gets a table of taps.
 */
export type ResizeMode = 'area' | 'bilinear' | 'bicubic';
export const RESIZE_MODES: readonly ResizeMode[] = ['area', 'bilinear', 'bicubic'];

interface Taps {
  count: number;
  index: Int32Array;
  weight: Float64Array;
}

function table(outLength: number, count: number, fill: (i: number, put: (t: number, index: number, weight: number) => void) => void): Taps {
  const index = new Int32Array(outLength * count);
  const weight = new Float64Array(outLength * count);
  for (let i = 0; i < outLength; i++) fill(i, (t, j, wgt) => ((index[i * count + t] = j), (weight[i * count + t] = wgt)));
  return { count, index, weight };
}

const A = -0.75;
const cubic1 = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
const cubic2 = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;

/** `scale` is input/output as torch uses it: 1/scale_factor when a scale factor was given, else in/out. */
function axisTaps(mode: ResizeMode, inLength: number, outLength: number, scale: number): Taps {
  if (mode === 'area') {
    const span = Math.ceil(inLength / outLength) + 1;
    return table(outLength, span, (i, put) => {
      const start = Math.floor((i * inLength) / outLength);
      const end = Math.ceil(((i + 1) * inLength) / outLength);
      for (let t = 0; t < span; t++) put(t, Math.min(start + t, inLength - 1), start + t < end ? 1 / (end - start) : 0);
    });
  }
  if (mode === 'bilinear') {
    return table(outLength, 2, (i, put) => {
      const real = Math.max(0, scale * (i + 0.5) - 0.5);
      const x0 = Math.floor(real);
      const x1 = x0 + (x0 < inLength - 1 ? 1 : 0);
      const l1 = real - x0;
      put(0, x0, 1 - l1);
      put(1, x1, l1);
    });
  }
  return table(outLength, 4, (i, put) => {
    const real = scale * (i + 0.5) - 0.5;
    const x0 = Math.floor(real);
    const t = real - x0;
    const coeffs = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
    for (let k = 0; k < 4; k++) put(k, Math.min(Math.max(x0 - 1 + k, 0), inLength - 1), coeffs[k]);
  });
}

function resizeAxes(img: RgbF, outW: number, outH: number, mode: ResizeMode, scaleX: number, scaleY: number): RgbF {
  const { width: w, height: h, data } = img;
  const tx = axisTaps(mode, w, outW, scaleX);
  const ty = axisTaps(mode, h, outH, scaleY);
  const mid = new Float64Array(h * outW * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < outW; x++)
      for (let t = 0; t < tx.count; t++) {
        const wgt = tx.weight[x * tx.count + t];
        if (wgt === 0) continue;
        const s = (y * w + tx.index[x * tx.count + t]) * 3;
        const o = (y * outW + x) * 3;
        mid[o] += wgt * data[s];
        mid[o + 1] += wgt * data[s + 1];
        mid[o + 2] += wgt * data[s + 2];
      }
  const out = new Float32Array(outH * outW * 3);
  for (let y = 0; y < outH; y++)
    for (let t = 0; t < ty.count; t++) {
      const wgt = ty.weight[y * ty.count + t];
      if (wgt === 0) continue;
      const src = ty.index[y * ty.count + t] * outW * 3;
      const dst = y * outW * 3;
      for (let i = 0; i < outW * 3; i++) out[dst + i] += wgt * mid[src + i];
    }
  return { width: outW, height: outH, data: out };
}

/** `F.interpolate(img, scale_factor=factor, mode)`: output floor(in·factor), coordinates mapped with 1/factor. */
export function resizeByFactor(img: RgbF, factor: number, mode: ResizeMode): RgbF {
  const outW = Math.max(1, Math.floor(img.width * factor));
  const outH = Math.max(1, Math.floor(img.height * factor));
  return resizeAxes(img, outW, outH, mode, 1 / factor, 1 / factor);
}

/** `F.interpolate(img, size=(height, width), mode)`. */
export function resizeTo(img: RgbF, width: number, height: number, mode: ResizeMode): RgbF {
  return resizeAxes(img, width, height, mode, img.width / width, img.height / height);
}
