/**
 * Rewrites `golden-metrics.json` in the models folder (`SR_MODELS_DIR`, default the edge API's) from a fresh
 * measurement of every model in its manifest, and prints each changed value as `old → new`.
 * Usage: `npm run test:metrics -- --update` (or `npx tsx tools/metrics-regression/update.ts`).
 */
import { join } from 'node:path';
import { diffGolden, readGolden, writeGolden } from './golden.ts';
import { measureModels } from './measure.ts';
import { GOLDEN_FILE, modelsDir, shippedModels } from './shipped-models.ts';

export async function updateGolden(dir: string, log: (line: string) => void = console.log): Promise<string[]> {
  const models = shippedModels(dir);
  if (models.length === 0) throw new Error(`no shipped models: ${join(dir, 'manifest.json')} is missing; nothing to measure`);
  const path = join(dir, GOLDEN_FILE);
  const old = readGolden(path);
  const next = await measureModels(models, { log });
  const diff = diffGolden(old, next);
  await writeGolden(path, next);
  log(`wrote ${path} (${models.length} model files)`);
  log(diff.length ? diff.join('\n') : 'no value changed');
  return diff;
}

if (import.meta.filename === process.argv[1]) {
  updateGolden(modelsDir()).catch((err: Error) => {
    console.error(err.message);
    process.exit(2);
  });
}
