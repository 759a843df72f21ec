import * as tf from '@tensorflow/tfjs';
import { registerOpGradients } from '../ops/gradients.ts';
import { registerWasmBackend } from './wasm.ts';

// A variable specifier: bundlers for workerd must not pull in the Node-only loader.
// The built package (dist/*.js) has no .ts files.
const NODE_WASM = String(import.meta.url).endsWith('.ts') ? './wasm-node.ts' : './wasm-node.js';
const loadNodeWasm = () => import(/* @vite-ignore */ NODE_WASM) as Promise<typeof import('./wasm-node.ts')>;

export type BackendPreference = 'auto' | 'wasm' | 'cpu';

export interface InitBackendOptions {
  /** 'auto': tfjs-node-gpu → tfjs-node → wasm. 'wasm'/'cpu' force that backend. Default 'auto'. */
  prefer?: BackendPreference;
  /** A compiled wasm module (workerd: the statically imported `.wasm`). Implies the wasm backend. */
  wasmModule?: WebAssembly.Module;
  /** Node: a `.wasm` file or a directory with the stock binaries. Default: the package's dist dir. */
  wasmPath?: string;
  /**
   * wasm threads (Node only, needs a directory `wasmPath` or the default). Default: env
   * `SR_WASM_THREADS`, else 1. Any failure to start threads falls back to one thread (logged).
   */
  threads?: number;
  /** Receives one line describing each backend the first time it is initialized. Default: console.error; null silences. */
  log?: ((line: string) => void) | null;
}

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' (tfjs-node[-gpu]), 'wasm' or 'cpu'. */
  backend: 'tensorflow' | 'wasm' | 'cpu';
  simd: boolean;
  /** wasm threads; 0 for the native backend (its own thread pool). */
  threads: number;
}

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string' && !('WebSocketPair' in globalThis);

function threadsFromEnv(): number {
  const raw = isNode() ? process.env.SR_WASM_THREADS : undefined;
  if (raw == null || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`SR_WASM_THREADS must be a positive integer, got '${raw}'`);
  return n;
}

async function loadNative(): Promise<BackendInfo | null> {
  if (!isNode()) return null;
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      // A variable specifier keeps bundlers and tsc from resolving these optional packages.
      await import(/* @vite-ignore */ pkg);
      if (await tf.setBackend('tensorflow')) return { backend: 'tensorflow', simd: false, threads: 0 };
    } catch {
      // not installed or no usable native library: try the next one
    }
  }
  return null;
}

async function loadWasm(opts: InitBackendOptions, log: (line: string) => void): Promise<BackendInfo> {
  const threads = opts.threads ?? threadsFromEnv();
  if (opts.wasmModule) {
    if (threads > 1) log('wasm threads need Node and a wasm directory; using 1 thread');
    return { backend: 'wasm', ...(await registerWasmBackend({ kind: 'module', module: opts.wasmModule })) };
  }
  if (!isNode()) throw new Error('initBackend: outside Node the wasm backend needs `wasmModule`');
  const node = await loadNodeWasm();
  const path = opts.wasmPath ?? node.defaultWasmDir();
  if (threads > 1) {
    try {
      return { backend: 'wasm', ...(await node.registerThreadedWasmBackend(path, threads)) };
    } catch (err) {
      log(`wasm threads unavailable (${(err as Error).message}); using 1 thread`);
    }
  }
  return { backend: 'wasm', ...(await node.registerWasmBackendFromPath(path)) };
}

const loaded = new Map<string, Promise<BackendInfo | null>>();

function once(kind: string, load: () => Promise<BackendInfo | null>, log: (line: string) => void) {
  let p = loaded.get(kind);
  if (!p) {
    p = load().then((info) => {
      if (info) {
        const extra = info.backend === 'wasm' ? ` (simd ${info.simd}, threads ${info.threads})` : '';
        log(`tfjs backend: ${info.backend}${extra}`);
      }
      return info;
    });
    p.catch(() => loaded.delete(kind));
    loaded.set(kind, p);
  }
  return p;
}

/**
 * Selects and initializes the tfjs backend, and registers the fast gradients (ops/gradients).
 * Each backend is initialized once per process; repeated and concurrent calls share that work,
 * so this is cheap to call from every entry point. A later call may switch between already
 * usable backends (e.g. tests comparing wasm and cpu); the first wasm source/threads win.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const log = opts.log === null ? () => {} : (opts.log ?? ((line: string) => console.error(line)));
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) {
    throw new Error(`initBackend: threads must be a positive integer, got ${opts.threads}`);
  }
  registerOpGradients();
  const prefer = opts.prefer ?? 'auto';
  let info: BackendInfo | null = null;
  if (prefer === 'cpu') {
    info = await once('cpu', async () => ({ backend: 'cpu', simd: false, threads: 1 }), log);
  } else if (prefer === 'auto' && !opts.wasmModule) {
    info = await once('native', loadNative, log);
  }
  info ??= await once('wasm', () => loadWasm(opts, log), log);
  if (!info) throw new Error('no tfjs backend could be initialized');
  if (tf.getBackend() !== info.backend && !(await tf.setBackend(info.backend))) {
    throw new Error(`tfjs backend '${info.backend}' failed to initialize`);
  }
  return info;
}
