import { describe, expect, it } from 'vitest';
import { consistencyCheck, ImageShapeError, toU8, upscaleBicubic } from '../src/index.ts';
import { noiseImage, smoothImage } from './helpers.ts';

describe('consistencyCheck', () => {
  it('scores a bicubic upscale of a smooth LR as nearly consistent, on RGB and Y', () => {
    const lr = toU8(smoothImage(24, 20));
    const result = consistencyCheck(upscaleBicubic(lr, 4), lr, 4);
    expect(result.rgb.psnr).toBeGreaterThan(40);
    expect(result.y.psnr).toBeGreaterThan(40);
    expect(result.rgb.ssim).toBeGreaterThan(0.99);
    expect(result.y.ssim).toBeGreaterThan(0.99);
  });

  it('scores an unrelated SR image low', () => {
    const lr = toU8(smoothImage(24, 20));
    const result = consistencyCheck(noiseImage(96, 80), lr, 4);
    expect(result.rgb.psnr).toBeLessThan(20);
    expect(result.rgb.ssim).toBeLessThan(0.5);
  });

  it('gives SSIM NaN below the 11x11 window and rejects mismatched sizes', () => {
    const lr = noiseImage(8, 8);
    const small = consistencyCheck(upscaleBicubic(lr, 2), lr, 2);
    expect(small.rgb.psnr).toBeGreaterThan(0);
    expect(small.rgb.ssim).toBeNaN();
    expect(() => consistencyCheck(noiseImage(17, 16), lr, 2)).toThrow(ImageShapeError);
  });
});
