import * as tf from '@tensorflow/tfjs';
import { registerOpGradients } from '../ops/gradients.ts';
import { BACKEND_CHOICES, softwareAdapterReason, type BackendPreference } from './choices.ts';
import { registerWasmBackend } from './wasm.ts';

// A variable specifier: bundlers for workerd must not pull in the Node-only loader.
// The built package (dist/*.js) has no .ts files.
const NODE_WASM = String(import.meta.url).endsWith('.ts') ? './wasm-node.ts' : './wasm-node.js';
const loadNodeWasm = () => import(/* @vite-ignore */ NODE_WASM) as Promise<typeof import('./wasm-node.ts')>;
const NODE_WEBGPU = './webgpu-node.ts';
const loadNodeWebgpu = () => import(/* @vite-ignore */ NODE_WEBGPU) as Promise<typeof import('./webgpu-node.ts')>;

export { BACKEND_CHOICES, type BackendPreference } from './choices.ts';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation of WebGPU (SwiftShader, lavapipe): correct but slower than wasm. */
  software: boolean;
}

export interface InitBackendOptions {
  /**
   * 'auto': tfjs-node-gpu / tfjs-node when installed and working → webgpu on a hardware adapter →
   * wasm. Any other value forces that backend (an explicit 'webgpu' accepts a software adapter).
   * Default 'auto'.
   */
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
  /** Receives the one-line notice that an explicit 'webgpu' runs on a software adapter. Default: console.error; null silences. */
  warn?: ((line: string) => void) | null;
}

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' (tfjs-node[-gpu]), 'webgpu' (Dawn), 'wasm' or 'cpu'. */
  backend: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  simd: boolean;
  /** wasm threads; 0 for the native and webgpu backends. */
  threads: number;
  /** The WebGPU adapter (webgpu only). */
  adapter?: AdapterInfo;
}

/** One line for people: the backend, and for webgpu the adapter and whether it is software. */
export function describeBackend(info: BackendInfo): string {
  if (info.backend === 'wasm') return `wasm (simd ${info.simd}, threads ${info.threads})`;
  if (info.backend !== 'webgpu' || !info.adapter) return info.backend;
  const a = info.adapter;
  const kind = a.software ? 'software adapter: correct but slower than wasm on this CPU' : 'hardware adapter';
  return `webgpu (${a.vendor} ${a.architecture}${a.description ? `, ${a.description}` : ''}; ${kind})`;
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

/** Dawn's adapter as a backend, or the one-line reason it is not used (`allowSoftware` false: software is refused). */
async function loadWebgpu(allowSoftware: boolean): Promise<BackendInfo | { none: string }> {
  if (!isNode()) return { none: 'webgpu needs Node (the Dawn addon)' };
  try {
    const r = await (await loadNodeWebgpu()).registerWebgpuBackend(allowSoftware);
    return 'none' in r ? r : { backend: 'webgpu', simd: false, threads: 0, adapter: r };
  } catch (err) {
    return { none: (err as Error).message.split('\n')[0] };
  }
}

const unavailable = (what: string, why: string) => new Error(`backend ${what} is unavailable: ${why}`);

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
        log(`tfjs backend: ${describeBackend(info)}`);
      }
      return info;
    });
    p.catch(() => loaded.delete(kind));
    loaded.set(kind, p);
  }
  return p;
}

/**
 * Dawn is probed once per process. The backend itself registers once; a software adapter that
 * `auto` refused is still taken by a later explicit 'webgpu' request.
 */
let webgpuProbe: Promise<BackendInfo | { none: string }> | undefined;
async function onceWebgpu(allowSoftware: boolean, log: (line: string) => void): Promise<BackendInfo | { none: string }> {
  const done = loaded.get('webgpu');
  if (done) {
    const info = (await done)!;
    if (!allowSoftware && info.adapter?.software) return { none: softwareAdapterReason(info.adapter) };
    return info;
  }
  webgpuProbe ??= loadWebgpu(allowSoftware).finally(() => (webgpuProbe = undefined));
  const r = await webgpuProbe;
  if ('none' in r) return r;
  return (await once('webgpu', async () => r, log))!;
}

/**
 * Selects and initializes the tfjs backend, and registers the fast gradients (ops/gradients).
 * Each backend is initialized once per process; repeated and concurrent calls share that work,
 * so this is cheap to call from every entry point. A later call may switch between already
 * usable backends (e.g. tests comparing wasm and cpu); the first wasm source/threads win.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const toStderr = (line: string) => console.error(line);
  const log = opts.log === null ? () => {} : (opts.log ?? toStderr);
  const warn = opts.warn === null ? () => {} : (opts.warn ?? (opts.log ? log : toStderr));
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) {
    throw new Error(`initBackend: threads must be a positive integer, got ${opts.threads}`);
  }
  registerOpGradients();
  const prefer = opts.prefer ?? 'auto';
  if (!BACKEND_CHOICES.includes(prefer)) throw new Error(`unknown backend '${prefer}' (expected one of ${BACKEND_CHOICES.join(', ')})`);
  let info: BackendInfo | null = null;
  if (prefer === 'cpu') {
    info = await once('cpu', async () => ({ backend: 'cpu', simd: false, threads: 1 }), log);
  } else if (prefer === 'tensorflow') {
    info = await once('native', loadNative, log);
    if (!info) throw unavailable('tensorflow', '@tensorflow/tfjs-node-gpu / @tensorflow/tfjs-node is not installed or its native library does not load');
  } else if (prefer === 'webgpu') {
    const r = await onceWebgpu(true, log);
    if ('none' in r) throw unavailable('webgpu', r.none);
    if (r.adapter?.software && log !== warn) warn(`warning: ${describeBackend(r)}`);
    info = r;
  } else if (prefer === 'auto' && !opts.wasmModule) {
    info = await once('native', loadNative, log);
    if (!info) {
      const r = await onceWebgpu(false, log);
      if ('none' in r) log(`auto: not using webgpu (${r.none})`);
      else info = r;
    }
  }
  info ??= await once('wasm', () => loadWasm(opts, log), log);
  if (!info) throw new Error('no tfjs backend could be initialized');
  if (tf.getBackend() !== info.backend && !(await tf.setBackend(info.backend))) {
    throw new Error(`tfjs backend '${info.backend}' failed to initialize`);
  }
  return info;
}
