/**
 * `npm run bundle:gpu-check`: writes dist/gpu-check/ (git-ignored, at most 48 MiB), everything `npm run bench:gpu`
 * needs on a bare x86-64 Linux box with a GPU driver but no Node and no network: `payload.tar.xz` (this machine's
 * Node binary, the check bundled into one ESM file, Dawn's linux-x64 `dawn.node`, the tfjs wasm binaries, the
 * shipped edge model and the example configs, a Vulkan loader from Debian's libvulkan1) and `run.sh`, which unpacks
 * into /tmp, uses the bundled loader only when `ldconfig -p` lists no libvulkan, and runs the check.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'dist/gpu-check');
const LIMIT_BYTES = 48 * 1024 * 1024;
const require = createRequire(import.meta.url);
const pkgDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/**
 * backend.ts and webgpu-node.ts import their Node-only parts through variable specifiers (so that the workerd bundle
 * never contains them); this bundle is for Node, so those imports become static and are bundled, all but Dawn's addon
 * package (`webgpu`), which loads its `.node` file by path and ships beside the bundle.
 */
const STATIC_IMPORTS: Record<string, [string, string][]> = {
  'backend.ts': [
    ['import(/* @vite-ignore */ NODE_WASM)', "import('./wasm-node.ts')"],
    ['import(/* @vite-ignore */ NODE_WEBGPU)', "import('./webgpu-node.ts')"],
  ],
  'webgpu-node.ts': [['import(/* @vite-ignore */ TFJS_WEBGPU_PKG)', "import('@tensorflow/tfjs-backend-webgpu')"]],
};

const staticImports: Plugin = {
  name: 'static-node-imports',
  setup(b) {
    b.onLoad({ filter: /[\\/]libs[\\/]model[\\/]src[\\/]runtime[\\/](backend|webgpu-node)\.ts$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      for (const [from, to] of STATIC_IMPORTS[args.path.split(/[\\/]/).at(-1)!]) {
        if (!source.includes(from)) throw new Error(`${args.path} no longer contains \`${from}\`: update tools/gpu-check/bundle.ts`);
        source = source.replace(from, to);
      }
      return { contents: source, loader: 'ts' };
    });
  },
};

/** Copies files and folders; symbolic links are copied as the files they point to. */
function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, dereference: true });
}

/** libvulkan.so.1 from Debian's libvulkan1 package (apt-get download: no install, no root needed). */
function vulkanLoader(stage: string): void {
  const tmp = mkdtempSync(join(tmpdir(), 'sr-libvulkan-'));
  chmodSync(tmp, 0o777); // apt's unprivileged downloader writes here
  try {
    execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download libvulkan1 left no .deb');
    execFileSync('dpkg-deb', ['-x', join(tmp, deb), join(tmp, 'x')]);
    const lib = join(tmp, 'x/usr/lib/x86_64-linux-gnu');
    copy(join(lib, 'libvulkan.so.1'), join(stage, 'vulkan/libvulkan.so.1'));
    writeFileSync(join(stage, 'vulkan/SOURCE'), `${deb}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const RUN_SH = `#!/bin/sh
# The sr-toolkit GPU check: unpacks into /tmp and prints one JSON document (see README "Training on a GPU").
# Needs only sh, tar and xz. Env: BENCH_GPU_SECONDS (per measurement), SR_WEBGPU_FLAGS (Dawn toggles).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/sr-gpu-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -xJf "$here/payload.tar.xz" -C "$work"
if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libvulkan\\.so\\.1'; then
  echo "gpu-check: no Vulkan loader installed; using the bundled one ($(cat "$work/vulkan/SOURCE"))" >&2
  LD_LIBRARY_PATH="$work/vulkan\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi
SR_GPU_CHECK_ROOT="$work" "$work/node" "$work/gpu-check.mjs"
`;

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('bundle:gpu-check builds the linux-x64 bundle on linux-x64');
  const stage = mkdtempSync(join(tmpdir(), 'sr-gpu-check-'));
  try {
    await build({
      entryPoints: [join(ROOT, 'tools/bench/gpu.ts')],
      outfile: join(stage, 'gpu-check.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      external: ['webgpu', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      // tfjs's CommonJS modules call require(); an ESM bundle has none of its own.
      banner: { js: "import { createRequire as __srCreateRequire } from 'node:module'; const require = __srCreateRequire(import.meta.url);" },
      plugins: [staticImports],
      logLevel: 'warning',
    });
    copy(process.execPath, join(stage, 'node'));
    const dawn = pkgDir('webgpu');
    for (const f of ['package.json', 'index.js', 'dist/linux-x64/dawn.node']) copy(join(dawn, f), join(stage, 'node_modules/webgpu', f));
    const wasm = pkgDir('@tensorflow/tfjs-backend-wasm');
    const wasmFiles = ['package.json', 'dist/tf-backend-wasm.node.js', ...['dist', 'wasm-out'].flatMap((d) => readdirSync(join(wasm, d)).filter((f) => /\.(wasm|js)$/.test(f) && (d === 'wasm-out' || f.endsWith('.wasm'))).map((f) => `${d}/${f}`))];
    for (const f of wasmFiles) copy(join(wasm, f), join(stage, 'node_modules/@tensorflow/tfjs-backend-wasm', f));
    copy(join(ROOT, 'apps/edge-api/public/models/edge-x4-psnr.safetensors'), join(stage, 'apps/edge-api/public/models/edge-x4-psnr.safetensors'));
    for (const f of ['edge-compact-x4.json', 'esrgan-x4.json']) copy(join(ROOT, 'apps/trainer/src/config/examples', f), join(stage, 'apps/trainer/src/config/examples', f));
    vulkanLoader(stage);

    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    process.stderr.write('bundle:gpu-check: compressing (xz) ...\n');
    execFileSync('tar', ['-cf', join(OUT, 'payload.tar.xz'), '-I', 'xz -6 -T2', '-C', stage, '.']);
    writeFileSync(join(OUT, 'run.sh'), RUN_SH);
    chmodSync(join(OUT, 'run.sh'), 0o755);
    const total = readdirSync(OUT).reduce((s, f) => s + statSync(join(OUT, f)).size, 0);
    const mib = (total / 1024 / 1024).toFixed(1);
    if (total > LIMIT_BYTES) throw new Error(`the bundle is ${mib} MiB, over the 48 MiB budget`);
    process.stdout.write(`${JSON.stringify({ dir: OUT, files: readdirSync(OUT), mib: Number(mib) })}\n`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

await main();
