import * as tf from '@tensorflow/tfjs';
import { getArch } from '../src/archs/registry.ts';
import type { ArchSpec, ParamMap } from '../src/archs/types.ts';
import type { HostTensor } from '../src/weights/host-tensor.ts';
import { torchShape } from '../src/weights/layout.ts';
import { importWeights } from '../src/weights/model-file.ts';
import { readPth } from '../src/weights/pth.ts';
import { stateDictToParams } from '../src/weights/state-dict.ts';
import { type FixtureCase, fixtureBytes, maxAbsDiff, nchwToNhwc } from './fixture-files.ts';
import { hashStateDict } from './parity-hash-weights.ts';

export interface LoadedCase {
  spec: ArchSpec<any, tf.Tensor>;
  config: any;
  params: ParamMap;
}

/** A fixture case's network with PyTorch's weights: generators through the full importer, the rest by name. */
export async function loadCase(c: FixtureCase): Promise<LoadedCase> {
  const spec = getArch(c.arch);
  if (c.arch === 'RRDBNet' || c.arch === 'SRVGGNetCompact') {
    const { generator } = await importWeights(fixtureBytes(c.pth!));
    return { spec, config: generator.config, params: generator.params };
  }
  if (c.arch === 'VGGStyleDiscriminator') {
    const config = spec.parseConfig(c.config);
    return { spec, config, params: stateDictToParams(readPth(fixtureBytes(c.pth!)).stateDict, spec.paramShapes(config)) };
  }
  // VGG19: raw features (no ImageNet normalization), weights derived like make_fixtures.py's hash_weights_.
  const config = spec.parseConfig({ layers: c.layers, use_input_norm: false, range_norm: false });
  const shapes = spec.paramShapes(config);
  const ordered = Object.keys(shapes)
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]) || (a.endsWith('weight') ? -1 : 1))
    .map((k): [string, number[]] => [k, torchShape(shapes[k])]);
  return { spec, config, params: stateDictToParams(hashStateDict(ordered), shapes) };
}

/** A PyTorch tensor as a tf tensor in our layout (NCHW activations → NHWC). */
export function toTf(t: HostTensor): tf.Tensor {
  if (t.shape.length !== 4) return tf.tensor(t.data, t.shape);
  const x = nchwToNhwc(t);
  return tf.tensor4d(x.data, x.shape);
}

/** Max abs difference between ours (any layout already matching `ref` once NCHW is mapped to NHWC) and PyTorch. */
export function diffToTorch(ours: tf.Tensor, ref: HostTensor): number {
  const expected = ref.shape.length === 4 ? nchwToNhwc(ref) : ref;
  if (ours.shape.join() !== expected.shape.join()) throw new Error(`shape ${ours.shape} vs PyTorch ${expected.shape}`);
  return maxAbsDiff(ours.dataSync(), expected.data);
}
