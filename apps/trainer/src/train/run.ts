import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cloneParams, disposeParams, initBackend, isLumaGenerator, loadModelFile, type Generator } from '@sr/model';
import type { BackendPreference } from '@sr/model/backend-choices';
import { CliError } from '../cli-error.ts';
import { discriminatorAccuracy } from '../losses/adversarial.ts';
import { valSetName, valSources, type TrainConfig } from '../config/schema.ts';
import { BatchSource, type DataState } from '../data/batches.ts';
import { formatSources, loadPairs, openTrainingSet, type ImagePair } from '../data/dataset.ts';
import { writeBatchStrips } from '../data/sample-strips.ts';
import { Rng } from '../data/rng.ts';
import { keyOfFile } from '../regress/inputs.ts';
import { writeGoldenFor } from '../regress/regress.ts';
import { LpipsMetric } from '../io/lpips-metric.ts';
import { JsonlLog } from '../report/jsonl.ts';
import { CHECKPOINT_FILE, loadCheckpoint, restoreInto, saveCheckpoint, snapshotTensors, writeAtomic } from './checkpoint.ts';
import { exportInterpolations, exportModel, formatInterpTable, type InterpRow } from './export.ts';
import { GanStepper } from './gan-step.ts';
import { asGenerator, generatorNet, loadPerceptual, loadPretrainedGenerator, newDiscriminatorNet, newGeneratorNet } from './models.ts';
import type { Net } from './net.ts';
import { restoreOptimizer } from './optimizers/index.ts';
import { runPhaseLoop, type PhaseName } from './phase-loop.ts';
import { readTree } from './readback.ts';
import { checkResumeConfig } from './resume-config.ts';
import { readRuntimeRecord, resumedRuntime, writeRuntimeRecord } from './runtime-record.ts';
import { PsnrStepper } from './psnr-step.ts';
import { watchSignals } from './signals.ts';
import { ganValLoss, psnrValLoss } from './val-losses.ts';
import { formatSetScores, scoreAll, setScores, Validator, type SetScores, type ValLossTerms, type ValSet } from './validate.ts';

export interface TrainOptions {
  config: TrainConfig;
  outDir: string;
  /** Continue from `outDir/checkpoint.safetensors`. */
  resume: boolean;
  phase: PhaseName | 'all';
  /** A progress bar on stderr (a TTY). */
  progress: boolean;
  /** Without the bar: a progress line every this many seconds (0 or absent = none). */
  progressEvery?: number;
  /** wasm threads (default: a resumed run's, else SR_WASM_THREADS, else 1). */
  threads?: number;
  /** Overrides the config's backend (default: a resumed run's backend, else the config's). */
  backend?: BackendPreference;
  /** Human-readable lines (stderr). */
  print: (line: string) => void;
}

export interface TrainSummary {
  outDir: string;
  files: string[];
  interpolation?: InterpRow[];
}

const TRAIN_RNG_STREAM = 0x7a1;
const VAL_SEED_OFFSET = 1000;

/** Written by `export.golden`: the `sr regress` values of the run's exports. */
export const GOLDEN_FILE = 'golden.json';

