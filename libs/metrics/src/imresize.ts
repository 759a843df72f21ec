import { assertImage, type Image, type ImageF } from './image.ts';

/**
 * MATLAB `imresize(img, scale, 'bicubic')`, following BasicSR's `matlab_functions.imresize` as the reference definition:
 * Keys cubic (a = -0.5), antialiasing when downscaling (kernel stretched by 1/scale), MATLAB's symmetric index mirroring
 * at the borders, output size ceil(in * scale), unrounded float64 output. Height is resized first, then width (the two
 * passes are linear and commute, so the order only matters at the level of float rounding).
 */

/** Keys cubic convolution kernel with a = -0.5 (support [-2, 2]). */
export function cubic(x: number): number {
  const ax = Math.abs(x);
  const ax2 = ax * ax;
  const ax3 = ax2 * ax;
  if (ax <= 1) return 1.5 * ax3 - 2.5 * ax2 + 1;
  if (ax <= 2) return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
  return 0;
}

/** Per-axis contributions: output pixel i reads input `indices[i*taps + t]` (0-based, already mirrored) with `weights[i*taps + t]`. */
export interface AxisWeights {
  inLength: number;
  outLength: number;
  taps: number;
  indices: Int32Array;
  weights: Float64Array;
}

const KERNEL_WIDTH = 4;

/** MATLAB's border rule: index sequence 1..n, n..1 repeated (edge pixels repeated), here on 0-based indices. */
function mirror(j: number, n: number): number {
  const period = 2 * n;
  const m = ((j % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/** MATLAB `contributions` / BasicSR `calculate_weights_indices` for one axis. */
export function resizeWeights(inLength: number, outLength: number, scale: number, antialias = true): AxisWeights {
  const stretch = scale < 1 && antialias;
  const kernelWidth = stretch ? KERNEL_WIDTH / scale : KERNEL_WIDTH;
  const p = Math.ceil(kernelWidth) + 2;
  const raw = new Float64Array(outLength * p);
  const first = new Float64Array(outLength);
  for (let i = 0; i < outLength; i++) {
    // 1-based output coordinate x maps so that 0.5 in output space is 0.5 in input space.
    const u = (i + 1) / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - kernelWidth / 2);
    first[i] = left;
    let sum = 0;
    for (let t = 0; t < p; t++) {
      const d = u - (left + t);
      const w = stretch ? scale * cubic(d * scale) : cubic(d);
      raw[i * p + t] = w;
      sum += w;
    }
    for (let t = 0; t < p; t++) raw[i * p + t] /= sum;
  }
  // Drop the leading and trailing columns that are zero for every output pixel (MATLAB removes all-zero columns).
  const columnUsed = (t: number) => {
    for (let i = 0; i < outLength; i++) if (raw[i * p + t] !== 0) return true;
    return false;
  };
  let lo = 0;
  let hi = p - 1;
  while (lo < hi && !columnUsed(lo)) lo++;
  while (hi > lo && !columnUsed(hi)) hi--;
  const taps = hi - lo + 1;
  const indices = new Int32Array(outLength * taps);
  const weights = new Float64Array(outLength * taps);
  for (let i = 0; i < outLength; i++) {
    for (let t = 0; t < taps; t++) {
      // first[i] + lo + t is a 1-based input index.
      indices[i * taps + t] = mirror(first[i] + lo + t - 1, inLength);
      weights[i * taps + t] = raw[i * p + lo + t];
    }
  }
  return { inLength, outLength, taps, indices, weights };
}

/** Output row `i` of the resize along the rows axis: a weighted sum of whole input rows, into `out` (length rowLen). */
function resizeRow(src: ArrayLike<number>, rowLen: number, ax: AxisWeights, i: number, out: Float64Array): void {
  const { taps, indices, weights } = ax;
  out.fill(0);
  for (let t = 0; t < taps; t++) {
    const w = weights[i * taps + t];
    if (w === 0) continue;
    const s = indices[i * taps + t] * rowLen;
    for (let k = 0; k < rowLen; k++) out[k] += w * src[s + k];
  }
}

/** One interleaved row resized along the columns axis, into `out` (ax.outLength * channels values). */
function resizeColumns(src: Float64Array, channels: number, ax: AxisWeights, out: Float64Array): void {
  const { taps, indices, weights } = ax;
  for (let j = 0; j < ax.outLength; j++) {
    for (let c = 0; c < channels; c++) {
      let s = 0;
      for (let t = 0; t < taps; t++) s += weights[j * taps + t] * src[indices[j * taps + t] * channels + c];
      out[j * channels + c] = s;
    }
  }
}

export type ResizeTarget = number | { outWidth: number; outHeight: number };

export interface ResizeOptions {
  /** Stretch the kernel when downscaling (MATLAB's default). Default true. */
  antialias?: boolean;
}

function checkLength(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
}

interface ResizeSize {
  outW: number;
  outH: number;
  scaleW: number;
  scaleH: number;
}

function resizeSize(img: Image, target: ResizeTarget): ResizeSize {
  if (typeof target === 'number') {
    if (!Number.isFinite(target) || target <= 0) throw new RangeError(`scale must be a positive number, got ${target}`);
    return { outW: Math.ceil(img.width * target), outH: Math.ceil(img.height * target), scaleW: target, scaleH: target };
  }
  checkLength(target.outWidth, 'outWidth');
  checkLength(target.outHeight, 'outHeight');
  const { outWidth: outW, outHeight: outH } = target;
  return { outW, outH, scaleW: outW / img.width, scaleH: outH / img.height };
}

/**
 * `imresize` one output row at a time: calls `emit(row, values)` for rows 0..height-1 in order, with the unrounded
 * interleaved values of that row in a buffer that is reused for the next row. Scratch memory: two rows, not the image.
 * Returns the output size.
 */
export function imresizeRows(
  img: Image,
  target: ResizeTarget,
  emit: (row: number, values: Float64Array) => void,
  opts: ResizeOptions = {},
): { width: number; height: number } {
  assertImage(img);
  const { outW, outH, scaleW, scaleH } = resizeSize(img, target);
  const antialias = opts.antialias ?? true;
  const { width, height, channels, data } = img;
  const inRow = width * channels;
  const rows = outH === height && scaleH === 1 ? undefined : resizeWeights(height, outH, scaleH, antialias);
  const columns = outW === width && scaleW === 1 ? undefined : resizeWeights(width, outW, scaleW, antialias);
  const row = new Float64Array(inRow);
  const resized = columns ? new Float64Array(outW * channels) : row;
  for (let i = 0; i < outH; i++) {
    if (rows) resizeRow(data, inRow, rows, i, row);
    else for (let k = 0, s = i * inRow; k < inRow; k++, s++) row[k] = data[s];
    if (columns) resizeColumns(row, channels, columns, resized);
    emit(i, resized);
  }
  return { width: outW, height: outH };
}

/**
 * Bicubic resize equal to MATLAB `imresize(img, scale, 'bicubic')` (or `imresize(img, [outHeight outWidth], 'bicubic')`).
 * `target` is a scale factor (< 1 shrinks) or an output size. Returns unrounded float64 values in a fresh buffer (never
 * the caller's); see `toU8`.
 */
export function imresize(img: Image, target: ResizeTarget, opts: ResizeOptions = {}): ImageF {
  assertImage(img);
  const { outW, outH } = resizeSize(img, target);
  const rowLen = outW * img.channels;
  const out = new Float64Array(outH * rowLen);
  imresizeRows(img, target, (i, values) => out.set(values, i * rowLen), opts);
  return { width: outW, height: outH, channels: img.channels, data: out };
}
