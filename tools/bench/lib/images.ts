import { existsSync } from 'node:fs';
import sharp from 'sharp';
import type { ImageU8 } from '@sr/metrics';

/** The shared validation set (beside the checkout), used for natural test content when present. */
export const URBAN100_VAL = new URL('../../../../shared/datasets/urban100-val/', import.meta.url).pathname;

/** A `size`x`size` crop of a natural photograph, or null without the dataset. */
export async function naturalCrop(size: number, file = 'img_091.png'): Promise<ImageU8 | null> {
  const path = URBAN100_VAL + file;
  if (!existsSync(path)) return null;
  const { data, info } = await sharp(path)
    .extract({ left: 160, top: 120, width: size, height: size })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

/** Smooth gradients plus hard-edged stripes: deterministic content when no photograph is available. */
export function patternImage(width: number, height: number): ImageU8 {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = (x * 255) / Math.max(1, width - 1);
      data[o + 1] = (y * 255) / Math.max(1, height - 1);
      data[o + 2] = Math.floor((x + y) / 5) % 2 === 0 ? 220 : 30;
    }
  }
  return { width, height, channels: 3, data };
}
