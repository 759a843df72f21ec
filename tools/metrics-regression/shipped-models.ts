import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_MODELS_DIR = join(import.meta.dirname, '../../apps/edge-api/public/models');
export const GOLDEN_FILE = 'golden-metrics.json';
export const URBAN_SET = 'urban100-val-center256';
/** Urban100 images are ~1024×768; their 256×256 centres keep the suite at seconds per model. */
export const URBAN_CROP = 256;
export const DEFAULT_URBAN_DIR = join(import.meta.dirname, '../../../shared/datasets/urban100-val');

/** The models folder under test: `SR_MODELS_DIR`, else the edge API's shipped models. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SR_MODELS_DIR || DEFAULT_MODELS_DIR;
}

export const hasShippedModels = (dir: string): boolean => existsSync(join(dir, 'manifest.json'));

/**
 * The `sr regress` arguments that guard a models folder: its manifest's models against its golden-metrics.json, on the
 * synthetic set and, where ../shared has it, on the Urban100 validation centre crops (`onSkip` is told otherwise).
 */
export function shippedRegressArgs(dir: string, onSkip: (message: string) => void, urbanDir = DEFAULT_URBAN_DIR): string[] {
  const args = ['regress', '--models', dir, '--golden', join(dir, GOLDEN_FILE)];
  if (existsSync(urbanDir)) return [...args, '--set', `${URBAN_SET}=${urbanDir}`, '--crop-center', String(URBAN_CROP)];
  onSkip(`${urbanDir} not found: ${URBAN_SET} skipped (synthetic set only)`);
  return args;
}
