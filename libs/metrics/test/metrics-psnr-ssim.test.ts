import { describe, expect, it } from 'vitest';
import { compare, ImageShapeError, psnr, ssim, SSIM_KERNEL, type ImageF, type ImageU8 } from '../src/index.ts';
import { preparePair } from '../src/prepare.ts';
import { SSIM_STRIP_ROWS, ssimRows } from '../src/ssim.ts';
import { constantImage, noiseImage, smoothImage } from './helpers.ts';

/** Direct 2-D definition of SSIM on one channel (11x11 window, valid region), for checking the separable code. */
function naiveSsim(a: ImageU8 | ImageF, b: ImageU8 | ImageF, channel: number): number {
  const { width: w, height: h, channels: ch } = a;
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  let total = 0;
  for (let y = 0; y + 11 <= h; y++) {
    for (let x = 0; x + 11 <= w; x++) {
      let m1 = 0, m2 = 0, s11 = 0, s22 = 0, s12 = 0;
      for (let i = 0; i < 11; i++) {
        for (let j = 0; j < 11; j++) {
          const g = SSIM_KERNEL[i] * SSIM_KERNEL[j];
          const p = a.data[((y + i) * w + x + j) * ch + channel];
          const q = b.data[((y + i) * w + x + j) * ch + channel];
          m1 += g * p;
          m2 += g * q;
          s11 += g * p * p;
          s22 += g * q * q;
          s12 += g * p * q;
        }
      }
      const v1 = s11 - m1 * m1, v2 = s22 - m2 * m2, v12 = s12 - m1 * m2;
      total += ((2 * m1 * m2 + C1) * (2 * v12 + C2)) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
    }
  }
  return total / ((w - 10) * (h - 10));
}

function offset(img: ImageU8, d: number): ImageU8 {
  return { ...img, data: img.data.map((v) => v + d) };
}

describe('psnr', () => {
  it('is Infinity for identical images', () => {
    const a = noiseImage(16, 12);
    expect(psnr(a, { ...a, data: a.data.slice() })).toBe(Infinity);
  });

  it('is 10·log10(255²/d²) for a constant offset d', () => {
    const a = constantImage(20, 15, 100);
    for (const d of [1, 3, 10, 50]) {
      expect(psnr(a, offset(a, d))).toBeCloseTo(10 * Math.log10(255 ** 2 / d ** 2), 12);
    }
  });

  it('accepts float images and mixes them with 8-bit ones', () => {
    const a = constantImage(8, 8, 40);
    const b: ImageF = { ...a, data: Float64Array.from(a.data, (v) => v + 0.5) };
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(255 ** 2 / 0.25), 12);
  });

  it('ignores the cropped border', () => {
    const a = constantImage(10, 10, 50);
    const b = { ...a, data: a.data.slice() };
    b.data[0] = 255; // top-left pixel, inside the 1-pixel border
    expect(psnr(a, b)).toBeLessThan(Infinity);
    expect(psnr(a, b, { cropBorder: 1 })).toBe(Infinity);
  });

  it('on Y compares luma: R + 255 in one of 16 pixels moves Y by 65.481 there', () => {
    const a = constantImage(4, 4, 0);
    const b = constantImage(4, 4, 0);
    b.data[0] = 255;
    expect(psnr(a, b, { yChannel: true })).toBeCloseTo(10 * Math.log10(255 ** 2 / (65.481 ** 2 / 16)), 10);
  });

  it('rejects different shapes and roundY without yChannel', () => {
    expect(() => psnr(noiseImage(8, 8), noiseImage(8, 9))).toThrow(ImageShapeError);
    expect(() => psnr(noiseImage(8, 8), noiseImage(8, 8, 1))).toThrow(/8x8x3 vs 8x8x1/);
    expect(() => psnr(noiseImage(8, 8), noiseImage(8, 8), { roundY: true })).toThrow(/yChannel/);
    expect(() => psnr(noiseImage(8, 8), noiseImage(8, 8), { cropBorder: 4 })).toThrow(/nothing/);
  });
});

