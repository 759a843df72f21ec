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
