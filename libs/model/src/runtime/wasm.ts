import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';

/**
 * Where the single-threaded wasm binary comes from:
 * - a compiled `WebAssembly.Module` (workerd cannot compile wasm from bytes at run time),
 * - the binary's bytes,
 * - a Node file path, or a directory holding the stock `tfjs-backend-wasm*.wasm` files.
 */
export type WasmSource =
  | { kind: 'module'; module: WebAssembly.Module }
  | { kind: 'bytes'; bytes: Uint8Array<ArrayBuffer> }
  | { kind: 'path'; path: string };

export interface WasmInitResult {
  simd: boolean;
  threads: number;
}

export type ReceiveInstance = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

/** The emscripten module the tfjs wasm backend expects, before its `tfjs` bridge is attached. */
export interface EmscriptenWasmModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
  tfjs?: Record<string, unknown>;
}

export interface FactoryConfig {
  instantiateWasm(imports: WebAssembly.Imports, receive: ReceiveInstance): object;
  locateFile?(path: string, prefix: string): string;
  mainScriptUrlOrBlob?: string;
}

export type WasmFactory = (config: FactoryConfig) => Promise<EmscriptenWasmModule>;

const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);

export function wasmSimdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Reads a Node file path: a `.wasm` file, or `fileName` inside a directory. */
export async function readWasmFile(path: string, fileName: string): Promise<Uint8Array<ArrayBuffer>> {
  const fs = await import('node:fs/promises');
  const nodePath = await import('node:path');
  const stat = await fs.stat(path).catch(() => {
    throw new Error(`wasm binary not found: ${path}`);
  });
  const file = stat.isDirectory() ? nodePath.join(path, fileName) : path;
  return new Uint8Array(await fs.readFile(file));
}

/** The installed `@tensorflow/tfjs-backend-wasm` package's `dist/` directory (Node only). */
export async function defaultWasmDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const nodePath = await import('node:path');
  const require = createRequire(import.meta.url);
  return nodePath.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

async function compile(source: WasmSource, simd: boolean): Promise<WebAssembly.Module> {
  if (source.kind === 'module') return source.module;
  const name = simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  const bytes = source.kind === 'bytes' ? source.bytes : await readWasmFile(source.path, name);
  return WebAssembly.compile(bytes);
}

/** Adds the cwrapped entry points `BackendWasm` calls (the same set the stock `init()` adds). */
function attachBridge(module: EmscriptenWasmModule): void {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
}

/**
 * Replaces the `wasm` backend factory with one built from `factory` + a compiled module, and
 * activates it. The stock factory can only fetch a URL/path (impossible in workerd); the
 * emscripten `instantiateWasm` hook accepts a compiled module instead. Kernels are registered
 * per backend name, so they keep working under the new factory.
 * `patchImports` may adjust the wasm imports before instantiation (thread count, see wasm-threads).
 */
export async function activateWasmBackend(
  factory: WasmFactory,
  compiled: WebAssembly.Module,
  threads: number,
  extra: Omit<FactoryConfig, 'instantiateWasm'> = {},
  patchImports: (imports: WebAssembly.Imports) => void = () => {},
): Promise<number> {
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  let actualThreads = 1;
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await factory({
        ...extra,
        instantiateWasm(imports, receive) {
          patchImports(imports);
          WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled));
          return {};
        },
      });
      attachBridge(module);
      setThreadsCount(threads);
      const backend = new BackendWasm(module as never);
      actualThreads = (module.tfjs!.getThreadsCount as () => number)();
      return backend;
    },
    2,
  );
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialize');
  return actualThreads;
}

/** Single-threaded wasm backend (SIMD binary when the engine supports SIMD). */
export async function registerWasmBackend(source: WasmSource): Promise<WasmInitResult> {
  const simd = wasmSimdSupported();
  const compiled = await compile(source, simd);
  const threads = await activateWasmBackend(wasmFactory as unknown as WasmFactory, compiled, 1);
  return { simd, threads };
}
