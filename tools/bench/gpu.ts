/**
 * `npm run bench:gpu`: the one prepared GPU check. In one process, on the same configs, webgpu (Dawn) against wasm:
 * training steps/s and GFLOP/s for the edge and ESRGAN-x4 example configs, inference LR MP/s for the shipped edge
 * model and RRDBNet-23, the shader warm-up time, tf.memory() after 50 webgpu steps, and our vs the stock conv
 * gradients on webgpu. Prints one JSON document on stdout; without an adapter, one line on stderr and exit 3.
 *
 * On a software adapter (SwiftShader, lavapipe) every workload is shrunk (`reduced` says how) so that the check
 * still finishes in minutes on a CPU. Env: SR_GPU_CHECK_ROOT (where apps/ lives; the bundle of
 * `npm run bundle:gpu-check` sets it), SR_WASM_DIR (wasm binaries), BENCH_GPU_SECONDS (per measurement, default 15).
 */
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  benchConvGradients,
  createGenerator,
  describeBackend,
  disposeParams,
  flopsPerPixel,
  initBackend,
  loadModelFile,
  ops,
  Upscaler,
  DEFAULT_CONV_CASES,
  type BackendInfo,
  type Generator,
} from '@sr/model';
import { loadConfig } from '../../apps/trainer/src/config/load.ts';
import type { TrainConfig } from '../../apps/trainer/src/config/schema.ts';
import { asGenerator, newGeneratorNet } from '../../apps/trainer/src/train/models.ts';
import { PsnrStepper, type StepResult } from '../../apps/trainer/src/train/psnr-step.ts';
import { disposeTree, readTree } from '../../apps/trainer/src/train/readback.ts';

const ROOT = process.env.SR_GPU_CHECK_ROOT ?? join(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'apps/trainer/src/config/examples');
const SHIPPED_MODEL = join(ROOT, 'apps/edge-api/public/models/edge-x4-psnr.safetensors');
const SECONDS = Number(process.env.BENCH_GPU_SECONDS ?? 15);
const log = (line: string) => process.stderr.write(`bench:gpu: ${line}\n`);
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

type Backend = 'webgpu' | 'wasm';

async function use(backend: Backend): Promise<BackendInfo> {
  const threads = backend === 'wasm' ? Math.min(8, os.cpus().length) : undefined;
  return initBackend({ prefer: backend, threads, wasmPath: process.env.SR_WASM_DIR, log: null, warn: null });
}

const values = (r: StepResult) => ({ losses: r.losses, finite: r.finite, dAccuracy: r.dAccuracy, stats: r.stats });

