/**
 * Node-only wasm loading: binaries from disk and the multi-threaded build. backend.ts imports
 * this module through a variable specifier so that bundlers for workerd never see it.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import {
  activateWasmBackend,
  registerWasmBackend,
  wasmSimdSupported,
  type WasmFactory,
  type WasmInitResult,
} from './wasm.ts';

const require = createRequire(import.meta.url);

interface PThreadPool {
  unusedWorkers: { unref(): void }[];
  runningWorkers: { unref(): void }[];
}

const SIMD_WASM = 'tfjs-backend-wasm-simd.wasm';
const PLAIN_WASM = 'tfjs-backend-wasm.wasm';
const THREADED_JS = 'tfjs-backend-wasm-threaded-simd.js';
const THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';
const WORKER_JS = 'tfjs-backend-wasm-threaded-simd.worker.js';

/** The installed `@tensorflow/tfjs-backend-wasm` package's `dist/` directory. */
export function defaultWasmDir(): string {
  return nodePath.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/** Resolves a `.wasm` file, or `fileName` inside a directory, and reads it. */
async function readWasm(path: string, fileName: string): Promise<{ file: string; bytes: Uint8Array<ArrayBuffer> }> {
  const stat = await fs.stat(path).catch(() => {
    throw new Error(`wasm binary not found: ${path}`);
  });
  const file = stat.isDirectory() ? nodePath.join(path, fileName) : path;
  return { file, bytes: new Uint8Array(await fs.readFile(file)) };
}

/** Single-threaded backend from a `.wasm` file or a directory with the stock binaries. */
export async function registerWasmBackendFromPath(path: string): Promise<WasmInitResult> {
  const { file, bytes } = await readWasm(path, wasmSimdSupported() ? SIMD_WASM : PLAIN_WASM);
  // The stock non-SIMD binary is the only one without SIMD instructions.
  return registerWasmBackend({ kind: 'bytes', bytes, simd: nodePath.basename(file) !== PLAIN_WASM });
}

/** tfjs would turn this into a Blob URL, which Node workers cannot load: write it to a file instead. */
async function workerScriptFile(contents: string): Promise<string> {
  const file = nodePath.join(os.tmpdir(), `sr-tfjs-wasm-4.22.0-${process.pid}.worker.cjs`);
  const tmp = `${file}.${Date.now()}.tmp`;
  // Same escaping tfjs applies before making the Blob: the template literal that ships the script
  // turned its "\n" escapes into real newlines inside string literals.
  await fs.writeFile(tmp, contents.replace(/\n/g, '\\n'));
  await fs.rename(tmp, file);
  return file;
}

/**
 * tfjs 4.22 never starts wasm threads in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag returns
 * false for IS_NODE, its pthread worker is a Blob URL, and the C++ side caps the pool at
 * `emscripten_num_logical_cores() / 2` (1 on a 2-core machine). This loads the threaded-SIMD
 * build itself, writes the worker script to a file, and reports `2 * threads` logical cores to
 * the module so that the cap allows `threads` (at most 8: the build pre-spawns 8 workers).
 */
export async function registerThreadedWasmBackend(dir: string, threads: number): Promise<WasmInitResult> {
  if (!wasmSimdSupported()) throw new Error('wasm threads need SIMD support');
  if (!(await fs.stat(dir)).isDirectory()) throw new Error(`wasm threads need a directory path, got ${dir}`);
  const outDir = nodePath.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${THREADED_JS}`));
  const factory = require(nodePath.join(outDir, THREADED_JS)) as WasmFactory;
  const { wasmWorkerContents } = require(nodePath.join(outDir, WORKER_JS)) as { wasmWorkerContents: string };
  const workerFile = await workerScriptFile(wasmWorkerContents);
  const compiled = await WebAssembly.compile((await readWasm(dir, THREADED_WASM)).bytes);
  let pthreads: PThreadPool | undefined;
  const actual = await activateWasmBackend(factory, compiled, threads, {
    factoryConfig: {
      mainScriptUrlOrBlob: nodePath.join(outDir, THREADED_JS),
      locateFile: (path) => (path.endsWith('.worker.js') ? workerFile : nodePath.join(outDir, path)),
    },
    patchImports: (imports) => {
      (imports.env as Record<string, unknown>).emscripten_num_logical_cores = () => 2 * threads;
    },
    afterInit: (module) => {
      pthreads = (module as unknown as { PThread: PThreadPool }).PThread;
    },
  });
  // The pool threads block forever waiting for work and emscripten ref()s their workers, which
  // would keep Node from exiting; the main thread waits on them synchronously, so unref is safe.
  for (const w of [...(pthreads?.unusedWorkers ?? []), ...(pthreads?.runningWorkers ?? [])]) w.unref();
  if (actual !== Math.min(threads, 8)) throw new Error(`asked for ${threads} wasm threads, got ${actual}`);
  return { simd: true, threads: actual };
}