/** The whole training run: psnr and/or gan phases, validation, checkpoints, exports. */
export async function train(o: TrainOptions): Promise<TrainSummary> {
  const c = o.config;
  const recorded = o.resume ? readRuntimeRecord(o.outDir) : undefined;
  const runtime = resumedRuntime(recorded, o);
  const backend = await initBackend({ prefer: runtime.backend ?? c.backend, threads: runtime.threads, log: o.print });
  if (recorded && recorded.backend !== backend.backend) o.print(`note: the run was on ${recorded.backend}; it continues on ${backend.backend}`);
  const configJson = JSON.stringify(c);
  const ckpt = o.resume ? loadCheckpoint(o.outDir) : undefined;
  if (!o.resume && existsSync(join(o.outDir, CHECKPOINT_FILE))) {
    o.print(`warning: starting a fresh run in ${o.outDir}; its checkpoint will be replaced (use --resume to continue it)`);
  }
  if (ckpt) for (const note of checkResumeConfig(ckpt.state.config, c, ckpt.state.phase, ckpt.state.iter, o.outDir)) o.print(`resuming with ${note}`);
  const configured = (['psnr', 'gan'] as const).filter((p) => c.phases[p]);
  const requested = o.phase === 'all' ? configured : [o.phase];
  for (const p of requested) if (!c.phases[p]) throw new CliError(`--phase ${p}: the config has no phases.${p}`);
  // Everything is read and checked (checkpoint, config, model files, data) before the run folder is written to.
  // Model files load before the data, so that a wrong file fails fast.
  const pretrained = c.generator.pretrained ? await loadPretrainedGenerator(c, c.generator.pretrained) : undefined;
  const lpips = c.validation.lpips ? LpipsMetric.load(c.validation.lpips) : undefined;
  const warn = (m: string) => o.print(`warning: ${m}`);
  const trainSet = await openTrainingSet(c.data, { scale: c.scale, seed: c.seed, warn });
  const valSets: { name: string; pairs: ImagePair[] }[] = [];
  for (const source of valSources(c.data)) {
    valSets.push({ name: valSetName(source), pairs: await loadPairs(source, { scale: c.scale, seed: c.seed + VAL_SEED_OFFSET, onBadImage: c.data.onBadImage, lrCacheDir: c.data.lrCacheDir, warn }) });
  }
  const valPairs = valSets[0].pairs;
  const trainCount = trainSet.sources.length > 1 ? `${trainSet.size} training images (${formatSources(trainSet.sources)})` : `${trainSet.size} training images`;
  const valCount = valSets.length > 1 ? `validation sets ${valSets.map((s) => `${s.name} (${s.pairs.length} images)`).join(', ')}` : `${valPairs.length} validation images`;
  o.print(`data: ${trainCount} (decoded on demand, ${c.data.cacheMB} MiB cache), ${valCount}`);
  mkdirSync(join(o.outDir, 'samples'), { recursive: true });
  await writeRuntimeRecord(o.outDir, backend);
  await writeAtomic(join(o.outDir, 'config.json'), new TextEncoder().encode(JSON.stringify(c, null, 2) + '\n'));
  const log = new JsonlLog(join(o.outDir, 'train.jsonl'));
  if (ckpt) log.truncateAfter(ckpt.state.phase, ckpt.state.iter);
  else if (o.phase === 'gan') log.truncateAfter('gan', 0); // keep the psnr phase's history
  else writeFileSync(log.path, '');
  const source = new BatchSource(trainSet, c.data, c.scale, c.seed);
  if (c.data.degradation && !ckpt) {
    const strips = await writeBatchStrips(join(o.outDir, 'samples'), await source.batch(0), c.scale, 'train-degraded');
    o.print(`degraded training samples (LR | HR): ${strips.map((f) => join('samples', f)).join(', ')}`);
  }
  const data: DataState = ckpt ? { ...ckpt.state.data } : { seed: c.seed, nextBatch: 0 };
  const rng = new Rng(ckpt?.state.rng ?? Rng.fromSeed(c.seed, TRAIN_RNG_STREAM).state());
  const valOptions = { scale: c.scale, crop: c.validation.crop ?? c.scale, yChannel: c.validation.yChannel, tile: 128, lpips };
  const sets: ValSet[] = valSets.map((s) => ({ name: s.name, validator: new Validator(s.pairs, valOptions) }));
  const validator = sets[0].validator;

  const phases = ckpt ? requested.filter((p) => p === ckpt.state.phase || (p === 'gan' && ckpt.state.phase === 'psnr')) : requested;

  const signals = watchSignals(o.print);
  const files: string[] = ['config.json', 'runtime.json', 'train.jsonl'];
  let psnrGen: Generator | undefined;
  /** α = 0 of the interpolation table: this run's psnr model, or the pretrained file a gan-only config fine-tunes. */
  let psnrFile = 'psnr.safetensors';
  let ganGen: Generator | undefined;
  let interpolation: InterpRow[] | undefined;

  const saveState = async (phase: PhaseName, iter: number, tensors: Record<string, Record<string, tf.Tensor>>, adamSteps: Record<string, number>) => {
    const snapshot = await snapshotTensors(tensors);
    await saveCheckpoint(o.outDir, { version: 1, phase, iter, rng: rng.state(), data: { ...data }, adamSteps, config: configJson }, snapshot);
  };
  let dSkipNoted = false;
  const validateInto = async (phase: PhaseName, iter: number, params: Record<string, tf.Tensor>, g: Net, lossTerms: ValLossTerms, d?: Net) => {
    const v = await validator.run(asGenerator(g, params), d ? valPairs.length : c.validation.samples, lossTerms);
    const samples = await validator.saveStrips(join(o.outDir, 'samples'), `${phase}-${String(iter).padStart(7, '0')}`, v.outputs.slice(0, c.validation.samples));
    const dInputs = d && validator.discriminatorInputs(v.outputs, c.discriminator!.config.input_size, isLumaGenerator(c.generator));
    let dAccuracy: { real: number; fake: number } | undefined;
    if (dInputs) {
      const [real, fake] = [d!.forward(dInputs.real), d!.forward(dInputs.fake)];
      dAccuracy = await readTree(discriminatorAccuracy(c.phases.gan!.losses.adversarial.type, real, fake));
      for (const t of [real, fake, dInputs.real, dInputs.fake]) t.dispose();
    }
    const size = c.discriminator?.config.input_size;
    const dAccuracySkipped = d && !dInputs ? `no validation image is at least ${size}x${size} (the discriminator's input_size)` : undefined;
    if (dAccuracySkipped && !dSkipNoted) warn(`validation D accuracy skipped: ${dAccuracySkipped}`);
    dSkipNoted ||= dAccuracySkipped !== undefined;
    // Several sets: each one's scores in `sets` (the first is the primary set, also in the top-level fields).
    let perSet: SetScores[] | undefined;
    if (sets.length > 1) {
      perSet = [setScores(sets[0].name, v), ...(await scoreAll(sets.slice(1), asGenerator(g, params)))];
      o.print(`val ${phase} ${iter}: ${formatSetScores(perSet)}`);
    }
    log.write({ kind: 'val', phase, iter, psnr: v.psnr, ssim: v.ssim, ...(v.lpips !== undefined ? { lpips: v.lpips } : {}), bicubic: v.bicubic, ...(perSet ? { sets: perSet } : {}), ...(v.losses ? { losses: v.losses } : {}), ...(dAccuracy ? { dAccuracy } : {}), ...(dAccuracySkipped ? { dAccuracySkipped } : {}), samples });
  };
  const loopBase = { config: c, source, data, log, progress: { bar: o.progress, lineEverySeconds: o.progressEvery ?? 0, print: o.print }, outDir: o.outDir };
  const hooksFor = (phase: PhaseName, stepper: PsnrStepper | GanStepper, g: Net, lossTerms: ValLossTerms, d?: Net) => ({
    validate: (iter: number) => validateInto(phase, iter, stepper.exportParams(), g, lossTerms, d),
    checkpoint: (iter: number) => saveState(phase, iter, stepper.tensors(), stepper.adamSteps()),
    stopRequested: signals.requested,
  });

  try {
    if (phases.includes('psnr')) {
      const cfg = c.phases.psnr!;
      const g = pretrained ? generatorNet({ ...pretrained, params: cloneParams(pretrained.params) }) : newGeneratorNet(c);
      const stepper = new PsnrStepper(g, cfg);
      let start = 0;
      if (ckpt?.state.phase === 'psnr') {
        restoreInto(g.vars, ckpt.groups.g, 'generator');
        if (stepper.ema) restoreInto(stepper.ema.params, ckpt.groups.ema, 'EMA generator');
        restoreOptimizer(stepper.opt, ckpt, 'optG', ckpt.state.adamSteps.g);
        start = ckpt.state.iter;
        o.print(`resuming psnr phase at iteration ${start}`);
      }
      await runPhaseLoop({ ...loopBase, phase: 'psnr', total: cfg.iterations, start, stepper, hooks: hooksFor('psnr', stepper, g, psnrValLoss(cfg)) });
      psnrGen = asGenerator(g, cloneParams(stepper.exportParams()));
      const v = await exportModel(join(o.outDir, 'psnr.safetensors'), psnrGen, 'psnr', sets, { iterations: cfg.iterations, fp16: c.export.fp16 });
      files.push('psnr.safetensors');
      o.print(v.sets ? `psnr phase done: val ${formatSetScores(v.sets)}` : `psnr phase done: val PSNR-Y ${v.psnr.toFixed(3)} dB, SSIM-Y ${v.ssim.toFixed(4)}`);
      stepper.dispose();
      g.dispose();
    }

    if (phases.includes('gan')) {
      const cfg = c.phases.gan!;
      if (!psnrGen && !c.phases.psnr && pretrained) {
        psnrGen = { ...pretrained, params: cloneParams(pretrained.params) };
        psnrFile = c.generator.pretrained!;
      } else if (!psnrGen) {
        const path = join(o.outDir, 'psnr.safetensors');
        if (!existsSync(path)) {
          throw new CliError(`phase gan starts from the psnr model, but ${path} does not exist (run --phase psnr first, or set generator.pretrained)`);
        }
        psnrGen = (await loadModelFile(path)).generator;
      }
      const g = generatorNet({ ...psnrGen, params: cloneParams(psnrGen.params) });
      const d = newDiscriminatorNet(c);
      const p = cfg.losses.perceptual;
      const perceptual = p.weight > 0 || p.styleWeight > 0 ? loadPerceptual(p.vggWeights!, p) : undefined;
      const stepper = new GanStepper(g, d, cfg, c.scale, rng, perceptual);
      let start = 0;
      if (ckpt?.state.phase === 'gan') {
        restoreInto(g.vars, ckpt.groups.g, 'generator');
        restoreInto(d.vars, ckpt.groups.d, 'discriminator');
        d.setBuffers(ckpt.groups.dbuf ?? {});
        if (stepper.ema) restoreInto(stepper.ema.params, ckpt.groups.ema, 'EMA generator');
        restoreOptimizer(stepper.optG, ckpt, 'optG', ckpt.state.adamSteps.g);
        restoreOptimizer(stepper.optD, ckpt, 'optD', ckpt.state.adamSteps.d);
        start = ckpt.state.iter;
        o.print(`resuming gan phase at iteration ${start}`);
      }
      await runPhaseLoop({ ...loopBase, phase: 'gan', total: cfg.iterations, start, stepper, hooks: hooksFor('gan', stepper, g, ganValLoss(cfg, perceptual, c.data.lrPatch * c.scale), d) });
      ganGen = asGenerator(g, cloneParams(stepper.exportParams()));
      const info = { iterations: cfg.iterations, fp16: c.export.fp16 };
      await exportModel(join(o.outDir, 'gan.safetensors'), ganGen, 'gan', sets, info);
      files.push('gan.safetensors');
      interpolation = await exportInterpolations(o.outDir, psnrGen, ganGen, c.export.alphas, sets, info, psnrFile);
      files.push(...interpolation.filter((r) => r.alpha > 0 && r.alpha < 1).map((r) => r.file), 'interp.json');
      o.print(formatInterpTable(interpolation));
      stepper.dispose();
      perceptual?.dispose();
      g.dispose();
      d.dispose();
    }
  } finally {
    signals.dispose();
    lpips?.dispose();
    if (pretrained) disposeParams(pretrained.params);
    if (psnrGen) disposeParams(psnrGen.params);
    if (ganGen) disposeParams(ganGen.params);
  }
  if (c.export.golden) {
    const exported = files.filter((f) => f.endsWith('.safetensors'));
    if (exported.length) {
      await writeGoldenFor(exported.map((f) => ({ key: keyOfFile(f), path: join(o.outDir, f) })), join(o.outDir, GOLDEN_FILE), o.print);
      files.push(GOLDEN_FILE);
    }
  }
  return { outDir: o.outDir, files: [...files, 'checkpoint.safetensors'], interpolation };
}
