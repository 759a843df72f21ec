import { downscaleBicubic } from './bicubic.ts';
import { compare, type Scores } from './compare.ts';
import { describeShape, ImageShapeError, type Image } from './image.ts';
import { psnr } from './psnr.ts';

export interface ConsistencyResult {
  /** PSNR (dB) and SSIM on RGB of the re-downscaled SR vs the LR input. */
  rgb: Scores;
  /** The same on the unrounded BT.601 Y channel. */
  y: Scores;
}

/** SSIM's window is 11x11; smaller LR images get SSIM = NaN (JSON null) instead of an error. */
const MIN_SSIM_SIDE = 11;

/**
 * LR consistency of a super-resolved image: downscale SR back to the LR size with MATLAB bicubic, round, and compare with
 * the LR input. A faithful SR model gives a high PSNR here (the bicubic degradation is what it was trained to invert),
 * no matter how much detail it hallucinated. No border is cropped.
 */
export function consistencyCheck(sr: Image, lr: Image, scale: number): ConsistencyResult {
  if (sr.width !== lr.width * scale || sr.height !== lr.height * scale || sr.channels !== lr.channels) {
    throw new ImageShapeError(`SR is ${describeShape(sr)} but LR ${describeShape(lr)} at x${scale} needs ${lr.width * scale}x${lr.height * scale}x${lr.channels}`);
  }
  const back = downscaleBicubic(sr, scale);
  const small = lr.width < MIN_SSIM_SIDE || lr.height < MIN_SSIM_SIDE;
  const score = (yChannel: boolean): Scores =>
    small ? { psnr: psnr(back, lr, { yChannel }), ssim: NaN } : compare(back, lr, { yChannel });
  return { rgb: score(false), y: score(true) };
}
