import { describe, expect, it } from 'vitest';
import {
  cubic, downscaleBicubic, imresize, imresizeRows, makeSrPair, modCrop, psnr, resizeWeights, toU8, upscaleBicubic, ImageShapeError,
  type ImageF,
} from '../src/index.ts';
import { constantImage, noiseImage, smoothImage } from './helpers.ts';

describe('cubic kernel (Keys, a = -0.5)', () => {
  it('interpolates: 1 at 0, 0 at the other integers, zero outside [-2, 2]', () => {
    expect(cubic(0)).toBe(1);
    for (const x of [-2, -1, 1, 2, 2.5, -3]) expect(cubic(x)).toBeCloseTo(0, 15);
    expect(cubic(0.5)).toBeCloseTo(0.5625, 15);
    expect(cubic(1.5)).toBeCloseTo(-0.0625, 15);
  });
});

describe('resizeWeights', () => {
  it('has rows summing to 1 and indices inside the input, for up- and downscaling', () => {
    for (const [inLen, outLen, scale] of [[10, 40, 4], [40, 10, 0.25], [9, 3, 1 / 3], [7, 14, 2], [5, 17, 17 / 5], [3, 1, 1 / 3]]) {
      const w = resizeWeights(inLen, outLen, scale);
      for (let i = 0; i < outLen; i++) {
        let sum = 0;
        for (let t = 0; t < w.taps; t++) {
          sum += w.weights[i * w.taps + t];
          expect(w.indices[i * w.taps + t]).toBeGreaterThanOrEqual(0);
          expect(w.indices[i * w.taps + t]).toBeLessThan(inLen);
        }
        expect(sum).toBeCloseTo(1, 12);
      }
    }
  });

  it('uses 4 taps upscaling and 4/scale taps when antialiased downscaling by an integer', () => {
    expect(resizeWeights(10, 40, 4).taps).toBe(4);
    expect(resizeWeights(40, 10, 0.25).taps).toBe(16);
    expect(resizeWeights(40, 10, 0.25, false).taps).toBe(4);
  });

  it('mirrors indices at the border like MATLAB (edge pixel repeated)', () => {
    // x2 upscale, first output pixel: u = 0.75 reads 1-based inputs -1, 0, 1, 2 -> 0-based 1, 0, 0, 1.
    const w = resizeWeights(6, 12, 2);
    expect(Array.from(w.indices.subarray(0, 4))).toEqual([1, 0, 0, 1]);
    const expected = [cubic(1.75), cubic(0.75), cubic(0.25), cubic(1.25)];
    const sum = expected.reduce((a, b) => a + b, 0);
    expected.forEach((v, t) => expect(w.weights[t]).toBeCloseTo(v / sum, 15));
  });
});

describe('imresize', () => {
  it('gives ceil(in * scale) or the requested size', () => {
    const img = noiseImage(13, 7);
    expect(imresize(img, 0.5)).toMatchObject({ width: 7, height: 4, channels: 3 });
    expect(imresize(img, 3)).toMatchObject({ width: 39, height: 21 });
    expect(imresize(img, { outWidth: 5, outHeight: 9 })).toMatchObject({ width: 5, height: 9 });
    expect(imresize(img, 0.5).data).toBeInstanceOf(Float64Array);
  });

  it('keeps a constant image constant', () => {
    const img = constantImage(17, 11, 77);
    for (const target of [4, 0.25, 1 / 3, { outWidth: 5, outHeight: 30 }]) {
      for (const v of imresize(img, target).data) expect(v).toBeCloseTo(77, 10);
    }
  });

  it('is close to identity after an upscale and the matching downscale', () => {
    const img = smoothImage(32, 24);
    const back = imresize(imresize(img, 4), 0.25);
    expect(back).toMatchObject({ width: 32, height: 24 });
    expect(psnr(img, back, { cropBorder: 2 })).toBeGreaterThan(45);
  });

  it('returns a copy, never the input buffer, for scale 1', () => {
    const img: ImageF = smoothImage(4, 4);
    const out = imresize(img, 1);
    expect(out.data).not.toBe(img.data);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
  });

  it('row by row emits every output row once, in order, with the values of the whole-image resize', () => {
    const img = noiseImage(13, 9, 3, 4);
    for (const target of [4, 0.25, 1 / 3, 1, { outWidth: 5, outHeight: 30 }, { outWidth: 13, outHeight: 4 }, { outWidth: 7, outHeight: 9 }]) {
      const whole = imresize(img, target);
      const rowLen = whole.width * 3;
      const rows: number[] = [];
      const size = imresizeRows(img, target, (row, values) => {
        rows.push(row);
        expect(Array.from(values)).toEqual(Array.from(whole.data.subarray(row * rowLen, (row + 1) * rowLen)));
      });
      expect(size).toEqual({ width: whole.width, height: whole.height });
      expect(rows).toEqual(Array.from({ length: whole.height }, (_, i) => i));
    }
  });

  it('rejects bad targets', () => {
    expect(() => imresizeRows(noiseImage(4, 4), -1, () => {})).toThrow(/positive/);
    expect(() => imresize(noiseImage(4, 4), 0)).toThrow(/positive/);
    expect(() => imresize(noiseImage(4, 4), { outWidth: 0, outHeight: 3 })).toThrow(/outWidth/);
  });
});

describe('toU8, modCrop and the bicubic SR pair', () => {
  it('rounds half away from zero and clamps', () => {
    const f: ImageF = { width: 6, height: 1, channels: 1, data: Float64Array.from([-3, 0.49, 0.5, 1.5, 254.5, 300]) };
    expect(Array.from(toU8(f).data)).toEqual([0, 0, 1, 2, 255, 255]);
  });

  it('rounds the bicubic up- and downscale row by row exactly as toU8 of the float resize', () => {
    const img = noiseImage(23, 15, 3, 8);
    for (const scale of [2, 3, 4]) {
      expect(upscaleBicubic(img, scale).data).toEqual(toU8(imresize(img, scale)).data);
      const cropped = modCrop(img, scale);
      expect(downscaleBicubic(img, scale).data).toEqual(toU8(imresize(cropped, { outWidth: cropped.width / scale, outHeight: cropped.height / scale })).data);
    }
  });

  it('mod-crops to the top-left multiple of the scale', () => {
    const img = noiseImage(10, 7);
    const c = modCrop(img, 4);
    expect(c).toMatchObject({ width: 8, height: 4 });
    expect(Array.from(c.data.subarray(0, 24))).toEqual(Array.from(img.data.subarray(0, 24)));
    expect(() => modCrop(noiseImage(3, 3), 4)).toThrow(/smaller/);
  });

  it('downscales the mod-cropped HR and upscales back to its size', () => {
    const hr = noiseImage(30, 21);
    const lr = downscaleBicubic(hr, 4);
    expect(lr).toMatchObject({ width: 7, height: 5, channels: 3 });
    expect(upscaleBicubic(lr, 4)).toMatchObject({ width: 28, height: 20 });
  });

  it('makes a pair from HR alone, or checks a given LR against it', () => {
    const hr = noiseImage(30, 21);
    const pair = makeSrPair(hr, 4);
    expect(pair.hr).toMatchObject({ width: 28, height: 20 });
    expect(pair.lr.data).toEqual(downscaleBicubic(hr, 4).data);
    expect(makeSrPair(hr, 4, pair.lr).lr).toBe(pair.lr);
    expect(() => makeSrPair(hr, 4, noiseImage(8, 5))).toThrow(ImageShapeError);
  });
});
