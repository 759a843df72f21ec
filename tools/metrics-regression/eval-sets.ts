import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, parse } from 'node:path';
import { cropImage } from '@sr/metrics';
import { listImages } from '../../apps/trainer/src/io/image-folder.ts';
import { readImageRgb, writeImage } from '../../apps/trainer/src/io/image-io.ts';
import { syntheticEvalSet } from './synthetic-set.ts';

/** A folder of HR images the suite scores models on (LR made from them with MATLAB bicubic). */
export interface EvalSet {
  name: string;
  hrDir: string;
}

export const SYNTHETIC_SET = 'synthetic-5x128';
export const URBAN_SET = 'urban100-val-center256';
/** Urban100 images are ~1024×768; their 256×256 centres keep the suite at seconds per model. */
export const URBAN_CROP = 256;
export const DEFAULT_URBAN_DIR = join(import.meta.dirname, '../../../shared/datasets/urban100-val');

async function writeSynthetic(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const { name, image } of syntheticEvalSet()) await writeImage(join(dir, name), image);
}

async function writeCenterCrops(src: string, dir: string, side: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await listImages(src)) {
    const img = await readImageRgb(join(src, name));
    const w = Math.min(side, img.width);
    const h = Math.min(side, img.height);
    const crop = cropImage(img, Math.floor((img.width - w) / 2), Math.floor((img.height - h) / 2), w, h);
    await writeImage(join(dir, `${parse(name).name}.png`), crop);
  }
}

/**
 * Writes the evaluation sets under `workDir` as PNG (lossless, so the folder evaluator sees exactly these pixels):
 * the synthetic set always, Urban100 validation centre crops when `urbanDir` exists (`onSkip` is told otherwise).
 */
export async function prepareEvalSets(workDir: string, urbanDir: string, onSkip: (message: string) => void): Promise<EvalSet[]> {
  const sets: EvalSet[] = [{ name: SYNTHETIC_SET, hrDir: join(workDir, SYNTHETIC_SET) }];
  await writeSynthetic(sets[0].hrDir);
  if (existsSync(urbanDir)) {
    const hrDir = join(workDir, URBAN_SET);
    await writeCenterCrops(urbanDir, hrDir, URBAN_CROP);
    sets.push({ name: URBAN_SET, hrDir });
  } else {
    onSkip(`${urbanDir} not found: ${URBAN_SET} skipped (synthetic set only)`);
  }
  return sets;
}
