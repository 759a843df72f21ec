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

// libs/model/src/runtime/backend.ts imports its Node-only wasm and webgpu loaders through variable
// specifiers so that the workerd bundle never contains them. This bundle is for Node, so those imports
// are made static here and the loaders are bundled; otherwise they would resolve next to dist/sr.mjs.
// (The optional packages those loaders import stay external, resolved from node_modules.)
const NODE_IMPORTS = [
  ['import(/* @vite-ignore */ NODE_WASM)', "import('./wasm-node.ts')"],
  ['import(/* @vite-ignore */ NODE_WEBGPU)', "import('./webgpu-node.ts')"],
];
const bundleNodeLoaders = {
  name: 'bundle-node-loaders',
  setup(b) {
    b.onLoad({ filter: /[\\/]libs[\\/]model[\\/]src[\\/]runtime[\\/]backend\.ts$/ }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      for (const [from, to] of NODE_IMPORTS) {
        if (!source.includes(from)) throw new Error(`${args.path} no longer contains \`${from}\`: update apps/trainer/build.mjs`);
        source = source.replace(from, to);
      }
      return { contents: source, loader: 'ts' };
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
  plugins: [externalPackages, bundleNodeLoaders],
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
