import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createGenerator, disposeParams, initBackend, vgg19 } from '@sr/model';
import { makeSrPair } from '@sr/metrics';
import { parseConfig } from '../src/config/load.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { pixelLoss } from '../src/losses/pixel.ts';
import { PerceptualLoss } from '../src/losses/perceptual.ts';
import { Rng } from '../src/data/rng.ts';
import { discriminatorLoss } from '../src/losses/adversarial.ts';
import { GanStepper } from '../src/train/gan-step.ts';
import { lossAndGrads } from '../src/train/grads.ts';
import { asGenerator, newDiscriminatorNet, newGeneratorNet } from '../src/train/models.ts';
import { PsnrStepper } from '../src/train/psnr-step.ts';
import { readTree } from '../src/train/readback.ts';
import { probeLayers, tensorStats } from '../src/train/tensor-stats.ts';
import { ganValLoss, psnrValLoss } from '../src/train/val-losses.ts';
import { Validator } from '../src/train/validate.ts';

await initBackend({ prefer: 'wasm', log: null });

const config = parseConfig({
  scale: 4,
  data: { train: { synthetic: { count: 1, width: 128, height: 128 } }, val: { synthetic: { count: 1, width: 64, height: 64 } }, lrPatch: 32, batchSize: 2 },
  generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 3, upscale: 4, act_type: 'prelu' } },
  discriminator: { config: { num_feat: 4, input_size: 128, norm: 'batch' } },
  phases: {
    psnr: { iterations: 2, optimizer: { lr: 1e-3 } },
    gan: { iterations: 2, optimizerG: { lr: 1e-3 }, optimizerD: { lr: 1e-3 }, gradClip: 1e-3, d: { updatesPerG: 2 } },
  },
});

const batch = () => ({
  lr: tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D,
  hr: tf.randomUniform([2, 128, 128, 3], 0, 1, 'float32', 4) as tf.Tensor4D,
});

