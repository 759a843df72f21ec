import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { getArch } from '../src/archs/registry.ts';
import { vgg19Features, type VGG19Config } from '../src/archs/vgg19.ts';
import { runGenerator } from '../src/generator.ts';
import { initBackend } from '../src/runtime/backend.ts';
import { importWeights } from '../src/weights/model-file.ts';
import { readPth } from '../src/weights/pth.ts';
import { stateDictToParams } from '../src/weights/state-dict.ts';
import { torchShape } from '../src/weights/layout.ts';
import type { HostTensor } from '../src/weights/host-tensor.ts';
import { type FixtureCase, fixtureBytes, fixtureCases, fixtureTensors, maxAbsDiff, nchwToNhwc } from './fixture-files.ts';
import { hashStateDict } from './parity-hash-weights.ts';

/** Forwards of our architectures vs PyTorch reference outputs (tools/pytorch/make_fixtures.py). */
const TOLERANCE = 1e-4;
const diffs: string[] = [];

function input(io: Record<string, HostTensor>): tf.Tensor4D {
  const x = nchwToNhwc(io.input);
  return tf.tensor4d(x.data, x.shape);
}

/** Runs the case and returns [label, ours NHWC, PyTorch NCHW reference] for every compared output. */
async function run(c: FixtureCase): Promise<Array<[string, tf.Tensor, HostTensor]>> {
  const io = fixtureTensors(c.io);
  const x = input(io);
  if (c.arch === 'RRDBNet' || c.arch === 'SRVGGNetCompact') {
    const { generator } = await importWeights(fixtureBytes(c.pth!));
    expect(generator.config).toEqual(getArch(c.arch).parseConfig(c.config));
    return [['output', runGenerator(generator, x), io.output]];
  }
  if (c.arch === 'VGGStyleDiscriminator') {
    const spec = getArch(c.arch);
    const cfg = spec.parseConfig(c.config);
    const params = stateDictToParams(readPth(fixtureBytes(c.pth!)).stateDict, spec.paramShapes(cfg));
    return [['output', spec.forward(params, x, cfg, { training: false }), io.output]];
  }
  const cfg: VGG19Config = getArch('VGG19').parseConfig({ layers: c.layers, use_input_norm: false, range_norm: false });
  const shapes = getArch('VGG19').paramShapes(cfg);
  const ordered = Object.keys(shapes)
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]) || (a.endsWith('weight') ? -1 : 1))
    .map((k): [string, number[]] => [k, torchShape(shapes[k])]);
  const feats = vgg19Features(stateDictToParams(hashStateDict(ordered), shapes), x, cfg);
  return c.layers!.map((l) => [l, feats[l], io[l]]);
}

describe.each(['wasm', 'cpu'] as const)('PyTorch parity on %s', (backend) => {
  it.each(fixtureCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await initBackend({ prefer: backend, log: null });
    for (const [label, ours, ref] of await run(c)) {
      const expected = ref.shape.length === 4 ? nchwToNhwc(ref) : ref;
      expect(ours.shape, label).toEqual(expected.shape);
      const d = maxAbsDiff(ours.dataSync(), expected.data);
      diffs.push(`${backend} ${c.name} ${label}: ${d.toExponential(2)}`);
      expect(d, `${c.name} ${label} max abs diff`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

afterAll(() => {
  if (process.env.SR_PARITY_REPORT) console.log(diffs.join('\n'));
});