describe('ssim', () => {
  it('is 1 for identical images', () => {
    const a = noiseImage(24, 20);
    expect(ssim(a, { ...a, data: a.data.slice() })).toBeCloseTo(1, 14);
  });

  it('uses a normalized symmetric Gaussian window', () => {
    expect(SSIM_KERNEL.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 15);
    for (let i = 0; i < 11; i++) expect(SSIM_KERNEL[i]).toBeCloseTo(SSIM_KERNEL[10 - i], 15);
    expect(SSIM_KERNEL[5] / SSIM_KERNEL[4]).toBeCloseTo(Math.exp(1 / (2 * 1.5 * 1.5)), 12);
  });

  it('equals the direct 2-D definition, mean over channels', () => {
    const a = noiseImage(23, 17, 3, 7);
    const b = { ...smoothImage(23, 17), data: Float64Array.from(smoothImage(23, 17).data, (v, i) => v + (a.data[i] % 20)) };
    const expected = (naiveSsim(a, b, 0) + naiveSsim(a, b, 1) + naiveSsim(a, b, 2)) / 3;
    expect(ssim(a, b)).toBeCloseTo(expected, 12);
    expect(ssim(b, a)).toBeCloseTo(expected, 12);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(1);
  });

  it('needs an 11x11 valid region', () => {
    expect(() => ssim(noiseImage(10, 30), noiseImage(10, 30))).toThrow(/11x11/);
    expect(() => ssim(noiseImage(14, 14), noiseImage(14, 14), { cropBorder: 2 })).toThrow(/11x11/);
  });
});

describe('compare', () => {
  it('returns the same numbers as psnr and ssim with the same options', () => {
    const a = noiseImage(30, 26, 3, 3);
    const b = noiseImage(30, 26, 3, 4);
    const opts = { yChannel: true, roundY: true, cropBorder: 2 };
    expect(compare(a, b, opts)).toEqual({ psnr: psnr(a, b, opts), ssim: ssim(a, b, opts) });
  });
});

describe('row strips', () => {
  const pair = (w: number, h: number, seed: number) => [noiseImage(w, h, 3, seed), { ...smoothImage(w, h), data: Float64Array.from(smoothImage(w, h).data, (v, i) => v + (i % 17)) }] as const;

  it('SSIM is the same to the bit for every strip height, on odd sizes, the 11-px minimum and images shorter than a strip', () => {
    for (const [w, h] of [[11, 11], [12, 11], [11, 40], [23, 17], [37, 29], [19, 75], [26, 53]]) {
      const [a, b] = pair(w, h, w * h);
      for (const opts of [{}, { yChannel: true }, { yChannel: true, roundY: true }]) {
        const [pa, pb] = preparePair(a, b, opts);
        const outRows = h - 10;
        const whole = ssimRows(pa, pb, outRows);
        for (const strip of [1, 2, 3, 7, 10, 11, SSIM_STRIP_ROWS, outRows - 1, outRows + 5].filter((s) => s >= 1)) {
          expect(ssimRows(pa, pb, strip), `${w}x${h} ${JSON.stringify(opts)} strip ${strip}`).toBe(whole);
        }
      }
    }
  });

  it('SSIM over several default strips equals the direct 2-D definition', () => {
    const [a, b] = pair(16, 2 * SSIM_STRIP_ROWS + 21, 5);
    expect(ssim(a, b)).toBeCloseTo((naiveSsim(a, b, 0) + naiveSsim(a, b, 1) + naiveSsim(a, b, 2)) / 3, 12);
  });

  it('PSNR row by row equals the sum over whole cropped planes', () => {
    const [a, b] = pair(29, 19, 9);
    const border = 3;
    let sum = 0;
    for (let c = 0; c < 3; c++) {
      for (let y = border; y < 19 - border; y++) {
        for (let x = border; x < 29 - border; x++) {
          const d = a.data[(y * 29 + x) * 3 + c] - b.data[(y * 29 + x) * 3 + c];
          sum += d * d;
        }
      }
    }
    expect(psnr(a, b, { cropBorder: border })).toBe(10 * Math.log10((255 * 255) / (sum / (3 * 23 * 13))));
  });

  it('rejects a strip height that is not a positive integer', () => {
    const [pa, pb] = preparePair(noiseImage(12, 12), noiseImage(12, 12, 3, 2));
    for (const bad of [0, -1, 1.5]) expect(() => ssimRows(pa, pb, bad)).toThrow(/strip rows/);
  });
});
