import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Adam, clipGradNorm, Ema } from '../src/train/adam.ts';
import { learningRate } from '../src/train/schedulers.ts';

await tf.setBackend('cpu');

describe('schedulers', () => {
  it('multistep, step and constant', () => {
    const ms = { type: 'multistep' as const, milestones: [2, 4], gamma: 0.5 };
    expect([0, 1, 2, 3, 4, 5].map((i) => learningRate(ms, 1, i))).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
    expect([0, 2, 3, 6].map((i) => learningRate({ type: 'step', stepSize: 3, gamma: 0.1 }, 1, i))).toEqual([1, 1, 0.1, 0.1 ** 2]);
    expect(learningRate({ type: 'constant' }, 0.3, 99)).toBe(0.3);
  });
  it('cosine with restarts (BasicSR CosineAnnealingRestartLR)', () => {
    const c = { type: 'cosine' as const, periods: [4, 4], restartWeights: [1, 0.5], etaMin: 0 };
    expect(learningRate(c, 1, 0)).toBeCloseTo(1);
    expect(learningRate(c, 1, 2)).toBeCloseTo(0.5);
    expect(learningRate(c, 1, 4)).toBeCloseTo(0);
    expect(learningRate(c, 1, 5)).toBeCloseTo(0.5 * 0.5 * (1 + Math.cos(Math.PI / 4)));
    expect(learningRate(c, 1, 100)).toBe(0);
  });
});

describe('Adam', () => {
  it('matches torch.optim.Adam by hand for two steps', () => {
    const p = { w: tf.variable(tf.tensor([1, -2])) };
    const adam = new Adam({ lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0 }, p);
    const g1 = [0.5, -1];
    const g2 = [0.1, 0.3];
    adam.apply(p, { w: tf.tensor(g1) }, 0.1);
    adam.apply(p, { w: tf.tensor(g2) }, 0.1);
    const expected = [1, -2].map((w0, i) => {
      let w = w0;
      let m = 0;
      let v = 0;
      [g1[i], g2[i]].forEach((g, k) => {
        const t = k + 1;
        m = 0.9 * m + 0.1 * g;
        v = 0.99 * v + 0.01 * g * g;
        w -= (0.1 / (1 - 0.9 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.99 ** t) + 1e-8));
      });
      return w;
    });
    const got = p.w.dataSync();
    expect(got[0]).toBeCloseTo(expected[0], 5);
    expect(got[1]).toBeCloseTo(expected[1], 5);
    expect(adam.step).toBe(2);
  });

  it('clips the global gradient norm', () => {
    const { grads, norm } = clipGradNorm({ a: tf.tensor([3]), b: tf.tensor([4]) }, 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5);
    expect(grads.a.dataSync()[0]).toBeCloseTo(0.6, 4);
    expect(grads.b.dataSync()[0]).toBeCloseTo(0.8, 4);
    const below = clipGradNorm({ a: tf.tensor([0.3]) }, 1);
    expect(below.grads.a.dataSync()[0]).toBe(Math.fround(0.3));
  });

  it('a non-finite step leaves parameters and moments untouched (decided on the device)', () => {
    const p = { w: tf.variable(tf.tensor([1, 2])) };
    const adam = new Adam({ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, p);
    adam.apply(p, { w: tf.tensor([NaN, 1]) }, 0.1, tf.scalar(false, 'bool'));
    expect(Array.from(p.w.dataSync())).toEqual([1, 2]);
    expect(Array.from(adam.m.w.dataSync())).toEqual([0, 0]);
    adam.apply(p, { w: tf.tensor([1, 1]) }, 0.1, tf.scalar(true, 'bool'));
    // The skipped step still counts for the bias correction (the host never learns it was skipped):
    // m = 0.1, v = 1e-3, step 2 → 1 − 0.1·(0.1/0.19)/(√1e-3/√(1 − 0.999²)).
    expect(adam.step).toBe(2);
    expect(p.w.dataSync()[0]).toBeCloseTo(1 - (0.1 * (0.1 / 0.19)) / (Math.sqrt(1e-3) / Math.sqrt(1 - 0.999 ** 2)), 5);
  });

  it('EMA follows decay·ema + (1−decay)·p', () => {
    const p = { w: tf.tensor([1]) };
    const ema = new Ema(0.9, p);
    ema.update({ w: tf.tensor([2]) }, 0);
    ema.update({ w: tf.tensor([3]) }, 1);
    expect(ema.params.w.dataSync()[0]).toBeCloseTo(0.9 * (0.9 * 1 + 0.1 * 2) + 0.1 * 3, 6);
  });

  it('EMA warmup uses min(decay, (1+t)/(10+t)) so early steps follow the weights closely', () => {
    const ema = new Ema(0.999, { w: tf.tensor([0]) }, true);
    expect(ema.decayAt(0)).toBeCloseTo(0.1, 12);
    expect(ema.decayAt(90)).toBeCloseTo(0.91, 12);
    expect(ema.decayAt(1e6)).toBe(0.999);
    ema.update({ w: tf.tensor([10]) }, 0);
    expect(ema.params.w.dataSync()[0]).toBeCloseTo(0.1 * 0 + 0.9 * 10, 5);
  });
});
