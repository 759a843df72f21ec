/**
 * Which of our models to benchmark: the files named on the command line, else every model of the edge API's
 * `manifest.json` (default first, its PSNR-oriented file), else none.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseManifest } from '../../apps/edge-api/src/models/manifest.ts';

export interface OurModel {
  name: string;
  path: string;
  /** Where it was found. */
  from: 'argument' | 'manifest';
}

export async function findOurModels(modelArgs: readonly string[], modelsDir: string): Promise<OurModel[]> {
  if (modelArgs.length > 0) {
    const models = modelArgs.map((path) => ({ name: basename(path, extname(path)), path, from: 'argument' as const }));
    for (const m of models) if (!existsSync(m.path)) throw new Error(`--model ${m.path}: no such file`);
    return models;
  }
  const manifestPath = join(modelsDir, 'manifest.json');
  if (!existsSync(manifestPath)) return [];
  let json: unknown;
  try {
    json = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${manifestPath}: ${(err as Error).message}`);
  }
  const manifest = parseManifest(json);
  const ordered = [...manifest.models].sort((a, b) => Number(b.default) - Number(a.default));
  return ordered.map((entry) => {
    const path = join(modelsDir, entry.file);
    if (!existsSync(path)) throw new Error(`${manifestPath}: model '${entry.name}' names ${entry.file}, which does not exist`);
    return { name: entry.name, path, from: 'manifest' as const };
  });
}
