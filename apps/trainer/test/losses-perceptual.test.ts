import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, paramsToStateDict, serializeSafetensors, vgg19 } from '@sr/model';
import { CliError } from '../src/cli-error.ts';
import { loadPerceptual } from '../src/train/models.ts';

await initBackend({ prefer: 'cpu', log: null });

const dir = mkdtempSync(join(tmpdir(), 'sr-vgg-'));
const file = join(dir, 'vgg.safetensors');
{
  const params = vgg19.init(vgg19.parseConfig({ layers: ['conv2_1'] }), 1);
  // The whole-network file may hold deeper layers than the loss needs: they are ignored.
  const extra = { 'features.10.weight': { shape: [1], data: new Float32Array([0]) } };
  writeFileSync(file, serializeSafetensors({ ...(await paramsToStateDict(params)), ...extra }));
}

describe('perceptual loss', () => {

  it('loads torchvision-named VGG19 weights and measures feature distance with gradients to the SR', () => {
    const loss = loadPerceptual(file, 'conv2_1', 'l1');
    const a = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const b = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect(loss.loss(a, a).dataSync()[0]).toBe(0);
    expect(loss.loss(a, b).dataSync()[0]).toBeGreaterThan(0);
    const g = tf.grad((x: tf.Tensor) => loss.loss(x as tf.Tensor4D, b))(a);
    expect(tf.abs(g).sum().dataSync()[0]).toBeGreaterThan(0);
    loss.dispose();
  });

  it('a file without the needed layers is a clear error naming it', () => {
    expect(() => loadPerceptual(file, 'conv3_1', 'l1')).toThrow(CliError);
    expect(() => loadPerceptual(file, 'conv3_1', 'l1')).toThrow(/vgg\.safetensors.*missing/);
    expect(() => loadPerceptual(join(dir, 'nope.safetensors'), 'conv2_1', 'l1')).toThrow(/nope\.safetensors/);
  });
});
