import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, paramsToStateDict, parseSafetensors, serializeSafetensors, stateDictToParams, vgg19, type StateDict } from '@sr/model';
import { torchShape } from '../../../libs/model/src/weights/layout.ts';
import { hashStateDict } from '../../../libs/model/test/parity-hash-weights.ts';
import { CliError } from '../src/cli-error.ts';
import { parseConfig } from '../src/config/load.ts';
import { PerceptualLoss, gramMatrix, type PerceptualOptions } from '../src/losses/perceptual.ts';
import { loadPerceptual } from '../src/train/models.ts';

const options = (o: Partial<PerceptualOptions>): PerceptualOptions => ({
  weight: 1,
  layers: { conv2_1: 1 },
  useInputNorm: true,
  rangeNorm: false,
  criterion: 'l1',
  styleWeight: 0,
  ...o,
});

describe('perceptual loss', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sr-vgg-'));
  const file = join(dir, 'vgg.safetensors');

  it('loads torchvision-named VGG19 weights and measures feature distance with gradients to the SR', async () => {
    await initBackend({ prefer: 'cpu', log: null });
    const params = vgg19.init(vgg19.parseConfig({ layers: ['conv2_1'] }), 1);
    // The whole-network file may hold deeper layers than the loss needs: they are ignored.
    const extra = { 'features.10.weight': { shape: [1], data: new Float32Array([0]) } };
    writeFileSync(file, serializeSafetensors({ ...(await paramsToStateDict(params)), ...extra }));
    const loss = loadPerceptual(file, options({ styleWeight: 1 }));
    const a = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const b = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const same = loss.terms(a, a);
    expect([same.percep!.dataSync()[0], same.style!.dataSync()[0]]).toEqual([0, 0]);
    expect(loss.terms(a, b).percep!.dataSync()[0]).toBeGreaterThan(0);
    const g = tf.grad((x: tf.Tensor) => loss.terms(x as tf.Tensor4D, b).percep!)(a);
    expect(tf.abs(g).sum().dataSync()[0]).toBeGreaterThan(0);
    expect(Object.keys(loadPerceptual(file, options({ weight: 0, styleWeight: 2 })).terms(a, b))).toEqual(['style']);
    loss.dispose();
  });

  it('a file without the needed layers is a clear error naming it', () => {
    expect(() => loadPerceptual(file, options({ layers: { conv3_1: 1 } }))).toThrow(CliError);
    expect(() => loadPerceptual(file, options({ layers: { conv1_1: 1, conv3_1: 1 } }))).toThrow(/vgg\.safetensors.*missing/);
    expect(() => loadPerceptual(join(dir, 'nope.safetensors'), options({}))).toThrow(/nope\.safetensors/);
  });

  it('Gram matrix: F·Fᵀ / (C·H·W) per image', async () => {
    await initBackend({ prefer: 'cpu', log: null });
    // One image, 1×2 pixels, 2 channels: F = [[1, 3], [2, 4]] (channel × pixel).
    const f = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(Array.from(gramMatrix(f).dataSync())).toEqual([10 / 4, 14 / 4, 14 / 4, 20 / 4]);
  });
});

