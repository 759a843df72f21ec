import type * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { vgg19Features } from '../src/archs/vgg19.ts';
import { runGenerator } from '../src/generator.ts';
import { initBackend } from '../src/runtime/backend.ts';
import type { Generator } from '../src/archs/types.ts';
import { fixtureCases, fixtureTensors } from './fixture-files.ts';
import { diffToTorch, loadCase, toTf } from './parity-cases.ts';

/** Forwards of our architectures vs PyTorch reference outputs (tools/pytorch/make_fixtures.py). */
const TOLERANCE = 1e-4;
const report: string[] = [];

describe.each(['wasm', 'cpu'] as const)('PyTorch forward parity on %s', (backend) => {
  it.each(fixtureCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await initBackend({ prefer: backend, log: null });
    const io = fixtureTensors(c.io);
    const x = toTf(io.input) as tf.Tensor4D;
    const { spec, config, params } = await loadCase(c);
    let outputs: Record<string, tf.Tensor>;
    if (c.arch === 'VGG19') outputs = vgg19Features(params, x, config);
    else if (c.arch === 'VGGStyleDiscriminator') outputs = { output: spec.forward(params, x, config, { training: false }) };
    else {
      expect(config).toEqual(spec.parseConfig(c.config));
      const g: Generator = { arch: spec.name, config, scale: 0, params };
      outputs = { output: runGenerator(g, x) };
    }
    for (const [label, ours] of Object.entries(outputs)) {
      const d = diffToTorch(ours, io[label]);
      report.push(`${backend} ${c.name} ${label}: ${d.toExponential(2)}`);
      expect(d, `${c.name} ${label} max abs diff`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

afterAll(() => {
  if (process.env.SR_PARITY_REPORT) console.log(report.join('\n'));
});
