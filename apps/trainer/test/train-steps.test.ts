import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, vgg19 } from '@sr/model';
import { PerceptualLoss } from '../src/losses/perceptual.ts';
import { parseConfig } from '../src/config/load.ts';
import { Rng } from '../src/data/rng.ts';
import { GanStepper } from '../src/train/gan-step.ts';
import { newDiscriminatorNet, newGeneratorNet } from '../src/train/models.ts';
import { PsnrStepper, type StepResult } from '../src/train/psnr-step.ts';
import { readTree } from '../src/train/readback.ts';

await initBackend({ prefer: 'wasm', log: null });

const config = parseConfig({
  scale: 4,
  data: { train: { synthetic: { count: 1, width: 128, height: 128 } }, val: { synthetic: { count: 1, width: 64, height: 64 } }, lrPatch: 32, batchSize: 2 },
  generator: { arch: 'SRVGGNetCompact', config: { num_feat: 8, num_conv: 1, upscale: 4 } },
  discriminator: { config: { num_feat: 4, input_size: 128, norm: 'batch' } },
  phases: {
    psnr: { iterations: 5, optimizer: { lr: 1e-2 }, ema: { decay: 0.5 }, gradClip: 1 },
    gan: {
      iterations: 2,
      optimizerG: { lr: 1e-3 },
      optimizerD: { lr: 1e-3 },
      losses: { r1: { weight: 1 }, translational: { weight: 1, shift: 4 } },
      d: { updatesPerG: 2, instanceNoise: { sigma: 0.1, decayIters: 10 }, labelSmoothing: 0.1, noisyLabels: 0.05, flipLabels: 0.1 },
    },
  },
});

/** The step's device values as numbers (what the loop reads at its logging points). */
const read = (r: StepResult) => readTree({ losses: r.losses, finite: r.finite, dAccuracy: r.dAccuracy, stats: r.stats });

const batch = () => ({
  lr: tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D,
  hr: tf.randomUniform([2, 128, 128, 3], 0, 1, 'float32', 4) as tf.Tensor4D,
});

