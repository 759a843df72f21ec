import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../src/config/load.ts';
import { CliError } from '../src/cli-error.ts';
import { optimizerSchema, schedulerSchema } from '../src/config/schema.ts';
import { createOptimizer, optimizerGroups } from '../src/train/optimizers/index.ts';
import { learningRate } from '../src/train/schedulers.ts';

await tf.setBackend('cpu');

interface Case {
  optimizer: Record<string, unknown>;
  scheduler: Record<string, unknown>;
  lrs: number[];
  w: number[][];
  b: number[][];
}
/** torch.optim trajectories written by tools/pytorch/make_optim_fixtures.py (torch 1.13, float32). */
const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/optim.json'), 'utf8')) as {
  problem: { w0: number[][]; t: number[][]; a: number[][]; b0: number[]; s: number[]; steps: number };
  cases: Record<string, Case>;
};

/** The fixture's toy loss: sum(a·(w − t)² + 0.1·(w − t)⁴) + sum((b − s)²). */
function toyLoss(w: tf.Tensor, b: tf.Tensor): tf.Scalar {
  const { t, a, s } = FIXTURE.problem;
  const dw = w.sub(tf.tensor2d(t));
  return tf.tidy(() => tf.tensor2d(a).mul(dw.square()).add(dw.pow(4).mul(0.1)).sum().add(b.sub(tf.tensor1d(s)).square().sum()) as tf.Scalar);
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));

describe('optimizers and warmup match torch.optim on a toy problem', () => {
  for (const [name, c] of Object.entries(FIXTURE.cases)) {
    it(name, () => {
      const optCfg = optimizerSchema.parse(c.optimizer);
      const schedCfg = schedulerSchema.parse(c.scheduler);
      const params = { w: tf.variable(tf.tensor2d(FIXTURE.problem.w0)), b: tf.variable(tf.tensor1d(FIXTURE.problem.b0)) };
      const opt = createOptimizer(optCfg, params);
      const before = tf.memory().numTensors;
      let worst = 0;
      for (let i = 0; i < FIXTURE.problem.steps; i++) {
        const lr = learningRate(schedCfg, optCfg.lr, i);
        expect(Math.abs(lr - c.lrs[i])).toBeLessThan(1e-12);
        const { grads, value } = tf.variableGrads(() => toyLoss(params.w, params.b), [params.w, params.b]);
        const named = { w: grads[params.w.name], b: grads[params.b.name] };
        opt.apply(params, named, lr, tf.scalar(true, 'bool'));
        tf.dispose([value, ...Object.values(named)]);
        worst = Math.max(worst, maxAbs(params.w.dataSync(), c.w[i]), maxAbs(params.b.dataSync(), c.b[i]));
      }
      if (process.env.SR_PARITY_REPORT) console.log(name, worst);
      expect(worst).toBeLessThan(1e-6);
      expect(opt.step).toBe(FIXTURE.problem.steps);
      // The device-side finite flag above is a fresh scalar per step; everything else is assigned in place.
      expect(tf.memory().numTensors - before).toBe(FIXTURE.problem.steps);
      opt.dispose();
      tf.dispose(Object.values(params));
    });
  }

  it('a non-finite step leaves SGD momentum and AdamW parameters untouched', () => {
    for (const cfg of [{ type: 'sgd', lr: 0.1, momentum: 0.9 }, { type: 'adamw', lr: 0.1 }]) {
      const params = { w: tf.variable(tf.tensor1d([1, 2])) };
      const opt = createOptimizer(optimizerSchema.parse(cfg), params);
      opt.apply(params, { w: tf.tensor1d([0.5, 0.5]) }, 0.1);
      const snapshot = [params.w, ...Object.values(opt.slots()).map((s) => s.w)].map((t) => Array.from(t.dataSync()));
      opt.apply(params, { w: tf.tensor1d([NaN, 1]) }, 0.1, tf.scalar(false, 'bool'));
      const after = [params.w, ...Object.values(opt.slots()).map((s) => s.w)].map((t) => Array.from(t.dataSync()));
      expect(after).toEqual(snapshot);
      opt.dispose();
    }
  });

  it('checkpoint groups per optimizer kind', () => {
    const params = { w: tf.variable(tf.zeros([2])) };
    const groupsOf = (cfg: object) => Object.keys(optimizerGroups('optG', createOptimizer(optimizerSchema.parse(cfg), params)));
    expect(groupsOf({ lr: 1 })).toEqual(['optG.m', 'optG.v']);
    expect(groupsOf({ type: 'adamw', lr: 1 })).toEqual(['optG.m', 'optG.v']);
    expect(groupsOf({ type: 'sgd', lr: 1, momentum: 0.9 })).toEqual(['optG.buf']);
    expect(groupsOf({ type: 'sgd', lr: 1 })).toEqual([]);
  });
});

