import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../apps/edge-api/src/models/manifest.ts';

export const DEFAULT_MODELS_DIR = join(import.meta.dirname, '../../apps/edge-api/public/models');
export const GOLDEN_FILE = 'golden-metrics.json';

/** The models folder under test: `SR_MODELS_DIR`, else the edge API's shipped models. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SR_MODELS_DIR || DEFAULT_MODELS_DIR;
}

/** One weight file to score: a manifest entry's PSNR weights (`<name>`) or its GAN partner (`<name>/gan`). */
export interface ShippedModel {
  key: string;
  path: string;
}

/** Every weight file the manifest in `dir` names; none when the folder has no manifest.json. */
export function shippedModels(dir: string): ShippedModel[] {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return [];
  const manifest = parseManifest(JSON.parse(readFileSync(path, 'utf8')));
  return manifest.models.flatMap((m) => [
    { key: m.name, path: join(dir, m.file) },
    ...(m.gan ? [{ key: `${m.name}/gan`, path: join(dir, m.gan.file) }] : []),
  ]);
}
