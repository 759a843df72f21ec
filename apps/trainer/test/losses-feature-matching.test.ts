import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, parseSafetensors, vggDiscriminator, vggDiscriminatorFeatureNames, type ParamMap } from '@sr/model';
import type { FeatureMatchingConfig } from '../src/config/schema.ts';
import { featureLayerWeights, featureMatchingLoss } from '../src/losses/feature-matching.ts';
import { fixtureDiscriminator, hashedInput } from './discriminator-fixture.ts';

// tools/pytorch/make_feature_matching_fixtures.py: a VGGStyleDiscriminator (num_feat 2, 128 px, training-mode
// BatchNorm), SR = the hashed input, HR = 1 − SR flipped vertically; the loss and its SR gradient (image 0) per case.
const file = parseSafetensors(new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures/feature-matching.safetensors'))));
const CASES: Record<string, FeatureMatchingConfig> = {
  mean_l1: { weight: 1, criterion: 'l1' },
  weighted_l2: { weight: 1, criterion: 'l2', layers: { conv0_0: 0.5, conv2_1: 1, conv4_1: 2 } },
};
const report: string[] = [];

/** The fixture's D and images, and the loss as a function of SR (HR's activations computed once, outside any tape). */
function setup(cfg: FeatureMatchingConfig) {
  const d = fixtureDiscriminator(file, 'batch');
  const activations = (x: tf.Tensor4D): ParamMap => {
    const out: ParamMap = {};
    tf.dispose(vggDiscriminator.forward(d.params, x, d.config, { training: true, featuresOut: out }));
    return out;
  };
  const sr = hashedInput([2, 128, 128, 3]);
  const hr = tf.tidy(() => tf.scalar(1).sub(tf.reverse(sr, 1)) as tf.Tensor4D);
  const real = activations(hr);
  const weights = featureLayerWeights(cfg, vggDiscriminatorFeatureNames(d.config));
  const loss = (x: tf.Tensor4D): tf.Scalar =>
    tf.tidy(() => {
      const fake = activations(x);
      const l = featureMatchingLoss(fake, real, weights, cfg.criterion);
      tf.dispose(Object.values(fake));
      return l;
    });
  const dispose = () => tf.dispose([sr, hr, ...Object.values(real), ...Object.values(d.params)]);
  return { sr, hr, real, loss, dispose };
}

const value = async (t: tf.Tensor) => (await t.data())[0];

describe('feature-matching loss', () => {
  it('the discriminator exposes every layer activation, named as its parameters, without changing its logits', async () => {
    await initBackend({ prefer: 'wasm', log: null });
    const d = fixtureDiscriminator(file, 'batch');
    const x = hashedInput([2, 128, 128, 3]);
    const features: ParamMap = {};
    const before = tf.memory().numTensors;
    const withFeatures = vggDiscriminator.forward(d.params, x, d.config, { training: true, featuresOut: features });
    const names = vggDiscriminatorFeatureNames(d.config);
    expect(Object.keys(features)).toEqual(names);
    expect(names).toEqual(['conv0_0', 'conv0_1', 'conv1_0', 'conv1_1', 'conv2_0', 'conv2_1', 'conv3_0', 'conv3_1', 'conv4_0', 'conv4_1']);
    expect(vggDiscriminatorFeatureNames({ input_size: 256 }).slice(-2)).toEqual(['conv5_0', 'conv5_1']);
    expect(features.conv0_0.shape).toEqual([2, 128, 128, 2]);
    expect(features.conv4_1.shape).toEqual([2, 4, 4, 16]);
    // The caller owns exactly the logits and the activations.
    expect(tf.memory().numTensors - before).toBe(1 + names.length);
    const plain = vggDiscriminator.forward(d.params, x, d.config, { training: true });
    expect(Array.from(await withFeatures.data())).toEqual(Array.from(await plain.data()));
    tf.dispose([x, withFeatures, plain, ...Object.values(features), ...Object.values(d.params)]);
  });

  it('default layer weights are the mean over all layers; configured ones drop zero weights', () => {
    const names = ['a', 'b', 'c', 'd'];
    expect(featureLayerWeights({ weight: 1, criterion: 'l1' }, names)).toEqual({ a: 0.25, b: 0.25, c: 0.25, d: 0.25 });
    expect(featureLayerWeights({ weight: 1, criterion: 'l1', layers: { b: 2, c: 0 } }, names)).toEqual({ b: 2 });
  });

  it('value: Σ_l w_l · mean |a_l − b_l| by hand', async () => {
    await initBackend({ prefer: 'cpu', log: null });
    const a = { x: tf.tensor([1, 2, 3, 4]), y: tf.tensor([0, 0]) };
    const b = { x: tf.tensor([1, 0, 3, 0]), y: tf.tensor([1, -3]) };
    // x: mean |[0, 2, 0, 4]| = 1.5, mean [0, 4, 0, 16] = 5; y: mean |[-1, 3]| = 2, mean [1, 9] = 5.
    expect(await value(featureMatchingLoss(a, b, { x: 2, y: 0.5 }, 'l1'))).toBeCloseTo(2 * 1.5 + 0.5 * 2, 6);
    expect(await value(featureMatchingLoss(a, b, { x: 2, y: 0.5 }, 'l2'))).toBeCloseTo(2 * 5 + 0.5 * 5, 6);
    expect(() => featureMatchingLoss(a, b, { z: 1 }, 'l1')).toThrow(/no activation "z"/);
    tf.dispose([...Object.values(a), ...Object.values(b)]);
  });

  describe.each(['wasm', 'cpu'] as const)('matches PyTorch on the VGG discriminator (%s)', (backend) => {
    it.each(Object.keys(CASES))('%s: loss and its gradient with respect to SR', async (name) => {
      await initBackend({ prefer: backend, log: null });
      const s = setup(CASES[name]);
      const before = tf.memory().numTensors;
      const loss = s.loss(s.sr);
      const grad = tf.grad((x: tf.Tensor) => s.loss(x as tf.Tensor4D))(s.sr);
      const ours = await value(loss);
      const image0 = tf.slice(grad, 0, 1);
      const g0 = (await image0.data()) as Float32Array;
      tf.dispose([loss, grad, image0]);
      expect(tf.memory().numTensors).toBe(before);
      const ref = file.tensors[`${name}.loss`].data[0];
      const refGrad = file.tensors[`${name}.grad0`].data;
      const scale = Math.max(...Array.from(refGrad, Math.abs));
      const worst = Math.max(...Array.from(g0, (v, i) => Math.abs(v - refGrad[i]))) / scale;
      report.push(`${backend} ${name}: loss ${ours} vs ${ref}, worst grad rel diff ${worst.toExponential(2)}`);
      expect(Math.abs(ours - ref) / ref).toBeLessThan(1e-5);
      expect(worst).toBeLessThan(1e-3);
      s.dispose();
    });
  });

  // Central differences (cpu, float32) along directions with a large directional derivative: the analytic gradient
  // itself and a random ±1 pattern over image 0; a single pixel's derivative is below float32 resolution of the loss.
  it.each(Object.keys(CASES))('%s: finite differences agree with the analytic SR gradient (cpu)', async (name) => {
    await initBackend({ prefer: 'cpu', log: null });
    const s = setup(CASES[name]);
    const grad = tf.grad((x: tf.Tensor) => s.loss(x as tf.Tensor4D))(s.sr) as tf.Tensor4D;
    const n = s.sr.size;
    let seed = 7;
    const signs = Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? ((seed = (seed * 1103515245 + 12345) >>> 0) & 1 ? 1 : -1) : 0));
    const directions = {
      gradient: tf.tidy(() => grad.div(grad.norm())) as tf.Tensor4D,
      random: tf.tidy(() => tf.tensor4d(signs, s.sr.shape).div(Math.sqrt(n / 2))) as tf.Tensor4D,
    };
    const eps = 5e-3;
    for (const [dir, v] of Object.entries(directions)) {
      const analytic = await value(tf.tidy(() => grad.mul(v).sum()));
      const plus = await value(tf.tidy(() => s.loss(s.sr.add(v.mul(eps)))));
      const minus = await value(tf.tidy(() => s.loss(s.sr.sub(v.mul(eps)))));
      const numeric = (plus - minus) / (2 * eps);
      report.push(`cpu ${name} ${dir}: numeric ${numeric} vs analytic ${analytic}`);
      expect(Math.abs(numeric - analytic) / Math.abs(analytic), dir).toBeLessThan(0.02);
    }
    tf.dispose([grad, ...Object.values(directions)]);
    s.dispose();
  });
});

afterAll(() => {
  if (process.env.SR_PARITY_REPORT) console.log(report.join('\n'));
});