describe('optimizer and schedule config', () => {
  const base = (psnr: Record<string, unknown>) => ({
    scale: 4,
    data: { train: { synthetic: { count: 2, width: 64, height: 64 } }, val: { synthetic: { count: 1, width: 64, height: 64 } }, lrPatch: 8, batchSize: 2 },
    generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 4 } },
    phases: { psnr: { iterations: 100, optimizer: { lr: 1e-3 }, ...psnr } },
  });
  const message = (raw: unknown) => {
    try {
      parseConfig(raw);
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      return (err as Error).message;
    }
    return 'accepted';
  };

  it('defaults: Adam without a type, AdamW with torch decay 1e-2, plain SGD', () => {
    expect(parseConfig(base({})).phases.psnr!.optimizer).toEqual({ lr: 1e-3, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0 });
    expect(parseConfig(base({ optimizer: { type: 'adamw', lr: 1e-3 } })).phases.psnr!.optimizer.weightDecay).toBe(1e-2);
    expect(parseConfig(base({ optimizer: { type: 'sgd', lr: 1e-3 } })).phases.psnr!.optimizer).toEqual({ type: 'sgd', lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
  });

  it('names the field of a bad optimizer', () => {
    expect(message(base({ optimizer: { type: 'sgd', lr: 1, betas: [0.9, 0.9] } }))).toMatch(/phases\.psnr\.optimizer.*betas/);
    expect(message(base({ optimizer: { type: 'sgd', lr: 1, nesterov: true } }))).toMatch(/phases\.psnr\.optimizer\.nesterov.*momentum > 0/);
    expect(message(base({ optimizer: { type: 'lamb', lr: 1 } }))).toMatch(/phases\.psnr\.optimizer\.type/);
  });

  it('cosine periods must cover the phase; warmup must fit; restart weights pair with periods', () => {
    expect(message(base({ scheduler: { type: 'cosine', periods: [60] } }))).toMatch(
      /config field "phases\.psnr\.scheduler\.periods": sum to 60, but the phase runs 100 iterations/,
    );
    expect(message(base({ scheduler: { type: 'cosine', periods: [50, 50] } }))).toBe('accepted');
    expect(message(base({ scheduler: { type: 'cosine', periods: [50, 50], restartWeights: [1] } }))).toMatch(/scheduler\.restartWeights": has 1 entries for 2 periods/);
    expect(message(base({ scheduler: { type: 'step', stepSize: 10, warmup: 101 } }))).toMatch(/scheduler\.warmup": is 101, longer than the phase/);
    const gan = { ...base({}), discriminator: { config: { num_feat: 4, input_size: 128 } } } as Record<string, unknown>;
    (gan.data as Record<string, unknown>).lrPatch = 32;
    (gan.phases as Record<string, unknown>).gan = { iterations: 10, optimizerG: { lr: 1 }, optimizerD: { lr: 1 }, schedulerD: { type: 'cosine', periods: [5] } };
    expect(message(gan)).toMatch(/"phases\.gan\.schedulerD\.periods": sum to 5/);
  });

  it('warmup scales every schedule linearly over its first iterations', () => {
    const cos = { type: 'cosine' as const, periods: [10], etaMin: 0, warmup: 4 };
    expect([0, 1, 2, 3].map((i) => learningRate(cos, 1, i) / learningRate({ ...cos, warmup: undefined }, 1, i))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRate(cos, 1, 4)).toBe(learningRate({ ...cos, warmup: undefined }, 1, 4));
  });
});
