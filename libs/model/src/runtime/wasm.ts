import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';

/**
 * Where the single-threaded wasm binary comes from: a compiled `WebAssembly.Module` (workerd
 * cannot compile wasm from bytes at run time) or the binary's bytes (Node reads them from disk in
 * wasm-node.ts). This file imports nothing Node-specific so that the edge bundle stays clean.
 */
export type WasmSource =
  | { kind: 'module'; module: WebAssembly.Module }
  | { kind: 'bytes'; bytes: Uint8Array<ArrayBuffer>; simd: boolean };

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

async function compile(source: WasmSource, simd: boolean): Promise<WebAssembly.Module> {
  if (source.kind === 'module') return source.module;
  if (!simd && source.simd) throw new Error('this engine has no wasm SIMD support; pass the non-SIMD binary');
  return WebAssembly.compile(source.bytes);
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

export interface ActivateOptions {
  /** Extra emscripten factory settings (worker script location for the threaded build). */
  factoryConfig?: Omit<FactoryConfig, 'instantiateWasm'>;
  /** Adjusts the wasm imports before instantiation (see wasm-node.ts: the logical core count). */
  patchImports?: (imports: WebAssembly.Imports) => void;
  /** Runs once the module is up, before the backend is created. */
  afterInit?: (module: EmscriptenWasmModule) => void;
}

/**
 * Replaces the `wasm` backend factory with one built from `factory` + a compiled module, and
 * activates it; returns the thread count the backend reports. The stock factory can only fetch a
 * URL/path (impossible in workerd); the emscripten `instantiateWasm` hook accepts a compiled
 * module instead. Kernels are registered per backend name, so they keep working.
 */
export async function activateWasmBackend(
  factory: WasmFactory,
  compiled: WebAssembly.Module,
  threads: number,
  opts: ActivateOptions = {},
): Promise<number> {
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  let actualThreads = 1;
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await factory({
        ...opts.factoryConfig,
        instantiateWasm(imports, receive) {
          opts.patchImports?.(imports);
          WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled));
          return {};
        },
      });
      attachBridge(module);
      opts.afterInit?.(module);
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

/** Single-threaded wasm backend; `simd` reports the engine's SIMD support (a given Module is assumed to match it). */
export async function registerWasmBackend(source: WasmSource): Promise<WasmInitResult> {
  const engineSimd = wasmSimdSupported();
  const compiled = await compile(source, engineSimd);
  const threads = await activateWasmBackend(wasmFactory as unknown as WasmFactory, compiled, 1);
  return { simd: source.kind === 'bytes' ? source.simd : engineSimd, threads };
}
