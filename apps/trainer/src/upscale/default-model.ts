import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.ts';

export interface DefaultModel {
  name: string;
  path: string;
  /** The GAN partner for `--alpha` interpolation, when the manifest has one. */
  ganPath?: string;
}

/**
 * The shipped models folder: `SR_MODELS_DIR`, else apps/edge-api/public/models found from this module (under tsx it is
 * src/upscale/, in the esbuild bundle dist/).
 */
function modelDirs(): string[] {
  if (process.env.SR_MODELS_DIR) return [process.env.SR_MODELS_DIR];
  return ['../../../edge-api/public/models/', '../../edge-api/public/models/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
}

interface ManifestEntry {
  name: string;
  file: string;
  default?: boolean;
  gan?: { file: string };
}

/** The manifest's default entry (`"default": true`, else the first) with absolute file paths. */
export async function defaultModel(): Promise<DefaultModel> {
  for (const dir of modelDirs()) {
    let text: string;
    try {
      text = await readFile(join(dir, 'manifest.json'), 'utf8');
    } catch {
      continue;
    }
    const models = (JSON.parse(text) as { models?: ManifestEntry[] }).models ?? [];
    const entry = models.find((m) => m.default) ?? models[0];
    if (!entry) break;
    return { name: entry.name, path: join(dir, entry.file), ganPath: entry.gan && join(dir, entry.gan.file) };
  }
  throw new CliError(`no shipped model found (looked for manifest.json in ${modelDirs().join(', ')}): pass --model`);
}
