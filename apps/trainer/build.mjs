#!/usr/bin/env node
/**
 * Bundles the `sr` CLI into one Node ESM file, dist/sr.mjs: the `@sr/*` workspace TypeScript sources
 * are compiled in, every real npm package (tfjs, sharp, yargs, zod, vega, ...) stays an external
 * import resolved from node_modules at run time, so native addons and the tfjs wasm binaries load
 * from their installed packages exactly as under tsx.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = dirname(fileURLToPath(import.meta.url));
// `node build.mjs [outfile]`: the output must stay inside the repo so that node_modules resolve from it.
const OUT_FILE = resolve(process.argv[2] ?? join(APP_DIR, 'dist', 'sr.mjs'));

const isBarePackage = (path) => !path.startsWith('.') && !path.startsWith('/') && !path.startsWith('@sr/');

/** Bare package specifiers are external, except the workspace's own `@sr/*` (TypeScript sources). */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (args.kind !== 'entry-point' && isBarePackage(args.path) ? { path: args.path, external: true } : undefined));
  },
};

// libs/model/src/runtime/backend.ts imports its Node-only wasm loader through a variable specifier
// so that the workerd bundle never contains it. This bundle is for Node, so that import is made
// static here and the loader is bundled; otherwise it would resolve `./wasm-node.ts` next to dist/sr.mjs.
const NODE_WASM_IMPORT = 'import(/* @vite-ignore */ NODE_WASM)';
const bundleNodeWasmLoader = {
  name: 'bundle-node-wasm-loader',
  setup(b) {
    b.onLoad({ filter: /[\\/]libs[\\/]model[\\/]src[\\/]runtime[\\/]backend\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(NODE_WASM_IMPORT)) {
        throw new Error(`${args.path} no longer contains \`${NODE_WASM_IMPORT}\`: update apps/trainer/build.mjs`);
      }
      return { contents: source.replace(NODE_WASM_IMPORT, "import('./wasm-node.ts')"), loader: 'ts' };
    });
  },
};

const result = await build({
  entryPoints: [join(APP_DIR, 'src', 'main.ts')],
  outfile: OUT_FILE,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: join(APP_DIR, 'tsconfig.json'),
  // The workspace packages' TypeScript sources (their exports point at dist/ otherwise).
  conditions: ['@sr/source'],
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: true,
  plugins: [externalPackages, bundleNodeWasmLoader],
  logLevel: 'warning',
  metafile: true,
});

const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'))[1];
// Fail the build, not the first run, when an external package is not installed where dist/ can see it.
const externals = [...new Set(output.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path))];
const missing = externals.filter((spec) => {
  try {
    import.meta.resolve(spec);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) throw new Error(`${relative(APP_DIR, OUT_FILE)} imports packages that do not resolve from apps/trainer: ${missing.join(', ')}`);
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`${relative(APP_DIR, OUT_FILE)}: ${inputs} source files, ${(output.bytes / 1024).toFixed(0)} KiB, ${externals.length} external imports`);