// BasicSR PerceptualLoss written out in PyTorch (tools/pytorch/make_perceptual_fixtures.py) on the hash-derived VGG19
// weights that libs/model/test/parity-hash-weights.ts mirrors. wasm only: the cpu backend's VGG19 backward is slow.
describe('perceptual loss matches BasicSR PerceptualLoss in PyTorch (random VGG19 weights)', () => {
  const fixture = parseSafetensors(new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures/perceptual.safetensors'))));
  const cases = JSON.parse(fixture.metadata.cases) as Record<string, PerceptualOptions>;
  const report: string[] = [];
  const nhwc = (t: StateDict[string]) => {
    const [n, c, h, w] = t.shape;
    return tf.tidy(() => tf.tensor4d(t.data as Float32Array, [n, c, h, w]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
  };
  /** ‖ours − ref‖ / ‖ref‖: L1's sign gradient flips where a feature difference is ~0, so max-abs is not the measure. */
  const relL2 = (ours: ArrayLike<number>, ref: ArrayLike<number>) => {
    let d = 0;
    let s = 0;
    for (let i = 0; i < ref.length; i++) {
      d += (ours[i] - ref[i]) ** 2;
      s += ref[i] ** 2;
    }
    return Math.sqrt(d / s);
  };

  it.each(Object.keys(cases))('%s', async (name) => {
    await initBackend({ prefer: 'wasm', log: null });
    const config = vgg19.parseConfig({ layers: ['conv5_4'] });
    const shapes = vgg19.paramShapes(config);
    const ordered = Object.keys(shapes)
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]) || (a.endsWith('weight') ? -1 : 1))
      .map((k): [string, number[]] => [k, torchShape(shapes[k])]);
    const loss = new PerceptualLoss(stateDictToParams(hashStateDict(ordered), shapes), { ...cases[name] });
    const [sr, hr] = [nhwc(fixture.tensors.sr), nhwc(fixture.tensors.hr)];
    // One forward/backward per term; the reference has the gradient of the sum and of the style term alone.
    const percepVG = tf.valueAndGrad((x: tf.Tensor) => loss.terms(x as tf.Tensor4D, hr).percep!)(sr);
    const styleVG = tf.valueAndGrad((x: tf.Tensor) => loss.terms(x as tf.Tensor4D, hr).style!)(sr);
    const percep = (await percepVG.value.data())[0];
    const style = (await styleVG.value.data())[0];
    const grad = percepVG.grad.add(styleVG.grad);
    const gradStyle = styleVG.grad;
    const toNchw = (g: tf.Tensor) => tf.tidy(() => g.transpose([0, 3, 1, 2])).dataSync();
    const refP = fixture.tensors[`${name}.percep`].data[0];
    const refS = fixture.tensors[`${name}.style`].data[0];
    const diffs = {
      percep: Math.abs(percep - refP) / refP,
      style: Math.abs(style - refS) / refS,
      grad: relL2(toNchw(grad), fixture.tensors[`${name}.grad`].data),
      gradStyle: relL2(toNchw(gradStyle), fixture.tensors[`${name}.gradStyle`].data),
    };
    report.push(`${name}: percep ${percep} vs ${refP}, style ${style} vs ${refS}, rel diffs ${JSON.stringify(diffs)}`);
    // float32 through up to 16 convolutions: values agree to ~1e-5 relative; the style term differences Gram matrices
    // much larger than their difference, so it keeps a few digits fewer (9e-5 measured for fro).
    expect(diffs.percep).toBeLessThan(5e-5);
    expect(diffs.style).toBeLessThan(2e-4);
    // L1's gradient is sign(φ(SR) − φ(HR)) / N: one feature whose difference is within float32 noise of 0 flips its
    // sign (the fixture has dozens within 1e-4 of the largest difference), worth 2/√N of the layer's gradient norm
    // (3% at conv5_4). l2 and fro show the gradient through VGG itself agrees to ~1e-5.
    expect(diffs.grad).toBeLessThan(cases[name].criterion === 'l1' ? 1e-2 : 1e-4);
    expect(diffs.gradStyle).toBeLessThan(1e-3);
    tf.dispose([sr, hr, grad, percepVG.value, percepVG.grad, styleVG.value, styleVG.grad]);
    loss.dispose();
  });

  afterAll(() => {
    if (process.env.SR_PARITY_REPORT) console.log(report.join('\n'));
  });
});

describe('perceptual config', () => {
  const gan = (perceptual: Record<string, unknown>) => ({
    scale: 4,
    data: { train: { synthetic: { count: 2, width: 64, height: 64 } }, val: { synthetic: { count: 1, width: 64, height: 64 } }, lrPatch: 32, batchSize: 2 },
    generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 4 } },
    discriminator: { config: { num_feat: 4, input_size: 128 } },
    phases: { gan: { iterations: 1, optimizerG: { lr: 1 }, optimizerD: { lr: 1 }, losses: { perceptual } } },
  });

  it('BasicSR defaults: conv5_4 weight 1, input normalisation on, no range norm, no style', () => {
    expect(parseConfig(gan({ vggWeights: 'v.safetensors' })).phases.gan!.losses.perceptual).toEqual({
      weight: 1,
      vggWeights: 'v.safetensors',
      layers: { conv5_4: 1 },
      useInputNorm: true,
      rangeNorm: false,
      criterion: 'l1',
      styleWeight: 0,
    });
  });

  it('names a bad layer, an empty layer set and a style term without weights', () => {
    expect(() => parseConfig(gan({ vggWeights: 'v', layers: { conv1_2: 0.1, conv6_1: 1 } }))).toThrow(/"phases\.gan\.losses\.perceptual\.layers\.conv6_1": is not a VGG19 layer/);
    expect(() => parseConfig(gan({ vggWeights: 'v', layers: {} }))).toThrow(/perceptual\.layers": name at least one VGG19 layer/);
    expect(() => parseConfig(gan({ weight: 0, styleWeight: 1 }))).toThrow(/perceptual": a perceptual or style weight > 0 needs "vggWeights"/);
  });
});
