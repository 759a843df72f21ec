/**
 * `npm run test:metrics [-- --update]`: runs the metric regression tests (vitest), or with `--update` rewrites the
 * golden values instead. `SR_MODELS_DIR` selects the models folder for both.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { updateGolden } from './update.ts';
import { modelsDir } from './shipped-models.ts';

const args = process.argv.slice(2);
if (args.includes('--update')) {
  await updateGolden(modelsDir()).catch((err: Error) => {
    console.error(err.message);
    process.exit(2);
  });
} else {
  const root = join(import.meta.dirname, '../..');
  const r = spawnSync('npx', ['vitest', 'run', 'tools/test/metrics-regression', ...args], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
