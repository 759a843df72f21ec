import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParamMap } from '../src/archs/types.ts';
import { initBackend } from '../src/runtime/backend.ts';
import { paramsToStateDict } from '../src/weights/state-dict.ts';
import { fixtureCases, fixtureTensors, maxAbsDiff } from './fixture-files.ts';
import { diffToTorch, loadCase, toTf } from './parity-cases.ts';

/**
 * Gradients of sum(net(x) · upstream) w.r.t. the input and every parameter vs PyTorch autograd: what training
 * relies on (custom conv/pool/resize gradients, pixel (un)shuffle, PReLU, BatchNorm in train mode with its
 * running-statistics update). Errors are relative to the largest reference gradient of each tensor.
 */
const TOLERANCE = 1e-4;
const report: string[] = [];

function relDiff(label: string, d: number, scale: number): void {
  const rel = d / Math.max(scale, 1e-6);
  report.push(`${label}: ${rel.toExponential(2)} (abs ${d.toExponential(2)})`);
  expect(rel, label).toBeLessThanOrEqual(TOLERANCE);
}

const maxAbs = (a: ArrayLike<number>) => maxAbsDiff(a, new Float32Array(a.length));

describe.each(['wasm', 'cpu'] as const)('PyTorch gradient parity on %s', (backend) => {
  // tfjs-cpu's Conv2DBackpropInput takes ~5 s per 512x512 3x3 conv even at 2x2 pixels: VGG19 runs on wasm only.
  const cases = fixtureCases().filter((c) => c.grad && (backend === 'wasm' || c.arch !== 'VGG19'));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await initBackend({ prefer: backend, log: null });
    const ref = fixtureTensors(c.grad!);
    const { spec, config, params } = await loadCase(c);
    const names = Object.keys(ref).filter((k) => k.startsWith('param.')).map((k) => k.slice('param.'.length));
    const upstream = toTf(ref.upstream);
    const training = c.grad_mode === 'train';
    const statsOut: ParamMap = {};
    const loss = (x: tf.Tensor, ...ps: tf.Tensor[]) => {
      const p: ParamMap = { ...params };
      names.forEach((n, i) => (p[n] = ps[i]));
      return tf.sum(tf.mul(spec.forward(p, x as tf.Tensor4D, config, training ? { training, statsOut } : {}), upstream));
    };
    const [dx, ...dps] = tf.grads(loss)([toTf(ref.x), ...names.map((n) => params[n])]);
    relDiff(`${backend} ${c.name} d/dinput`, diffToTorch(dx, ref.input), maxAbs(ref.input.data));
    const ours = await paramsToStateDict(Object.fromEntries(names.map((n, i) => [n, dps[i]])));
    for (const n of names) {
      const expected = ref[`param.${n}`];
      relDiff(`${backend} ${c.name} d/d${n}`, maxAbsDiff(ours[n].data, expected.data), maxAbs(expected.data));
    }
    for (const k of Object.keys(ref).filter((key) => key.startsWith('buffer.'))) {
      const n = k.slice('buffer.'.length);
      relDiff(`${backend} ${c.name} ${n} after a train step`, diffToTorch(statsOut[n], ref[k]), maxAbs(ref[k].data));
    }
  });
});

afterAll(() => {
  if (process.env.SR_PARITY_REPORT) console.log(report.join('\n'));
});
