import { activateWasmBackend, readWasmFile, wasmSimdSupported, type WasmFactory, type WasmInitResult } from './wasm.ts';

const THREADED_JS = 'tfjs-backend-wasm-threaded-simd.js';
const THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';
const WORKER_JS = 'tfjs-backend-wasm-threaded-simd.worker.js';

/**
 * tfjs 4.22 never starts wasm threads in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag returns
 * false for IS_NODE, its pthread worker is a Blob URL (Node workers cannot load those), and the
 * C++ side caps the pool at `emscripten_num_logical_cores() / 2` (1 on a 2-core machine).
 * This path fixes all three: it loads the threaded-SIMD build itself, writes the worker script
 * to a file, and reports `2 * threads` logical cores to the module so the cap allows `threads`.
 */
async function workerScriptFile(contents: string): Promise<string> {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const nodePath = await import('node:path');
  const file = nodePath.join(os.tmpdir(), `sr-tfjs-wasm-4.22.0-${process.pid}.worker.cjs`);
  const tmp = `${file}.${Date.now()}.tmp`;
  // tfjs does the same escaping before turning the string into a Blob: the template literal
  // turned the script's "\n" escapes into real newlines inside string literals.
  await fs.writeFile(tmp, contents.replace(/\n/g, '\\n'));
  await fs.rename(tmp, file);
  return file;
}

export async function registerThreadedWasmBackend(dir: string, threads: number): Promise<WasmInitResult> {
  if (!wasmSimdSupported()) throw new Error('wasm threads need SIMD support');
  const { createRequire } = await import('node:module');
  const nodePath = await import('node:path');
  const fs = await import('node:fs/promises');
  if (!(await fs.stat(dir)).isDirectory()) throw new Error(`wasm threads need a directory path, got ${dir}`);
  const require = createRequire(import.meta.url);
  const outDir = nodePath.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${THREADED_JS}`));
  const factory = require(nodePath.join(outDir, THREADED_JS)) as WasmFactory;
  const { wasmWorkerContents } = require(nodePath.join(outDir, WORKER_JS)) as { wasmWorkerContents: string };
  const workerFile = await workerScriptFile(wasmWorkerContents);
  const compiled = await WebAssembly.compile(await readWasmFile(dir, THREADED_WASM));
  const actual = await activateWasmBackend(
    factory,
    compiled,
    threads,
    {
      mainScriptUrlOrBlob: nodePath.join(outDir, THREADED_JS),
      locateFile: (path) => (path.endsWith('.worker.js') ? workerFile : nodePath.join(outDir, path)),
    },
    (imports) => {
      (imports.env as Record<string, unknown>).emscripten_num_logical_cores = () => 2 * threads;
    },
  );
  if (actual < threads) throw new Error(`asked for ${threads} wasm threads, got ${actual}`);
  return { simd: true, threads: actual };
}
