import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bceWithLogits, discriminatorAccuracy, discriminatorLoss, generatorAdversarialLoss } from '../src/losses/adversarial.ts';
import { pixelLoss } from '../src/losses/pixel.ts';
import { translationalLoss } from '../src/losses/translational.ts';

await tf.setBackend('cpu');
const val = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};
const bce = (x: number, t: number) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));

describe('pixel losses', () => {
  it('l1 and l2 on known values', () => {
    const a = tf.tensor([0, 1, 2, 3]);
    const b = tf.tensor([1, 1, 0, 3]);
    expect(val(pixelLoss('l1', a, b))).toBeCloseTo(0.75);
    expect(val(pixelLoss('l2', a, b))).toBeCloseTo(1.25);
  });
});

describe('adversarial losses', () => {
  const real = tf.tensor([2, -1]);
  const fake = tf.tensor([0.5, -3]);
  it('bce with logits matches the formula, also for large logits', () => {
    expect(val(bceWithLogits(tf.tensor([3]), 1))).toBeCloseTo(bce(3, 1), 6);
    expect(val(bceWithLogits(tf.tensor([-200]), 1))).toBeCloseTo(200, 3);
    expect(val(bceWithLogits(tf.tensor([0.3]), 0.9))).toBeCloseTo(bce(0.3, 0.9), 6);
  });
  it('vanilla, ragan and relativistic D/G losses', () => {
    const mr = 0.5;
    const mf = -1.25;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(val(discriminatorLoss('vanilla', real, fake))).toBeCloseTo(mean([bce(2, 1), bce(-1, 1)]) + mean([bce(0.5, 0), bce(-3, 0)]), 5);
    expect(val(discriminatorLoss('ragan', real, fake))).toBeCloseTo(
      0.5 * (mean([bce(2 - mf, 1), bce(-1 - mf, 1)]) + mean([bce(0.5 - mr, 0), bce(-3 - mr, 0)])),
      5,
    );
    expect(val(discriminatorLoss('relativistic', real, fake))).toBeCloseTo(mean([bce(1.5, 1), bce(2, 1)]), 5);
    expect(val(generatorAdversarialLoss('vanilla', real, fake))).toBeCloseTo(mean([bce(0.5, 1), bce(-3, 1)]), 5);
    expect(val(generatorAdversarialLoss('ragan', real, fake))).toBeCloseTo(
      0.5 * (mean([bce(2 - mf, 0), bce(-1 - mf, 0)]) + mean([bce(0.5 - mr, 1), bce(-3 - mr, 1)])),
      5,
    );
    expect(val(generatorAdversarialLoss('relativistic', real, fake))).toBeCloseTo(mean([bce(-1.5, 1), bce(-2, 1)]), 5);
  });
  it('accuracy counts real scored real and fake scored fake', () => {
    const acc = (a: tf.Tensor, b: tf.Tensor, kind: 'vanilla' | 'relativistic') => {
      const r = discriminatorAccuracy(kind, a, b);
      return { real: r.real.dataSync()[0], fake: r.fake.dataSync()[0] };
    };
    expect(acc(real, fake, 'vanilla')).toEqual({ real: 0.5, fake: 0.5 });
    expect(acc(real, fake, 'relativistic')).toEqual({ real: 1, fake: 1 });
    expect(acc(fake, real, 'vanilla')).toEqual({ real: 0.5, fake: 0.5 });
  });
});

describe('translational loss', () => {
  it('is zero for a translation-equivariant G and positive otherwise', () => {
    const lr = tf.randomUniform([1, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const nearest = (x: tf.Tensor4D) => tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);
    expect(val(translationalLoss(nearest, lr, 2, 2))).toBeCloseTo(0, 6);
    const positional = (x: tf.Tensor4D) => nearest(x).add(tf.linspace(0, 1, x.shape[2] * 2).reshape([1, 1, -1, 1])) as tf.Tensor4D;
    expect(val(translationalLoss(positional, lr, 2, 2))).toBeGreaterThan(0.01);
  });
});
