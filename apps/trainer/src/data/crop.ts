import { cropImage, type ImageU8 } from '@sr/metrics';
import type { Rng } from './rng.ts';

export interface PatchPair {
  lr: ImageU8;
  hr: ImageU8;
}

/** Aligned random crops: an lrPatch² LR window at (x, y) and the HR window at (x·scale, y·scale) of side lrPatch·scale. */
export function randomAlignedCrop(lr: ImageU8, hr: ImageU8, lrPatch: number, scale: number, rng: Rng): PatchPair & { x: number; y: number } {
  if (hr.width !== lr.width * scale || hr.height !== lr.height * scale) {
    throw new RangeError(`HR ${hr.width}x${hr.height} is not LR ${lr.width}x${lr.height} times ${scale}`);
  }
  const x = rng.int(0, lr.width - lrPatch);
  const y = rng.int(0, lr.height - lrPatch);
  const hrPatch = lrPatch * scale;
  return {
    x,
    y,
    lr: cropImage(lr, x, y, lrPatch, lrPatch),
    hr: cropImage(hr, x * scale, y * scale, hrPatch, hrPatch),
  };
}

/** The HR window alone, at the same grid positions and with the same draws as `randomAlignedCrop` (no LR needed). */
export function randomHrCrop(hr: ImageU8, lrPatch: number, scale: number, rng: Rng): ImageU8 {
  const x = rng.int(0, Math.floor(hr.width / scale) - lrPatch);
  const y = rng.int(0, Math.floor(hr.height / scale) - lrPatch);
  return cropImage(hr, x * scale, y * scale, lrPatch * scale, lrPatch * scale);
}
