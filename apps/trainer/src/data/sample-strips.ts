import { join } from 'node:path';
import type { ImageU8 } from '@sr/metrics';
import { writeImage } from '../io/image-io.ts';
import { hstack, nearest } from '../train/validate.ts';
import type { Batch } from './batches.ts';

/** A batch tensor (NHWC float in [0, 1]) back to 8-bit images. */
function unpack(data: Float32Array, count: number, side: number): ImageU8[] {
  const n = side * side * 3;
  return Array.from({ length: count }, (_, b) => {
    const img = new Uint8Array(n);
    for (let i = 0; i < n; i++) img[i] = Math.round(data[b * n + i] * 255);
    return { width: side, height: side, channels: 3, data: img };
  });
}

/**
 * Writes `<prefix>-<i>.png` strips (the training LR, nearest-upscaled | its HR patch) of every sample of a batch, and
 * with `pairs` also `<prefix>-<i>-lr.png` / `-hr.png`; returns the strip file names.
 */
export async function writeBatchStrips(dir: string, batch: Batch, scale: number, prefix: string, pairs = false): Promise<string[]> {
  const lrs = unpack(batch.lr, batch.size, batch.lrPatch);
  const hrs = unpack(batch.hr, batch.size, batch.hrPatch);
  const files: string[] = [];
  for (let i = 0; i < batch.size; i++) {
    const name = batch.size === 1 ? prefix : `${prefix}-${i}`;
    if (pairs) {
      await writeImage(join(dir, `${name}-lr.png`), lrs[i]);
      await writeImage(join(dir, `${name}-hr.png`), hrs[i]);
    }
    await writeImage(join(dir, `${name}.png`), hstack([nearest(lrs[i], scale), hrs[i]]));
    files.push(`${name}.png`);
  }
  return files;
}
