/** The evaluation images: mod-cropped HR, and its LR from the LR folder when that file exists, else MATLAB bicubic. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeSrPair, type ImageU8 } from '@sr/metrics';
import { listImages, lrPathFor } from '../../apps/trainer/src/io/image-folder.ts';
import { readImageRgb } from '../../apps/trainer/src/io/image-io.ts';

export interface EvalImage {
  name: string;
  hr: ImageU8;
  lr: ImageU8;
  lrSource: 'file' | 'bicubic';
}

export interface EvalImageOptions {
  hrDir: string;
  /** `<stem>x<scale>.png` LR images; an image without one gets a bicubic LR. */
  lrDir?: string;
  scale: number;
  /** The first `limit` images by name. */
  limit?: number;
}

export async function loadEvalImages(opts: EvalImageOptions): Promise<EvalImage[]> {
  const names = (await listImages(opts.hrDir)).slice(0, opts.limit);
  const images: EvalImage[] = [];
  for (const name of names) {
    const lrPath = opts.lrDir ? lrPathFor(opts.lrDir, name, opts.scale) : undefined;
    const givenLr = lrPath && existsSync(lrPath) ? await readImageRgb(lrPath) : undefined;
    const hrRaw = await readImageRgb(join(opts.hrDir, name));
    let pair;
    try {
      pair = makeSrPair(hrRaw, opts.scale, givenLr);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
    const { hr, lr } = pair;
    images.push({ name, hr, lr, lrSource: givenLr ? 'file' : 'bicubic' });
  }
  return images;
}
