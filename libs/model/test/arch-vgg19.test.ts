import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, vgg19, vgg19Features, VGG19_LAYERS } from '../src/index.ts';
import { useBackend } from './grad-util.ts';

beforeAll(() => useBackend('wasm'));

describe('VGG19 feature extractor', () => {
  it('uses torchvision features.{n} indices and only the layers up to the deepest requested', () => {
    const all = vgg19.paramShapes(vgg19.parseConfig({ layers: ['conv5_4'] }));
    const idx = Object.keys(all).filter((k) => k.endsWith('.weight')).map((k) => Number(k.split('.')[1]));
    expect(idx).toEqual([0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]);
    expect(all['features.34.weight']).toEqual([3, 3, 512, 512]);
    expect(VGG19_LAYERS.find((l) => l.name === 'pool5')!.index).toBe(36);
    const shallow = vgg19.paramShapes(vgg19.parseConfig({ layers: ['relu2_1'] }));
    expect(Object.keys(shallow)).toEqual(['features.0.weight', 'features.0.bias', 'features.2.weight', 'features.2.bias', 'features.5.weight', 'features.5.bias']);
    expect(() => vgg19.parseConfig({ layers: ['conv6_1'] })).toThrow(/unknown layer/);
  });

  it('normalizes with the ImageNet mean/std and returns every requested layer (conv before ReLU)', () => {
    const c = vgg19.parseConfig({ layers: ['conv1_1', 'relu1_1', 'pool1', 'conv2_1'] });
    const p = vgg19.init(c, 1);
    // Identity-like first conv: picks channel 0 of the normalized input.
    const w = new Float32Array(3 * 3 * 3 * 64);
    w[(1 * 3 + 1) * 3 * 64 + 0 * 64 + 0] = 1;
    p['features.0.weight'] = tf.tensor4d(w, [3, 3, 3, 64]);
    const x = tf.fill([1, 4, 4, 3], 0.2) as tf.Tensor4D;
    const f = vgg19Features(p, x, c);
    expect(f.conv1_1.shape).toEqual([1, 4, 4, 64]);
    expect(f.conv1_1.dataSync()[0]).toBeCloseTo((0.2 - 0.485) / 0.229, 5);
    expect(f.relu1_1.dataSync()[0]).toBe(0);
    expect(f.pool1.shape).toEqual([1, 2, 2, 64]);
    expect(f.conv2_1.shape).toEqual([1, 2, 2, 128]);
    expect(vgg19.forward(p, x, c).shape).toEqual([1, 2, 2, 128]);
    disposeParams(p);
  });
});
