import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, paramsToStateDict, parseSafetensors, vggDiscriminator } from '@sr/model';
import { r1Penalty } from '../src/losses/r1.ts';
import { fixtureDiscriminator, hashedInput } from './discriminator-fixture.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const report: string[] = [];

describe('R1 penalty', () => {
  it('value and gradient match the analytic ones for D(x) = Σ w·x²', async () => {
    await initBackend({ prefer: 'cpu', log: null });
    const w = tf.variable(tf.scalar(0.7));
    const x = tf.tensor4d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 2, 2, 1]);
    const d = (t: tf.Tensor4D) => t.square().mul(w).sum([1, 2, 3]);
    // ∇ₓD = 2wx, so (γ/2)·E‖∇ₓD‖² = (γ/2)·4w²·Σx²/N, and its derivative in w is (γ/2)·8w·Σx²/N.
    const sumSq = 2.04;
    const { value, grads } = tf.variableGrads(() => r1Penalty(d, x, 2), [w]);
    expect(value.dataSync()[0]).toBeCloseTo(4 * 0.49 * (sumSq / 2), 5);
    expect(grads[w.name].dataSync()[0]).toBeCloseTo(8 * 0.7 * (sumSq / 2), 5);
  });

  // Double backprop through the real VGGStyleDiscriminator (num_feat 2, 128 px, training-mode BatchNorm) against
  // torch.autograd.grad(create_graph=True), written by tools/pytorch/make_r1_fixtures.py.
  describe.each(['wasm', 'cpu'] as const)('exact on the VGG discriminator vs PyTorch double backprop (%s)', (backend) => {
    it.each(['batch', 'none'] as const)('norm %s', async (norm) => {
      await initBackend({ prefer: backend, log: null });
      const file = parseSafetensors(new Uint8Array(readFileSync(join(import.meta.dirname, `fixtures/r1-${norm}.safetensors`))));
      const weight = Number(file.metadata.weight);
      const { config, vars, buffers, params } = fixtureDiscriminator(file, norm);
      const d = (x: tf.Tensor4D) => vggDiscriminator.forward(params, x, config, { training: true });
      const x = hashedInput([2, 128, 128, 3]);

      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => r1Penalty(d, x, weight), Object.values(vars));
      const byName = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, grads[v.name]]).filter(([, g]) => g !== undefined));
      const ours = await paramsToStateDict(byName);
      const penalty = (await value.data())[0];
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);

      const refPenalty = file.tensors.penalty.data[0];
      expect(Math.abs(penalty - refPenalty) / refPenalty).toBeLessThan(1e-4);
      const refNames = Object.keys(file.tensors).filter((k) => k.startsWith('grad.')).map((k) => k.slice(5));
      expect(Object.keys(ours).sort()).toEqual(refNames.sort());
      const flat = (get: (n: string) => Float32Array) => Float32Array.from(refNames.flatMap((n) => Array.from(get(n))));
      const a = flat((n) => ours[n].data as Float32Array);
      const b = flat((n) => file.tensors[`grad.${n}`].data as Float32Array);
      const cosine = dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
      const magnitude = Math.sqrt(dot(a, a) / dot(b, b));
      let worst = 0;
      for (const n of refNames) {
        const ref = file.tensors[`grad.${n}`].data;
        const scale = Math.max(...Array.from(ref, Math.abs));
        const diff = Math.max(...Array.from(ours[n].data, (v, i) => Math.abs(v - ref[i])));
        worst = Math.max(worst, diff / Math.max(scale, 1e-12));
      }
      report.push(`${backend} norm ${norm}: penalty ${penalty} vs ${refPenalty}, cosine ${cosine}, |ours|/|torch| ${magnitude}, worst per-tensor rel diff ${worst.toExponential(2)}`);
      expect(cosine).toBeGreaterThanOrEqual(0.99);
      expect(Math.abs(magnitude - 1)).toBeLessThan(0.05);
      // Far tighter than the acceptance bounds above: the gradient is the exact one, up to float32 rounding.
      expect(worst).toBeLessThan(1e-3);
      tf.dispose([x, ...Object.values(vars), ...Object.values(buffers)]);
    });
  });
});

afterAll(() => {
  if (process.env.SR_PARITY_REPORT) console.log(report.join('\n'));
});
