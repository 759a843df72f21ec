/**
 * Node-only WebGPU: Dawn from the optional `webgpu` package, then `@tensorflow/tfjs-backend-webgpu`.
 * backend.ts imports this module through a variable specifier so that bundlers for workerd never
 * see it, and this module imports both optional packages lazily for the same reason.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { softwareAdapterReason } from './choices.ts';

export interface WebgpuAdapter {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation (SwiftShader, lavapipe/llvmpipe): correct but far slower than wasm. */
  software: boolean;
}

interface DawnAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface DawnGpu {
  requestAdapter(opts?: { powerPreference?: string; featureLevel?: string }): Promise<{ info: DawnAdapterInfo } | null>;
}

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;

export function describeAdapter(info: DawnAdapterInfo): WebgpuAdapter {
  const vendor = info.vendor || 'unknown';
  const architecture = info.architecture || info.device || 'unknown';
  const description = info.description || '';
  const software = Boolean(info.isFallbackAdapter) || SOFTWARE_NAMES.test(`${vendor} ${architecture} ${info.device ?? ''} ${description}`);
  return { vendor, architecture, description, software };
}

/** `SR_WEBGPU_FLAGS`: comma-separated Dawn toggles, e.g. `backend=opengles` (then a compatibility adapter is asked for). */
function dawnFlags(): string[] {
  return (process.env.SR_WEBGPU_FLAGS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

// Variable specifiers: neither tsc's bundling consumers nor esbuild for workerd may resolve these optional packages.
const DAWN_PKG = 'webgpu';
const TFJS_WEBGPU_PKG = '@tensorflow/tfjs-backend-webgpu';

const NO_ADAPTER = 'Dawn found no WebGPU adapter (no Vulkan driver with the features WebGPU needs; see README "Training on a GPU")';

let gpu: DawnGpu | undefined;

/** Creates Dawn's GPU object once and installs it as `navigator.gpu` (the tfjs backend looks there when imported). */
async function dawnGpu(): Promise<DawnGpu> {
  if (gpu) return gpu;
  let dawn: { create(flags: string[]): DawnGpu; globals: Record<string, unknown> };
  try {
    dawn = (await import(/* @vite-ignore */ DAWN_PKG)) as typeof dawn;
  } catch (err) {
    throw new Error(`the optional package 'webgpu' (Dawn) is not installed or cannot load here: ${(err as Error).message.split('\n')[0]}`);
  }
  Object.assign(globalThis, dawn.globals);
  const dawnGpu = dawn.create(dawnFlags());
  // Dawn's OpenGL ES backend only offers compatibility-level adapters; tfjs asks without a feature level.
  const featureLevel = dawnFlags().includes('backend=opengles') ? { featureLevel: 'compatibility' } : {};
  gpu = { requestAdapter: (opts) => dawnGpu.requestAdapter({ ...opts, ...featureLevel }) };
  Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis.navigator ?? {}), gpu }, configurable: true, writable: true });
  return gpu;
}

/** The adapter Dawn offers, or a one-line reason why there is none. */
export async function probeAdapter(): Promise<WebgpuAdapter | { none: string }> {
  const g = await dawnGpu();
  const adapter = await g.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { none: NO_ADAPTER };
  return describeAdapter(adapter.info);
}

const PROBE_SCRIPT = `
const { create, globals } = await import(process.argv[1]);
Object.assign(globalThis, globals);
const flags = (process.env.SR_WEBGPU_FLAGS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const compat = flags.includes('backend=opengles') ? { featureLevel: 'compatibility' } : {};
const a = await create(flags).requestAdapter({ powerPreference: 'high-performance', ...compat });
const i = a?.info;
process.stdout.write(JSON.stringify(i ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter } : null));
process.exit(0);
`;

/**
 * probeAdapter in a child process: Vulkan drivers and Dawn print warnings straight to file descriptor 2 while
 * enumerating adapters, which must not reach the stderr of a command that merely chose 'auto'. ~0.3 s.
 */
export async function probeAdapterQuietly(): Promise<WebgpuAdapter | { none: string }> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(DAWN_PKG);
  } catch {
    return { none: "the optional package 'webgpu' (Dawn) is not installed" };
  }
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT, pathToFileURL(entry).href], { timeout: 30_000 });
    const info = JSON.parse(stdout) as DawnAdapterInfo | null;
    return info ? describeAdapter(info) : { none: NO_ADAPTER };
  } catch (err) {
    return { none: `the WebGPU probe failed: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * Activates tfjs's `webgpu` backend on Dawn. With `allowSoftware` false, a software adapter is
 * refused (returned as a reason) so that `auto` falls through to wasm, which is faster on a CPU.
 */
export async function registerWebgpuBackend(allowSoftware: boolean): Promise<WebgpuAdapter | { none: string }> {
  if (!allowSoftware) {
    const quiet = await probeAdapterQuietly();
    if ('none' in quiet) return quiet;
    if (quiet.software) return { none: softwareAdapterReason(quiet) };
  }
  const adapter = await probeAdapter();
  if ('none' in adapter) return adapter;
  await import(/* @vite-ignore */ TFJS_WEBGPU_PKG);
  if (!(await tf.setBackend('webgpu'))) throw new Error('the tfjs webgpu backend failed to initialize on this adapter');
  const device = (tf.backend() as unknown as { device: WebgpuDevice }).device;
  failLoudly(device);
  chunkAddN(device.limits.maxStorageBuffersPerShaderStage);
  return adapter;
}

interface WebgpuDevice {
  limits: { maxStorageBuffersPerShaderStage: number };
  onuncapturederror: ((e: { error: { message: string } }) => void) | null;
}

/**
 * Dawn reports a kernel it cannot run (e.g. one over the device's limits) only as an uncaptured error and the
 * result stays silently wrong: stop the process instead, naming the cause.
 */
function failLoudly(device: WebgpuDevice): void {
  device.onuncapturederror = (e) => {
    const first = e.error.message.split('\n')[0];
    process.stderr.write(`sr: WebGPU error, results would be wrong, stopping: ${first}\n`);
    process.exit(70);
  };
}

/**
 * tfjs 4.22's webgpu AddN binds every input as one storage buffer, so more than the device's per-stage limit (8 by
 * default) fails validation (gradient norms sum one term per parameter). This sums in chunks that fit instead.
 */
function chunkAddN(maxBuffers: number): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock || (stock as { chunked?: boolean }).chunked) return;
  const perCall = maxBuffers - 1; // one binding is the output
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    let tensors = inputs as unknown as tf.TensorInfo[];
    const partials: tf.TensorInfo[] = [];
    while (tensors.length > perCall) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < tensors.length; i += perCall) {
        const chunk = tensors.slice(i, i + perCall);
        const sum = chunk.length === 1 ? chunk[0] : (stock.kernelFunc({ inputs: chunk as never, backend, attrs }) as tf.TensorInfo);
        if (chunk.length > 1) partials.push(sum);
        next.push(sum);
      }
      tensors = next;
    }
    const out = stock.kernelFunc({ inputs: tensors as never, backend, attrs }) as tf.TensorInfo;
    for (const p of partials) (backend as tf.KernelBackend).disposeData(p.dataId);
    return out;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc, chunked: true } as tf.KernelConfig);
}
