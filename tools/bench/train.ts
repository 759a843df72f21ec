/**
 * `npm run bench:train`: training-step throughput of the trainer on every backend that is available here (each in its
 * own process: tensorflow, webgpu, wasm, cpu), side by side, for the tiny and edge example configs: steps/s and
 * achieved GFLOP/s (forward + backward ≈ 3 × the generator's forward conv FLOPs), the GAN step, data-pipeline
 * batches/s, and, when PyTorch is installed, the same SRVGG step in PyTorch on the same cores with the ratio of each
 * backend to it. `--backend <name>` measures one backend in this process. Prints one JSON document; also a
 * `BenchSection` for the shared runner.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { countParams, flopsPerPixel, getGeneratorArch, initBackend, ops } from '@sr/model';
import type { BackendPreference } from '@sr/model/backend-choices';
import { loadConfig } from '../../apps/trainer/src/config/load.ts';
import type { TrainConfig } from '../../apps/trainer/src/config/schema.ts';
import { BatchSource } from '../../apps/trainer/src/data/batches.ts';
import { openTrainingSet } from '../../apps/trainer/src/data/dataset.ts';
import { Rng } from '../../apps/trainer/src/data/rng.ts';
import { GanStepper } from '../../apps/trainer/src/train/gan-step.ts';
import { asGenerator, newDiscriminatorNet, newGeneratorNet } from '../../apps/trainer/src/train/models.ts';
import { PsnrStepper, type StepResult } from '../../apps/trainer/src/train/psnr-step.ts';
import { disposeTree, readTree } from '../../apps/trainer/src/train/readback.ts';
import { lastJsonLine, runTs } from './lib/child.ts';
import type { BenchSection } from './section.ts';

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'apps/trainer/src/config/examples');
const SECONDS = Number(process.env.BENCH_TRAIN_SECONDS ?? 8);

interface StepTiming {
  steps: number;
  stepsPerSec: number;
  msPerStep: number;
  /** CPU time of this process per step: robust on a machine shared with other work (wall time is not). */
  cpuMsPerStep: number;
}

const stepValues = (r: StepResult) => ({ losses: r.losses, finite: r.finite, dAccuracy: r.dAccuracy, stats: r.stats });

/**
 * Runs `step` for about SECONDS (at least 3 steps) after 2 warm-up steps, reading the losses back once per second of
 * steps, as the trainer does at logging points (a GPU queues work; the read waits for it).
 */
async function timeSteps(step: (i: number) => StepResult): Promise<StepTiming> {
  for (const i of [0, 1]) await readTree(stepValues(step(i)));
  let steps = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lastRead = t0;
  while (performance.now() - t0 < SECONDS * 1000 || steps < 3) {
    const r = step(2 + steps++);
    if (performance.now() - lastRead > 1000) {
      await readTree(stepValues(r));
      lastRead = performance.now();
    } else disposeTree(stepValues(r));
  }
  await tf.ready();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { steps, stepsPerSec: (steps * 1000) / ms, msPerStep: ms / steps, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps };
}

function randomBatch(c: TrainConfig): { lr: tf.Tensor4D; hr: tf.Tensor4D } {
  const p = c.data.lrPatch;
  const b = c.data.batchSize;
  return { lr: tf.randomUniform([b, p, p, 3], 0, 1, 'float32', 1), hr: tf.randomUniform([b, p * c.scale, p * c.scale, 3], 0, 1, 'float32', 2) };
}

async function benchPsnr(c: TrainConfig) {
  const g = newGeneratorNet(c);
  const stepper = new PsnrStepper(g, c.phases.psnr!);
  const { lr, hr } = randomBatch(c);
  const t = await timeSteps((i) => stepper.step(lr, hr, i, false));
  const gen = asGenerator(g, g.vars);
  const flopsPerStep = 3 * flopsPerPixel(gen) * c.data.batchSize * c.data.lrPatch ** 2;
  const result = {
    arch: c.generator.arch,
    params: countParams(g.vars),
    batch: c.data.batchSize,
    lrPatch: c.data.lrPatch,
    ...round(t),
    gflopPerStep: Number((flopsPerStep / 1e9).toFixed(3)),
    gflopsPerSec: Number(((flopsPerStep * t.stepsPerSec) / 1e9).toFixed(2)),
    gflopsPerCpuSec: Number((flopsPerStep / t.cpuMsPerStep / 1e6).toFixed(2)),
    tensorsAfter: 0,
  };
  stepper.dispose();
  g.dispose();
  lr.dispose();
  hr.dispose();
  result.tensorsAfter = tf.memory().numTensors;
  return result;
}

async function benchGan(c: TrainConfig) {
  const g = newGeneratorNet(c);
  const d = newDiscriminatorNet(c);
  const stepper = new GanStepper(g, d, c.phases.gan!, c.scale, Rng.fromSeed(0), undefined);
  const { lr, hr } = randomBatch(c);
  const t = await timeSteps((i) => stepper.step(lr, hr, i, false));
  stepper.dispose();
  g.dispose();
  d.dispose();
  lr.dispose();
  hr.dispose();
  return { batch: c.data.batchSize, hrPatch: c.data.lrPatch * c.scale, ...round(t) };
}

async function benchData(c: TrainConfig) {
  const side = c.data.lrPatch * c.scale * 2;
  const data = { ...c.data, train: { synthetic: { count: 8, width: side, height: side } } };
  const source = new BatchSource(await openTrainingSet(data, { scale: c.scale, seed: 0 }), data, c.scale, 0);
  const t0 = performance.now();
  const n = 20;
  for (let i = 0; i < n; i++) await source.batch(i);
  return { batchesPerSec: Number(((n * 1000) / (performance.now() - t0)).toFixed(1)) };
}

