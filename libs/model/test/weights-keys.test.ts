import { describe, expect, it } from 'vitest';
import { inferArch } from '../src/weights/infer-arch.ts';
import { normalizeKeys } from '../src/weights/key-schemes.ts';
import { readPth } from '../src/weights/pth.ts';
import type { StateDict } from '../src/weights/host-tensor.ts';
import { fixtureBytes, fixtureCases } from './fixture-files.ts';

const load = (pth: string): StateDict => readPth(fixtureBytes(pth)).stateDict;
const t = (...shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

describe('normalizeKeys', () => {
  it('maps the old ESRGAN scheme onto BasicSR names', () => {
    const { stateDict, scheme } = normalizeKeys(load('rrdbnet_x4_old_esrgan.pth'));
    expect(scheme).toBe('esrgan-old');
    expect(Object.keys(stateDict).sort()).toEqual(Object.keys(load('rrdbnet_x4.pth')).sort());
    expect(stateDict['body.1.rdb3.conv5.weight'].shape).toEqual([8, 24, 3, 3]);
    expect(stateDict['conv_body.weight'].shape).toEqual([8, 8, 3, 3]);
  });

  it('leaves BasicSR names alone and strips a DataParallel prefix', () => {
    const sd = { 'module.conv_first.weight': t(1), 'module.conv_last.bias': t(1) };
    expect(normalizeKeys(sd)).toEqual({ stateDict: { 'conv_first.weight': t(1), 'conv_last.bias': t(1) }, scheme: 'basicsr' });
  });

  it('names an unrecognized old-scheme key', () => {
    const sd = { 'model.0.weight': t(1), 'model.1.sub.0.RDB1.conv1.0.weight': t(1), 'model.5.weight': t(1) };
    expect(() => normalizeKeys(sd)).toThrow(/"model.5.weight"/);
  });
});

describe('inferArch', () => {
  const generators = fixtureCases().filter((c) => c.pth && c.arch !== 'VGGStyleDiscriminator');
  it.each(generators.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const inferred = inferArch(normalizeKeys(load(c.pth!)).stateDict);
    expect(inferred).toEqual({ arch: c.arch, config: c.config });
  });

  it('recognizes the discriminator', () => {
    expect(inferArch(load('vgg_discriminator.pth'))).toEqual({
      arch: 'VGGStyleDiscriminator',
      config: { num_in_ch: 3, num_feat: 4, input_size: 128, norm: 'batch' },
    });
  });

  it('reports what it cannot infer', () => {
    expect(() => inferArch({ 'foo.weight': t(1) })).toThrow(/cannot recognize the architecture/);
    const odd = { 'conv_first.weight': t(8, 5, 3, 3), 'body.0.rdb1.conv1.weight': t(4, 8, 3, 3), 'conv_last.weight': t(3, 8, 3, 3) };
    expect(() => inferArch(odd)).toThrow(/5 input channels/);
    const srvgg = { 'body.0.weight': t(8, 3, 3, 3), 'body.2.weight': t(10, 8, 3, 3) };
    expect(() => inferArch(srvgg)).toThrow(/not 3·r²/);
  });
});