/** A generator, its psnr stepper and one random batch of the config's shape. */
function psnrSetup(c: TrainConfig) {
  const g = newGeneratorNet(c);
  const stepper = new PsnrStepper(g, c.phases.psnr!);
  const [b, p] = [c.data.batchSize, c.data.lrPatch];
  const lr = tf.randomUniform([b, p, p, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const hr = tf.randomUniform([b, p * c.scale, p * c.scale, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const dispose = () => {
    stepper.dispose();
    g.dispose();
    tf.dispose([lr, hr]);
  };
  return { g, stepper, lr, hr, b, p, dispose };
}

/** First step (shader compilation on webgpu) timed alone, then steps for SECONDS (at least `minSteps`), one read at the end. */
async function timeTraining(c: TrainConfig, minSteps: number) {
  const { g, stepper, lr, hr, b, p, dispose } = psnrSetup(c);
  let t0 = performance.now();
  await readTree(values(stepper.step(lr, hr, 0, false)));
  const warmupSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  let steps = 0;
  while (steps < minSteps || performance.now() - t0 < SECONDS * 1000) {
    const r = stepper.step(lr, hr, 1 + steps++, false);
    if (performance.now() - t0 >= SECONDS * 1000 && steps >= minSteps) await readTree(values(r));
    else disposeTree(values(r));
  }
  const seconds = (performance.now() - t0) / 1000;
  const flopsPerStep = 3 * flopsPerPixel(asGenerator(g, g.vars)) * b * p * p;
  dispose();
  return {
    warmupSeconds: round(warmupSeconds, 2),
    steps,
    stepsPerSec: round(steps / seconds),
    gflopsPerSec: round((flopsPerStep * steps) / seconds / 1e9, 2),
  };
}

/** tf.memory() after `steps` steady steps, and whether the tensor count stayed put. */
async function memoryAfter(c: TrainConfig, steps: number) {
  const { stepper, lr, hr, dispose } = psnrSetup(c);
  let afterFirst = 0;
  for (let i = 0; i < steps; i++) {
    await readTree(values(stepper.step(lr, hr, i, false)));
    if (i === 0) afterFirst = tf.memory().numTensors;
  }
  const memory = { steps, ...tf.memory(), tensorsConstant: tf.memory().numTensors === afterFirst };
  dispose();
  return memory;
}

async function lrMegapixelsPerSec(g: Generator, size: number, minRuns: number) {
  const data = new Uint8Array(size * size * 3).map((_, i) => (i * 37 + 11) & 255);
  const image = { width: size, height: size, channels: 3, data };
  const up = Upscaler.forGenerator(g);
  let t0 = performance.now();
  await up.upscale(image);
  const warmupSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  let runs = 0;
  while (runs < minRuns || performance.now() - t0 < SECONDS * 1000) {
    await up.upscale(image);
    runs++;
  }
  return { warmupSeconds: round(warmupSeconds, 2), runs, lrMegapixelsPerSec: round((runs * size * size) / 1e6 / ((performance.now() - t0) / 1000), 6) };
}

/** The workloads, shrunk on a software adapter. */
function plan(software: boolean) {
  // Only the generator's psnr step runs: the batch can shrink without the discriminator's input size following.
  const shrink = (c: TrainConfig, batchSize: number, lrPatch: number) => (software ? { ...c, data: { ...c.data, batchSize, lrPatch } } : c);
  const edge = shrink(loadConfig(join(EXAMPLES, 'edge-compact-x4.json')), 1, 16);
  // RRDBNet-23 on a software adapter takes minutes per step (~5000 dispatches): 2 blocks still run every kernel.
  const rrdbBlocks = software ? 2 : 23;
  const esrgan = shrink(loadConfig(join(EXAMPLES, 'esrgan-x4.json'), [`generator.config.num_block=${rrdbBlocks}`]), 1, 8);
  return {
    edge,
    esrgan,
    minSteps: software ? 2 : 3,
    memorySteps: software ? 5 : 50,
    inferenceSize: software ? 16 : 128,
    convCases: software ? [{ batch: 1, size: 32, cin: 32, cout: 32, kernel: 3, stride: 1, pad: 1 }] : DEFAULT_CONV_CASES,
    rrdbBlocks,
    reduced: software
      ? 'software adapter: batch 1 of 16² LR (edge) and 8² LR (ESRGAN), RRDBNet with 2 blocks instead of 23, memory after 5 steps, inference on 16² LR once, one conv case, 2 training steps'
      : undefined,
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  let gpu: BackendInfo;
  try {
    gpu = await use('webgpu');
  } catch (err) {
    log(`no WebGPU adapter: ${(err as Error).message}`);
    process.stdout.write(`${JSON.stringify({ adapter: null, reason: (err as Error).message })}\n`);
    process.exit(3);
  }
  log(describeBackend(gpu));
  const P = plan(gpu.adapter!.software);
  const wasm = await use('wasm');
  const train: Record<string, Record<string, unknown>> = {};
  const inference: Record<string, Record<string, unknown>> = {};
  const shipped = (await loadModelFile(SHIPPED_MODEL)).generator;
  const rrdb = createGenerator('RRDBNet', { scale: 4, num_feat: 64, num_block: P.rrdbBlocks, num_grow_ch: 32 }, 0);
  // wasm first: the models' weights then move to the GPU once (a GPU tensor cannot be read back synchronously).
  for (const backend of ['wasm', 'webgpu'] as const) {
    await use(backend);
    for (const [name, c] of [['edge-compact-x4', P.edge], ['esrgan-x4', P.esrgan]] as const) {
      log(`${backend} ${name} training steps ...`);
      (train[name] ??= { batch: c.data.batchSize, lrPatch: c.data.lrPatch })[backend] = await timeTraining(c, backend === 'wasm' && name === 'esrgan-x4' ? 1 : P.minSteps);
    }
    for (const [name, g] of [['edge-x4 (shipped)', shipped], [`RRDBNet-${P.rrdbBlocks} x4`, rrdb]] as const) {
      log(`${backend} ${name} inference ...`);
      (inference[name] ??= { lrSize: P.inferenceSize })[backend] = await lrMegapixelsPerSec(g, P.inferenceSize, P.minSteps - 1);
    }
  }
  for (const t of [...Object.values(train), ...Object.values(inference)]) {
    type Rate = { stepsPerSec?: number; lrMegapixelsPerSec?: number };
    const rate = (r: Rate) => r.stepsPerSec ?? r.lrMegapixelsPerSec!;
    t.webgpuOverWasm = round(rate(t.webgpu as Rate) / rate(t.wasm as Rate));
  }
  await use('webgpu');
  log(`webgpu memory after ${P.memorySteps} steps ...`);
  const memory = await memoryAfter(P.edge, P.memorySteps);
  log('webgpu conv gradients, ours vs stock ...');
  const convGradients = { used: ops.gradientChoice('Conv2D', 'webgpu'), cases: await benchConvGradients(P.convCases, 3) };
  disposeParams(shipped.params);
  disposeParams(rrdb.params);
  const result = {
    adapter: gpu.adapter,
    backend: describeBackend(gpu),
    wasm: describeBackend(wasm),
    ...(P.reduced ? { reduced: P.reduced } : {}),
    shaderWarmupSeconds: round(Object.values(train).reduce((s, t) => s + (t.webgpu as { warmupSeconds: number }).warmupSeconds, 0), 2),
    train,
    inference,
    memoryAfterSteps: memory,
    convGradients,
    node: process.version,
    cpus: os.cpus().length,
    seconds: round((performance.now() - t0) / 1000, 1),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

await main();