function benchTorch(c: TrainConfig) {
  if (c.generator.arch !== 'SRVGGNetCompact') return undefined;
  const g = c.generator.config;
  const args = [join(ROOT, 'tools/pytorch/bench_train_step.py'), '--num-feat', `${g.num_feat}`, '--num-conv', `${g.num_conv}`, '--scale', `${c.scale}`, '--batch', `${c.data.batchSize}`, '--lr-patch', `${c.data.lrPatch}`, '--seconds', `${SECONDS}`];
  // Debian's python3-torch lives under the system interpreter, which a pyenv/venv `python3` on PATH may hide.
  let r = spawnSync(process.env.PYTHON ?? 'python3', args, { encoding: 'utf8' });
  if (r.status !== 0 && !process.env.PYTHON) r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (r.status !== 0) return { unavailable: (r.stderr || r.error?.message || 'python3 failed').trim().split('\n').at(-1) };
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { steps_per_s: number; ms_per_step: number; cpu_ms_per_step: number; threads: number; torch: string };
}

function round(t: StepTiming) {
  return { steps: t.steps, stepsPerSec: Number(t.stepsPerSec.toFixed(3)), msPerStep: Number(t.msPerStep.toFixed(1)), cpuMsPerStep: Number(t.cpuMsPerStep.toFixed(1)) };
}

const CONFIGS = ['tiny-cpu', 'edge-compact-x4'] as const;
const CANDIDATES: BackendPreference[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/** One backend, in this process: steps of every config, with the gradients it uses. */
export async function benchTrainOn(prefer: BackendPreference): Promise<Record<string, unknown>> {
  const backend = await initBackend({ prefer, log: (l) => process.stderr.write(`${l}\n`), warn: null });
  const out: Record<string, unknown> = { backend, conv2dGradient: ops.gradientChoice('Conv2D') };
  for (const name of CONFIGS) {
    const c = loadConfig(join(EXAMPLES, `${name}.json`));
    getGeneratorArch(c.generator.arch); // fail early on an unknown arch
    process.stderr.write(`bench:train ${prefer} ${name} psnr step ...\n`);
    const entry: Record<string, unknown> = { psnrStep: await benchPsnr(c), data: await benchData(c) };
    if (c.phases.gan) {
      process.stderr.write(`bench:train ${prefer} ${name} gan step ...\n`);
      entry.ganStep = await benchGan(c);
    }
    out[name] = entry;
  }
  return out;
}

type BackendResult = Record<string, { psnrStep: { stepsPerSec: number; cpuMsPerStep: number } }> | { unavailable: string };

/** Every backend in its own process (one wasm thread setting and one GPU device per process), then PyTorch. */
export async function benchTrain(): Promise<Record<string, unknown>> {
  const self = fileURLToPath(import.meta.url);
  const backends: Record<string, BackendResult> = {};
  for (const b of CANDIDATES) {
    try {
      backends[b] = lastJsonLine(await runTs(self, ['--backend', b]));
    } catch (err) {
      const lines = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n');
      backends[b] = { unavailable: lines.at(-1)!.replace(/^bench:train: /, '') };
    }
  }
  const out: Record<string, unknown> = { backends };
  for (const name of CONFIGS) {
    const c = loadConfig(join(EXAMPLES, `${name}.json`));
    process.stderr.write(`bench:train ${name} pytorch ...\n`);
    const torch = benchTorch(c);
    const steps = Object.fromEntries(
      Object.entries(backends).flatMap(([b, r]) => ('unavailable' in r ? [] : [[b, r[name].psnrStep]])),
    ) as Record<string, { stepsPerSec: number; cpuMsPerStep: number }>;
    const wasm = steps.wasm?.stepsPerSec;
    out[name] = {
      stepsPerSec: Object.fromEntries(Object.entries(steps).map(([b, s]) => [b, s.stepsPerSec])),
      ...(wasm ? { overWasm: Object.fromEntries(Object.entries(steps).map(([b, s]) => [b, Number((s.stepsPerSec / wasm).toFixed(3))])) } : {}),
      ...(torch
        ? {
            pytorch:
              'steps_per_s' in torch
                ? {
                    ...torch,
                    overTorch: Object.fromEntries(Object.entries(steps).map(([b, s]) => [b, Number((s.stepsPerSec / torch.steps_per_s).toFixed(3))])),
                    overTorchPerCpuSecond: Object.fromEntries(
                      Object.entries(steps).map(([b, s]) => [b, Number((torch.cpu_ms_per_step / s.cpuMsPerStep).toFixed(3))]),
                    ),
                  }
                : torch,
          }
        : {}),
    };
  }
  return out;
}

export const trainSection: BenchSection = {
  name: 'train',
  description: 'training steps/s and GFLOP/s for the tiny and edge configs on every available backend (+ PyTorch ratios when installed)',
  run: benchTrain,
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { backend: { type: 'string' } }, strict: true });
  if (values.backend) {
    try {
      await initBackend({ prefer: values.backend as BackendPreference, log: null, warn: null });
    } catch (err) {
      process.stderr.write(`bench:train: ${(err as Error).message}\n`);
      process.exit(2);
    }
  }
  const result = values.backend ? await benchTrainOn(values.backend as BackendPreference) : await benchTrain();
  process.stdout.write(`${JSON.stringify(result, null, values.backend ? 0 : 2)}\n`);
}