describe('training steps', () => {
  it('a Net owns its parameters: disposing it frees every tensor', () => {
    const before = tf.memory().numTensors;
    const g = newGeneratorNet(config);
    const d = newDiscriminatorNet(config);
    expect(tf.memory().numTensors - before).toBe(Object.keys({ ...g.vars, ...d.vars, ...d.buffers }).length);
    g.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('psnr: the loss falls on a fixed batch, EMA trails, no tensor leaks', async () => {
    const g = newGeneratorNet(config);
    const stepper = new PsnrStepper(g, config.phases.psnr!);
    const { lr, hr } = batch();
    const losses: number[] = [];
    let tensors = 0;
    for (let i = 0; i < 6; i++) {
      const r = await read(stepper.step(lr, hr, i, i === 5));
      losses.push(r.losses.pix);
      expect(r.finite).toBe(1);
      if (i === 1) tensors = tf.memory().numTensors;
      if (i === 5) expect(r.stats).toHaveProperty('g');
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses[5]).toBeLessThan(losses[0]);
    const name = 'body.0.weight';
    expect(stepper.ema!.params[name].dataSync()).not.toEqual(g.vars[name].dataSync());
  });

  it('gan: every switch on (R1, translational, instance noise, label tricks, 2 D updates) gives finite losses, updates BN stats, no leaks', async () => {
    const g = newGeneratorNet(config);
    const d = newDiscriminatorNet(config);
    const stepper = new GanStepper(g, d, config.phases.gan!, 4, Rng.fromSeed(1), undefined);
    const { lr, hr } = batch();
    const bn = Object.keys(d.buffers).find((k) => k.endsWith('running_mean'))!;
    const before = d.buffers[bn].dataSync().slice();
    let tensors = 0;
    for (let i = 0; i < 3; i++) {
      const r = await read(stepper.step(lr, hr, i, false));
      for (const key of ['g_pix', 'g_gan', 'g_ts', 'd', 'd_r1']) expect(Number.isFinite(r.losses[key]), key).toBe(true);
      expect(r.dAccuracy!.real).toBeGreaterThanOrEqual(0);
      if (i === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(d.buffers[bn].dataSync()).not.toEqual(before);
    expect(stepper.optD.step).toBe(6);
  });

  it('gan with a GroupNorm discriminator (no running stats) and vanilla / relativistic losses', async () => {
    for (const type of ['vanilla', 'relativistic'] as const) {
      const c = structuredClone(config);
      c.discriminator!.config.norm = 'group';
      c.phases.gan!.losses.adversarial.type = type;
      c.phases.gan!.losses.r1 = undefined;
      c.phases.gan!.losses.translational = undefined;
      const g = newGeneratorNet(c);
      const d = newDiscriminatorNet(c);
      expect(Object.keys(d.buffers)).toEqual([]);
      const stepper = new GanStepper(g, d, c.phases.gan!, 4, Rng.fromSeed(2), undefined);
      const { lr, hr } = batch();
      const r = await read(stepper.step(lr, hr, 0, true));
      expect(Number.isFinite(r.losses.d) && Number.isFinite(r.losses.g_gan)).toBe(true);
      expect(r.stats).toHaveProperty('d');
      stepper.dispose();
      g.dispose();
      d.dispose();
    }
  });

  it('gan with a multi-layer perceptual + style loss, AdamW for G and SGD with Nesterov momentum for D: finite, no leaks', async () => {
    const c = structuredClone(config);
    const gan = c.phases.gan!;
    gan.optimizerG = { type: 'adamw', lr: 1e-3, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 1e-2 };
    gan.optimizerD = { type: 'sgd', lr: 1e-3, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0 };
    const p = { weight: 1, layers: { conv1_2: 0.5, conv2_1: 1 }, useInputNorm: true, rangeNorm: false, criterion: 'l1' as const, styleWeight: 10 };
    gan.losses.perceptual = { ...p, vggWeights: 'unused' };
    const vgg = vgg19.init(vgg19.parseConfig({ layers: ['conv2_1'] }), 3);
    const g = newGeneratorNet(c);
    const d = newDiscriminatorNet(c);
    const stepper = new GanStepper(g, d, gan, 4, Rng.fromSeed(3), new PerceptualLoss(vgg, p));
    const { lr, hr } = batch();
    let tensors = 0;
    for (let i = 0; i < 3; i++) {
      const r = await read(stepper.step(lr, hr, i, false));
      for (const key of ['g_percep', 'g_style']) expect(r.losses[key], key).toBeGreaterThan(0);
      if (i === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Object.keys(stepper.tensors())).toEqual(expect.arrayContaining(['optG.m', 'optG.v', 'optD.buf']));
    stepper.dispose();
    g.dispose();
    d.dispose();
  });

  it('gan with feature matching: g_fm is its weighted term, it moves G, D gets no gradient from it, no leaks', async () => {
    const run = async (fmWeight: number) => {
      const c = structuredClone(config);
      c.phases.gan!.losses.featureMatching = { weight: fmWeight, criterion: 'l1', layers: { conv0_0: 1, conv3_1: 0.5 } };
      c.phases.gan!.losses.r1 = undefined;
      c.phases.gan!.losses.translational = undefined;
      const g = newGeneratorNet(c);
      const d = newDiscriminatorNet(c);
      const stepper = new GanStepper(g, d, c.phases.gan!, 4, Rng.fromSeed(4), undefined);
      const { lr, hr } = batch();
      const before = tf.memory().numTensors;
      const r = await read(stepper.step(lr, hr, 0, false));
      // The step's results were read and disposed; what stays is the optimizers' and EMA's state, created on the first step.
      const after = tf.memory().numTensors - before;
      const snapshot = (vars: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.from(v.dataSync())]));
      const out = { losses: r.losses, g: snapshot(g.vars), d: snapshot(d.vars), after };
      stepper.dispose();
      g.dispose();
      d.dispose();
      tf.dispose([lr, hr]);
      return out;
    };
    const off = await run(0);
    const on = await run(2);
    const half = await run(1);
    expect(off.losses).not.toHaveProperty('g_fm');
    expect(on.losses.g_fm).toBeGreaterThan(0);
    expect(on.losses.g_fm).toBe(2 * half.losses.g_fm);
    // Same pixel and adversarial terms: the first G output and D's view of it do not depend on the new term.
    expect(on.losses.g_pix).toBe(off.losses.g_pix);
    expect(on.losses.g_gan).toBe(off.losses.g_gan);
    // D's update is computed from the pre-update G output and its own loss only: bit-identical with and without the term.
    expect(on.d).toEqual(off.d);
    expect(on.g).not.toEqual(off.g);
    expect(on.after).toBe(off.after);
  });
});
