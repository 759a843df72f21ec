import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyOverrides, loadConfig, parseConfig } from '../src/config/load.ts';
import { CliError } from '../src/cli-error.ts';
import { trainSources, valSetName, valSources } from '../src/config/schema.ts';

const EXAMPLES = join(import.meta.dirname, '../src/config/examples');

const minimal = () => ({
  scale: 4,
  data: { train: { synthetic: { count: 2, width: 64, height: 64 } }, val: { synthetic: { count: 1, width: 64, height: 64 } }, lrPatch: 8, batchSize: 2 },
  generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 4 } },
  phases: { psnr: { iterations: 1, optimizer: { lr: 1e-3 } } },
});

function errorOf(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a CliError');
}

describe('config', () => {
  it('fills defaults', () => {
    const c = parseConfig(minimal());
    expect(c.data.flip).toBe(true);
    expect(c.phases.psnr!.optimizer).toMatchObject({ betas: [0.9, 0.99] });
    expect(c.phases.psnr!.scheduler).toEqual({ type: 'constant' });
    expect(c.export.alphas).toEqual([0.2, 0.5, 0.8]);
  });

  it('names the bad field in one line', () => {
    const raw = minimal();
    (raw.data as any).batchSize = 0;
    const err = errorOf(() => parseConfig(raw));
    expect(err.message).toContain('"data.batchSize"');
    expect(err.message).not.toContain('\n');
    expect(err.exitCode).toBe(2);
  });

  it('rejects unknown keys', () => {
    const raw: any = minimal();
    raw.data.bachSize = 3;
    expect(errorOf(() => parseConfig(raw)).message).toMatch(/data.*bachSize/);
  });

  it('checks cross-field rules', () => {
    const raw: any = minimal();
    raw.generator.config.upscale = 2;
    expect(errorOf(() => parseConfig(raw)).message).toContain('"generator.config.upscale"');
    const gan: any = minimal();
    gan.phases.gan = { iterations: 1, optimizerG: { lr: 1 }, optimizerD: { lr: 1 } };
    expect(errorOf(() => parseConfig(gan)).message).toContain('"discriminator"');
    gan.discriminator = { config: { num_feat: 4, input_size: 128 } };
    expect(errorOf(() => parseConfig(gan)).message).toContain('"discriminator.config.input_size"');
  });

  it('luma generators: channels both 1 or both 3, D sees what G outputs, no VGG19 losses', () => {
    const withChannels = (inCh: number, outCh: number): any => {
      const raw: any = minimal();
      Object.assign(raw.generator.config, { num_in_ch: inCh, num_out_ch: outCh });
      return raw;
    };
    const gan = (dChannels: number | undefined, perceptual?: object): any => {
      const raw = withChannels(1, 1);
      raw.data.lrPatch = 32;
      raw.discriminator = { config: { num_feat: 4, input_size: 128, ...(dChannels === undefined ? {} : { num_in_ch: dChannels }) } };
      raw.phases.gan = { iterations: 1, optimizerG: { lr: 1 }, optimizerD: { lr: 1 }, losses: perceptual ? { perceptual } : {} };
      return raw;
    };
    expect(parseConfig(withChannels(1, 1)).generator.config).toMatchObject({ num_in_ch: 1, num_out_ch: 1 });
    expect(parseConfig(gan(1)).discriminator!.config.num_in_ch).toBe(1);
    expect(parseConfig(gan(1, { weight: 0, styleWeight: 0, vggWeights: 'vgg.safetensors' })).phases.gan!.losses.perceptual.weight).toBe(0);
    const rgbGan = gan(3);
    Object.assign(rgbGan.generator.config, { num_in_ch: 3, num_out_ch: 3 });
    expect(() => parseConfig(rgbGan)).not.toThrow();
    const cases: [any, string, RegExp][] = [
      [withChannels(1, 3), 'generator.config.num_out_ch', /must both be 3 \(RGB\) or both 1 \(luma\), got 1 and 3/],
      [withChannels(3, 1), 'generator.config.num_out_ch', /got 3 and 1/],
      [withChannels(2, 2), 'generator.config.num_out_ch', /got 2 and 2/],
      [gan(undefined), 'discriminator.config.num_in_ch', /must equal the generator's channels \(1\)/],
      [{ ...rgbGan, discriminator: { config: { num_feat: 4, input_size: 128, num_in_ch: 1 } } }, 'discriminator.config.num_in_ch', /generator's channels \(3\)/],
      [gan(1, { weight: 1, vggWeights: 'vgg.safetensors' }), 'phases.gan.losses.perceptual', /VGG19 features need RGB/],
      [gan(1, { weight: 0, styleWeight: 0.5, vggWeights: 'vgg.safetensors' }), 'phases.gan.losses.perceptual', /VGG19 features need RGB/],
    ];
    for (const [raw, field, message] of cases) {
      const err = errorOf(() => parseConfig(raw));
      expect(err.message, field).toContain(`"${field}"`);
      expect(err.message, field).toMatch(message);
      expect(err.message).not.toContain('\n');
    }
    const rrdb: any = minimal();
    rrdb.generator = { arch: 'RRDBNet', config: { num_in_ch: 1, num_out_ch: 3, scale: 4, num_feat: 4, num_block: 1, num_grow_ch: 4 } };
    expect(errorOf(() => parseConfig(rrdb)).message).toContain('"generator.config.num_out_ch"');
  });

  it('a learned skip kernel is odd and within the body\'s reach', () => {
    const withSkip = (skip_kernel: unknown): any => {
      const raw: any = minimal();
      raw.generator.config.skip_kernel = skip_kernel;
      return raw;
    };
    const numConv = minimal().generator.config.num_conv;
    const max = 2 * (numConv + 2) + 1;
    expect(parseConfig(withSkip(5)).generator.config).toMatchObject({ skip_kernel: 5 });
    expect(parseConfig(withSkip(0)).generator.config).toMatchObject({ skip_kernel: 0 });
    expect(parseConfig(withSkip(max)).generator.config).toMatchObject({ skip_kernel: max });
    for (const bad of [4, max + 2]) {
      const err = errorOf(() => parseConfig(withSkip(bad)));
      expect(err.message).toContain('"generator.config"');
      expect(err.message).toContain(`skip_kernel must be 0 or an odd integer from 1 to ${max}, got ${bad}`);
    }
    expect(errorOf(() => parseConfig(withSkip(-1))).message).toContain('"generator.config.skip_kernel"');
    expect(errorOf(() => parseConfig(withSkip(2.5))).message).toContain('"generator.config.skip_kernel"');
  });

  it('validates the feature-matching loss: weights, layer names of the discriminator', () => {
    const gan = (featureMatching: unknown, inputSize = 32): any => {
      const raw: any = minimal();
      raw.data.lrPatch = inputSize / 4;
      raw.discriminator = { config: { num_feat: 4, input_size: inputSize } };
      raw.phases.gan = { iterations: 1, optimizerG: { lr: 1 }, optimizerD: { lr: 1 }, losses: { featureMatching } };
      return raw;
    };
    expect(parseConfig(gan({}, 128)).phases.gan!.losses.featureMatching).toEqual({ weight: 1, criterion: 'l1' });
    const absent = gan({}, 128);
    delete absent.phases.gan.losses.featureMatching;
    expect(parseConfig(absent).phases.gan!.losses.featureMatching).toBeUndefined();
    const ok = parseConfig(gan({ weight: 0.1, layers: { conv0_0: 1, conv4_1: 0.5 }, criterion: 'l2' }, 128));
    expect(ok.phases.gan!.losses.featureMatching).toEqual({ weight: 0.1, layers: { conv0_0: 1, conv4_1: 0.5 }, criterion: 'l2' });
    expect(() => parseConfig(gan({ layers: { conv5_1: 1 } }, 256))).not.toThrow();
    const cases: [unknown, number, string, RegExp][] = [
      [{ weight: -1 }, 128, 'phases.gan.losses.featureMatching.weight', /must be >= 0/],
      [{ layers: { conv1_0: -0.5 } }, 128, 'phases.gan.losses.featureMatching.layers.conv1_0', /layer weights must be >= 0/],
      [{ layers: { conv1_0: 0 } }, 128, 'phases.gan.losses.featureMatching.layers', /at least one discriminator layer a weight > 0/],
      [{ layers: { conv5_1: 1 } }, 128, 'phases.gan.losses.featureMatching.layers.conv5_1', /not a layer of the discriminator \(input_size 128: conv0_0 … conv4_1\)/],
      [{ layers: { relu1_1: 1 } }, 128, 'phases.gan.losses.featureMatching.layers.relu1_1', /not a layer/],
      [{ criterion: 'fro' }, 128, 'phases.gan.losses.featureMatching.criterion', /l1|l2/],
      [{ weight: 1, layer: {} }, 128, 'phases.gan.losses.featureMatching', /layer/],
    ];
    for (const [fm, size, field, message] of cases) {
      const err = errorOf(() => parseConfig(gan(fm, size)));
      expect(err.message, JSON.stringify(fm)).toContain(`"${field}"`);
      expect(err.message, JSON.stringify(fm)).toMatch(message);
    }
  });

  it('applies --set overrides with JSON values', () => {
    const out = applyOverrides(minimal(), ['data.batchSize=5', 'phases.psnr.optimizer.betas=[0.5,0.9]', 'name=abc']);
    expect((out.data as any).batchSize).toBe(5);
    expect((out.phases as any).psnr.optimizer.betas).toEqual([0.5, 0.9]);
    expect(out.name).toBe('abc');
    expect(() => applyOverrides(minimal(), ['nokey'])).toThrow(CliError);
  });

  it('resolves data, weight and pretrained paths against the config folder', () => {
    const c = loadConfig(join(EXAMPLES, 'esrgan-x4.json'), ['generator.pretrained=models/g.safetensors', 'data.lrCacheDir=/abs/cache']);
    expect(c.generator.pretrained).toBe(join(EXAMPLES, 'models/g.safetensors'));
    expect(c.phases.gan!.losses.perceptual.vggWeights).toBe(join(EXAMPLES, '../../../../../weights/vgg19.safetensors'));
    expect(c.data.lrCacheDir).toBe('/abs/cache');
  });

  it('resolves every source of a list against the config folder (the mixed-data example)', () => {
    const c = loadConfig(join(EXAMPLES, 'edge-compact-x4-mix.json'));
    const shared = join(EXAMPLES, '../../../../../../shared/datasets');
    expect(trainSources(c.data).map((s) => [s.hr, s.weight, s.downscale])).toEqual([
      [join(shared, 'urban100-train'), 0.5, undefined],
      [join(shared, 'mcmaster18-train'), 0.15, undefined],
      [join(shared, 'sun80-train'), 0.35, 0.5],
    ]);
    expect(valSources(c.data).map((s) => [s.hr, valSetName(s)])).toEqual([
      [join(shared, 'urban100-val'), 'urban100-val'],
      [join(shared, 'kodak24-val'), 'kodak24-val'],
    ]);
  });

  it('every shipped example validates', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['tiny-cpu.json', 'edge-compact-x4.json', 'esrgan-x4.json']));
    for (const f of files) expect(() => loadConfig(join(EXAMPLES, f))).not.toThrow();
  });
});
