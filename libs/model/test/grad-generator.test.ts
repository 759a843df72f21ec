import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, getGeneratorArch, runGenerator, type Generator } from '../src/index.ts';
import { BACKENDS, useBackend } from './grad-util.ts';

const GENERATORS = [
  ['SRVGGNetCompact', { num_feat: 6, num_conv: 2, upscale: 2 }],
  // A learned 5x5 skip conv (in place of the nearest upsampling) is a second path from the input to the output.
  ['SRVGGNetCompact', { num_feat: 6, num_conv: 2, upscale: 2, skip_kernel: 5 }],
  // x2 exercises pixel_unshuffle, both nearest upsamples, the dense concat and the residual scaling.
  ['RRDBNet', { num_feat: 6, num_block: 1, num_grow_ch: 3, scale: 2 }],
] as const;

function lossFn(g: Generator, x: tf.Tensor4D, target: tf.Tensor4D) {
  const names = Object.keys(g.params);
  return (...values: tf.Tensor[]) => {
    const params = Object.fromEntries(names.map((n, i) => [n, values[i]]));
    const y = runGenerator({ ...g, params }, x);
    return tf.mean(tf.square(tf.sub(y, target))) as tf.Scalar;
  };
}

describe.each(BACKENDS)('whole-generator loss gradient on %s', (backend) => {
  it.each(GENERATORS)('%s: directional derivatives match central differences', async (arch, cfg) => {
    await useBackend(backend);
    const g = createGenerator(arch, cfg, 21);
    const x = tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const target = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const f = lossFn(g, x, target);
    const values = Object.values(g.params);
    const grads = tf.grads(f)(values);
    for (let trial = 0; trial < 3; trial++) {
      const dirs = values.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', 100 * trial + i));
      const read = async (t: tf.Tensor) => (await t.data())[0];
      const norm = Math.sqrt(await read(tf.addN(dirs.map((d) => tf.sum(tf.square(d))))));
      const analytic = (await read(tf.addN(grads.map((gr, i) => tf.sum(tf.mul(gr, dirs[i])))))) / norm;
      const eps = 1e-2;
      const shifted = (s: number) => read(f(...values.map((v, i) => tf.add(v, tf.mul(dirs[i], (s * eps) / norm)))));
      const numeric = ((await shifted(1)) - (await shifted(-1))) / (2 * eps);
      expect(Math.abs(analytic - numeric), `${arch} trial ${trial}: ${analytic} vs ${numeric}`).toBeLessThan(
        2e-2 * Math.abs(numeric) + 1e-5,
      );
      tf.dispose(dirs);
    }
    expect(getGeneratorArch(arch).scaleOf(g.config as never)).toBe(2);
    tf.dispose([...grads, x, target]);
    disposeParams(g.params);
  });
});

describe('training step on wasm', () => {
  it('Adam on a tiny SRVGGNetCompact lowers the loss', async () => {
    await useBackend('wasm');
    const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2 }, 3);
    const vars = Object.fromEntries(Object.entries(g.params).map(([k, v]) => [k, tf.variable(v, true, `srvgg/${k}`)]));
    const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    // Target: a fixed smooth function of the nearest-upsampled input, learnable by the residual body.
    const target = tf.tidy(() => tf.sqrt(tf.image.resizeNearestNeighbor(x, [16, 16]))) as tf.Tensor4D;
    const opt = tf.train.adam(2e-3);
    const losses: number[] = [];
    let tensorsAfterFirstStep = 0;
    for (let step = 0; step < 30; step++) {
      if (step === 1) tensorsAfterFirstStep = tf.memory().numTensors;
      const loss = opt.minimize(
        () => tf.mean(tf.abs(tf.sub(runGenerator({ ...g, params: vars }, x), target))) as tf.Scalar,
        true,
      );
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
    }
    expect(tf.memory().numTensors, 'tensors leaked per training step').toBe(tensorsAfterFirstStep);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(0.7 * losses[0]);
    opt.dispose();
    tf.dispose([...Object.values(vars), x, target]);
    disposeParams(g.params);
  });
});

describe('no tensor leaks', () => {
  it('discriminator training forward + backward with running stats, and generator inference', async () => {
    await useBackend('wasm');
    const { vggDiscriminator } = await import('../src/index.ts');
    const c = { num_in_ch: 3, num_feat: 2, input_size: 128, norm: 'batch' } as const;
    const p = vggDiscriminator.init(c, 1);
    const x = tf.randomUniform([2, 128, 128, 3]) as tf.Tensor4D;
    const g = createGenerator('RRDBNet', { num_feat: 4, num_block: 1, num_grow_ch: 2 }, 1);
    const names = Object.keys(p).filter((k) => !vggDiscriminator.bufferNames(c).includes(k));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const stats = {};
      const grads = tf.grads((...ws: tf.Tensor[]) => {
        const params = { ...p, ...Object.fromEntries(names.map((n, j) => [n, ws[j]])) };
        return tf.mean(vggDiscriminator.forward(params, x, c, { training: true, statsOut: stats }));
      })(names.map((n) => p[n]));
      tf.dispose(grads);
      disposeParams(stats);
      const lr = tf.slice(x, [0, 0, 0, 0], [1, 8, 8, 3]);
      runGenerator(g, lr).dispose();
      lr.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    disposeParams(p);
    disposeParams(g.params);
  });
});