describe('training statistics', () => {
  it('probes the first, middle and last conv kernels, never a PReLU slope or a BatchNorm scale', () => {
    for (const net of [newGeneratorNet(config), newDiscriminatorNet(config)]) {
      const vectors = Object.keys(net.vars).filter((n) => n.endsWith('.weight') && net.vars[n].rank === 1);
      expect(vectors.length).toBeGreaterThan(0); // PReLU slopes (G), BN scales (D): what a name filter alone would pick
      const probes = probeLayers(net.vars);
      expect(probes).toHaveLength(3);
      for (const name of probes) expect(net.vars[name].rank, name).toBe(4);
      const convs = Object.keys(net.vars).filter((n) => net.vars[n].rank === 4);
      expect(probes).toEqual([convs[0], convs[Math.floor((convs.length - 1) / 2)], convs.at(-1)]);
      net.dispose();
    }
  });

  it('gradient statistics and norm are those before clipping; the applied gradients are clipped', async () => {
    const w = tf.variable(tf.zeros([4]), true, 'stats-w');
    const c = tf.tensor1d([3, -4, 0, 0]);
    const r = lossAndGrads({ w }, () => ({ l: tf.sum(tf.mul(w, c)) as tf.Scalar }), 1, (g) => ({ w: tensorStats(g.w) }));
    const host = await readTree({ stats: r.stats!, clippedNorm: tf.norm(r.grads.w) as tf.Scalar, terms: r.terms, finite: r.finite });
    expect(host.stats.gradNorm).toBeCloseTo(5, 5);
    expect(host.stats.layers).toEqual({ w: { mean: expect.closeTo(-0.25, 6), meanAbs: expect.closeTo(1.75, 6), variance: expect.closeTo(6.1875, 5) } });
    expect(host.clippedNorm).toBeCloseTo(1, 5);
    tf.dispose([w, c, ...Object.values(r.grads)]);
  });

  it('both phases log the pre-clip gradient norm of each network with their conv statistics; no tensor leaks', async () => {
    const { lr, hr } = batch();
    const g = newGeneratorNet(config);
    const psnr = new PsnrStepper(g, config.phases.psnr!); // no gradClip: the norm is still logged
    const p = await readTree(psnr.step(lr, hr, 0, true).stats!);
    expect(p).toMatchObject({ gradNormG: expect.any(Number), g: expect.any(Object) });
    expect((p as { gradNormG: number }).gradNormG).toBeGreaterThan(0);

    const d = newDiscriminatorNet(config);
    const gan = new GanStepper(g, d, config.phases.gan!, 4, Rng.fromSeed(1), undefined);
    let tensors = 0;
    for (let i = 0; i < 3; i++) {
      const r = gan.step(lr, hr, i, true);
      const host = (await readTree({ stats: r.stats, losses: r.losses, finite: r.finite, dAccuracy: r.dAccuracy })) as unknown as {
        stats: { gradNormG: number; gradNormD: number; g: Record<string, unknown>; d: Record<string, unknown> };
      };
      // gradClip 1e-3 in this config: a post-clip norm could not exceed it
      expect(host.stats.gradNormG).toBeGreaterThan(1e-3);
      expect(host.stats.gradNormD).toBeGreaterThan(1e-3);
      expect(Object.keys(host.stats.g)).toEqual(probeLayers(g.vars));
      expect(Object.keys(host.stats.d)).toEqual(probeLayers(d.vars));
      if (i === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    for (const x of [psnr, gan, g, d]) x.dispose();
    tf.dispose([lr, hr]);
  });
});

describe('several D updates per G step', () => {
  it('log the mean of every D update\'s loss, not the last one', async () => {
    const c = structuredClone(config);
    c.phases.gan!.gradClip = undefined;
    const { lr, hr } = batch();
    const run = async (updatesPerG: number) => {
      const cfg = { ...c.phases.gan!, d: { ...c.phases.gan!.d, updatesPerG } };
      const [g, d] = [newGeneratorNet(c), newDiscriminatorNet(c)];
      const fake = g.forward(lr, true) as tf.Tensor4D; // the pre-update G output both D updates see
      const stepper = new GanStepper(g, d, cfg, 4, Rng.fromSeed(1), undefined);
      const r = await readTree({ losses: stepper.step(lr, hr, 0, false).losses });
      // the loss the next D update would start from: the updated D on the same batch
      const next = await readTree(discriminatorLoss(cfg.losses.adversarial.type, d.forward(hr, true, false), d.forward(fake, true, false)));
      for (const x of [stepper, g, d, fake]) x.dispose();
      return { d: r.losses.d, next };
    };
    const one = await run(1);
    const two = await run(2);
    expect(one.next).not.toBeCloseTo(one.d, 4); // the first update changed D's loss, so mean and last differ
    expect(two.d).toBeCloseTo((one.d + one.next) / 2, 5);
    tf.dispose([lr, hr]);
  });
});

describe('validation losses', () => {
  it('are the mean loss terms over the val images, on the 8-bit outputs the metrics score', async () => {
    const pairs = [0, 1].map((i) => ({ name: `v${i}`, ...makeSrPair(syntheticImage(7, i, 48, 40 + 8 * i), 4) }));
    const validator = new Validator(pairs, { scale: 4, crop: 4, yChannel: true, tile: 0 });
    const net = newGeneratorNet(config);
    const before = tf.memory().numTensors;
    const v = await validator.run(asGenerator(net, net.vars), 2, (sr, hr) => ({ pix: pixelLoss('l1', sr, hr), twice: pixelLoss('l2', sr, hr).mul(2) }));
    expect(tf.memory().numTensors).toBe(before);
    const host = (kind: 'l1' | 'l2') =>
      v.outputs
        .map((sr, i) => sr.data.reduce((s, x, j) => s + (kind === 'l1' ? Math.abs : (d: number) => d * d)((x - pairs[i].hr.data[j]) / 255), 0) / sr.data.length)
        .reduce((a, b) => a + b, 0) / 2;
    expect(v.losses!.pix).toBeCloseTo(host('l1'), 4);
    expect(v.losses!.twice).toBeCloseTo(2 * host('l2'), 4);
    expect((await validator.run(asGenerator(net, net.vars), 0)).losses).toBeUndefined();
    net.dispose();
  });

  it("a luma generator's are on the luma of the outputs (as in training), and D's crops are luma", async () => {
    const pairs = [0, 1].map((i) => ({ name: `v${i}`, ...makeSrPair(syntheticImage(9, i, 48, 40), 4) }));
    const validator = new Validator(pairs, { scale: 4, crop: 4, yChannel: true, tile: 0 });
    const g = createGenerator('SRVGGNetCompact', { num_in_ch: 1, num_out_ch: 1, num_feat: 4, num_conv: 1, upscale: 4 }, 2);
    const v = await validator.run(g, 2, (sr, hr) => ({ pix: pixelLoss('l1', sr, hr), channels: tf.scalar(sr.shape[3] + hr.shape[3]) }));
    const lumaAt = (d: Uint8Array, p: number) => (0.299 * d[3 * p] + 0.587 * d[3 * p + 1] + 0.114 * d[3 * p + 2]) / 255;
    const host =
      v.outputs
        .map((sr, i) => {
          let sum = 0;
          for (let p = 0; p < sr.width * sr.height; p++) sum += Math.abs(lumaAt(sr.data, p) - lumaAt(pairs[i].hr.data, p));
          return sum / (sr.width * sr.height);
        })
        .reduce((a, b) => a + b, 0) / 2;
    expect(v.losses).toEqual({ pix: expect.closeTo(host, 4), channels: 2 });
    const d = validator.discriminatorInputs(v.outputs, 32, true)!;
    expect(d.real.shape).toEqual([2, 32, 32, 1]);
    expect(d.fake.shape).toEqual([2, 32, 32, 1]);
    // The first row of the centre crop starts at (4, 8) of the 48×40 HR image.
    expect(d.real.dataSync()[0]).toBeCloseTo(lumaAt(pairs[0].hr.data, 4 * 48 + 8), 5);
    const rgb = validator.discriminatorInputs(v.outputs, 32, false)!;
    expect(rgb.real.shape).toEqual([2, 32, 32, 3]);
    tf.dispose([d.real, d.fake, rgb.real, rgb.fake]);
    disposeParams(g.params);
  });

  it('gan phase: the weighted pixel term on the whole image, perceptual and style on the centre training-patch crop', async () => {
    const p = { weight: 0.5, layers: { conv1_2: 1 }, useInputNorm: true, rangeNorm: false, criterion: 'l1' as const, styleWeight: 3 };
    const perceptual = new PerceptualLoss(vgg19.init(vgg19.parseConfig({ layers: ['conv1_2'] }), 3), p);
    const cfg = { ...config.phases.gan!, losses: { ...config.phases.gan!.losses, pixel: { type: 'l1' as const, weight: 0.01 } } };
    const sr = tf.randomUniform([1, 40, 52, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const hr = tf.randomUniform([1, 40, 52, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const got = await readTree(tf.tidy(() => ganValLoss(cfg, perceptual, 32)(sr, hr)));
    const crop = (x: tf.Tensor4D) => x.slice([0, 4, 10, 0], [1, 32, 32, 3]);
    const want = await readTree(tf.tidy(() => ({ pix: pixelLoss('l1', sr, hr).mul(0.01), ...perceptual.terms(crop(sr), crop(hr)) })));
    expect(got).toEqual({ g_pix: want.pix, g_percep: want.percep, g_style: want.style });
    expect(got.g_percep).toBeGreaterThan(0);
    expect(await readTree(tf.tidy(() => psnrValLoss(config.phases.psnr!)(sr, hr)))).toEqual({ pix: expect.closeTo(want.pix / 0.01, 6) });
    perceptual.dispose();
    tf.dispose([sr, hr]);
  });
});
