/**
 * `npm run bench:train`: training-step throughput of the trainer on the active backend, for the tiny and edge example
 * configs: steps/s and achieved GFLOP/s (forward + backward ≈ 3 × the generator's forward conv FLOPs), the GAN step
 * of the tiny config, data-pipeline batches/s, and, when PyTorch is installed, the same SRVGG step in PyTorch on
 * the same cores with the ratio. Prints one JSON document; also a `BenchSection` for the shared runner.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { countParams, flopsPerPixel, getGeneratorArch, initBackend } from '@sr/model';
import { loadConfig } from '../../apps/trainer/src/config/load.ts';
import type { TrainConfig } from '../../apps/trainer/src/config/schema.ts';
import { BatchSource } from '../../apps/trainer/src/data/batches.ts';
import { openTrainingSet } from '../../apps/trainer/src/data/dataset.ts';
import { Rng } from '../../apps/trainer/src/data/rng.ts';
import { GanStepper } from '../../apps/trainer/src/train/gan-step.ts';
import { asGenerator, newDiscriminatorNet, newGeneratorNet } from '../../apps/trainer/src/train/models.ts';
import { PsnrStepper } from '../../apps/trainer/src/train/psnr-step.ts';
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

/** Runs `step` for about SECONDS (at least 3 steps) after 2 warm-up steps. */
function timeSteps(step: (i: number) => void): StepTiming {
  step(0);
  step(1);
  let steps = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - t0 < SECONDS * 1000 || steps < 3) step(2 + steps++);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { steps, stepsPerSec: (steps * 1000) / ms, msPerStep: ms / steps, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps };
}

function randomBatch(c: TrainConfig): { lr: tf.Tensor4D; hr: tf.Tensor4D } {
  const p = c.data.lrPatch;
  const b = c.data.batchSize;
  return { lr: tf.randomUniform([b, p, p, 3], 0, 1, 'float32', 1), hr: tf.randomUniform([b, p * c.scale, p * c.scale, 3], 0, 1, 'float32', 2) };
}

function benchPsnr(c: TrainConfig) {
  const g = newGeneratorNet(c);
  const stepper = new PsnrStepper(g, c.phases.psnr!);
  const { lr, hr } = randomBatch(c);
  const t = timeSteps((i) => stepper.step(lr, hr, i, false));
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

function benchGan(c: TrainConfig) {
  const g = newGeneratorNet(c);
  const d = newDiscriminatorNet(c);
  const stepper = new GanStepper(g, d, c.phases.gan!, c.scale, Rng.fromSeed(0), undefined);
  const { lr, hr } = randomBatch(c);
  const t = timeSteps((i) => stepper.step(lr, hr, i, false));
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

export async function benchTrain(): Promise<Record<string, unknown>> {
  const backend = await initBackend({ log: (l) => process.stderr.write(`${l}\n`) });
  const out: Record<string, unknown> = { backend };
  for (const name of ['tiny-cpu', 'edge-compact-x4']) {
    const c = loadConfig(join(EXAMPLES, `${name}.json`));
    getGeneratorArch(c.generator.arch); // fail early on an unknown arch
    process.stderr.write(`bench:train ${name} psnr step ...\n`);
    const psnr = benchPsnr(c);
    const entry: Record<string, unknown> = { psnrStep: psnr, data: await benchData(c) };
    if (c.phases.gan) {
      process.stderr.write(`bench:train ${name} gan step ...\n`);
      entry.ganStep = benchGan(c);
    }
    process.stderr.write(`bench:train ${name} pytorch ...\n`);
    const torch = benchTorch(c);
    if (torch) {
      entry.pytorch =
        'steps_per_s' in torch
          ? {
              ...torch,
              oursOverTorch: Number((psnr.stepsPerSec / torch.steps_per_s).toFixed(3)),
              oursOverTorchPerCpuSecond: Number((torch.cpu_ms_per_step / psnr.cpuMsPerStep).toFixed(3)),
            }
          : torch;
    }
    out[name] = entry;
  }
  return out;
}

export const trainSection: BenchSection = {
  name: 'train',
  description: 'training steps/s and GFLOP/s for the tiny and edge configs (+ PyTorch ratio when installed)',
  run: benchTrain,
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await benchTrain(), null, 2)}\n`);
}
