import { initBackend } from '@sr/model';
import { buildManifest, parseSpec, writeManifest } from '../src/models/build-manifest.ts';

const [dir, ...specs] = process.argv.slice(2);
if (!dir || specs.length === 0) {
  console.error('usage: build-manifest <models-dir> <name>=<file>[+<gan-file>][:default] ...');
  process.exit(2);
}
// The fingerprints must come from the backend the server runs: wasm.
await initBackend({ prefer: 'wasm', log: null });
const path = await writeManifest(dir, await buildManifest(dir, specs.map(parseSpec)));
console.log(`wrote ${path}`);
