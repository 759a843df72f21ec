import * as tf from '@tensorflow/tfjs';
import { flopsPerPixel, runGenerator } from '../generator.ts';
import { convBackpropFilter, convBackpropInput } from '../ops/conv.ts';
import type { Generator } from '../archs/types.ts';

/**
 * Micro-benchmarks for the active backend (select it with initBackend first; a process can
 * only have one wasm thread setting, so compare thread counts across processes).
 */
export interface ConvCase {
  batch: number;
  size: number;
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
  pad: number;
}

export interface ConvGradTiming {
  conv: ConvCase;
  /** Best-of-`iters` milliseconds per call (robust on a shared machine); null where the backend has no stock kernel (wasm Conv2DBackpropFilter). */
  forwardMs: number;
  oursDxMs: number;
  oursDwMs: number;
  stockDxMs: number | null;
  stockDwMs: number | null;
}

export const DEFAULT_CONV_CASES: ConvCase[] = [
  // SRVGG / RRDB trunk conv on a batch of LR patches.
  { batch: 8, size: 32, cin: 64, cout: 64, kernel: 3, stride: 1, pad: 1 },
  // Discriminator strided conv.
  { batch: 8, size: 64, cin: 64, cout: 64, kernel: 4, stride: 2, pad: 1 },
];

/** Best-of-`iters` wall time of `f` until its result is on the host (an async read: GPU tensors cannot be read synchronously). */
async function timeMs(f: () => tf.Tensor, iters: number): Promise<number> {
  const once = async () => {
    const y = f();
    await y.data();
    y.dispose();
  };
  await once(); // warm-up (XNNPACK operator creation, shader compilation, allocation)
  let best = Infinity;
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await once();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function stockKernelMs(kernel: string, run: () => tf.Tensor, iters: number): Promise<number | null> {
  if (!tf.getKernel(kernel, tf.getBackend())) return null;
  return timeMs(run, iters);
}

/** `f` inside a tidy (intermediates freed), returning its result. */
const tidied = (f: () => tf.Tensor) => () => tf.tidy(f);

async function benchConvCase(c: ConvCase, iters: number): Promise<ConvGradTiming> {
  const x = tf.randomNormal([c.batch, c.size, c.size, c.cin]) as tf.Tensor4D;
  const w = tf.randomNormal([c.kernel, c.kernel, c.cin, c.cout]) as tf.Tensor4D;
  const pad = [[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]] as tf.backend_util.ExplicitPadding;
  const dy = tf.tidy(() => tf.randomNormal(tf.conv2d(x, w, c.stride, pad).shape)) as tf.Tensor4D;
  const g = { strideH: c.stride, strideW: c.stride, pad: { top: c.pad, bottom: c.pad, left: c.pad, right: c.pad } };
  const attrs = { strides: [c.stride, c.stride], pad, dataFormat: 'NHWC' };
  const stock = (kernel: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>) =>
    stockKernelMs(kernel, () => tf.engine().runKernel(kernel, inputs, { ...attrs, ...extra } as never) as tf.Tensor, iters);
  try {
    return {
      conv: c,
      forwardMs: await timeMs(tidied(() => tf.conv2d(x, w, c.stride, pad)), iters),
      oursDxMs: await timeMs(tidied(() => convBackpropInput(dy, w, x.shape, g)), iters),
      oursDwMs: await timeMs(tidied(() => convBackpropFilter(x, dy, w.shape, g)), iters),
      stockDxMs: await stock('Conv2DBackpropInput', { dy, filter: w }, { inputShape: x.shape }),
      stockDwMs: await stock('Conv2DBackpropFilter', { x, dy }, { filterShape: w.shape }),
    };
  } finally {
    tf.dispose([x, w, dy]);
  }
}

export async function benchConvGradients(cases = DEFAULT_CONV_CASES, iters = 3): Promise<ConvGradTiming[]> {
  const out: ConvGradTiming[] = [];
  for (const c of cases) out.push(await benchConvCase(c, iters));
  return out;
}

export interface ForwardTiming {
  msPerBatch: number;
  gflops: number;
}

/** Generator forward throughput on random input [batch, size, size, C]. */
export async function benchForward(g: Generator, size: number, batch = 1, iters = 3): Promise<ForwardTiming> {
  const cin = Number((g.config as { num_in_ch?: number }).num_in_ch ?? 3);
  const x = tf.randomUniform([batch, size, size, cin]) as tf.Tensor4D;
  const msPerBatch = await timeMs(tidied(() => runGenerator(g, x)), iters);
  x.dispose();
  return { msPerBatch, gflops: (flopsPerPixel(g) * batch * size * size) / (msPerBatch * 1e6) };
}
