/**
 * `npm run test:metrics [-- --update]`: runs the metric regression tests of the shipped models (vitest, which calls
 * `sr regress`), or with `--update` rewrites their golden values through `sr regress --update`. `SR_MODELS_DIR`
 * selects the models folder for both.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { modelsDir, shippedRegressArgs } from './shipped-models.ts';

const root = join(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const run = (cmd: string, argv: string[]) => process.exit(spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' }).status ?? 1);
if (args.includes('--update')) {
  run(process.execPath, [join(root, 'apps/trainer/bin/sr.mjs'), ...shippedRegressArgs(modelsDir(), console.log), '--update']);
} else {
  run('npx', ['vitest', 'run', 'tools/test/metrics-regression', ...args]);
}
