import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PthError, readPth } from '../src/weights/pth.ts';
import { fixtureBytes, fixtureTensors } from './fixture-files.ts';

describe('readPth', () => {
  it('materializes strided views, storage offsets, fp16/bf16/f64/int64 storages and scalars', () => {
    const { stateDict, wrapper } = readPth(fixtureBytes('storage_views.pth'));
    expect(wrapper).toBe('state_dict');
    const expected = fixtureTensors('storage_views.expected.safetensors');
    expect(Object.keys(stateDict).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, t] of Object.entries(expected)) {
      expect(stateDict[k].shape, k).toEqual(t.shape);
      expect(Array.from(stateDict[k].data), k).toEqual(Array.from(t.data));
    }
  });

  it('prefers params_ema over params in BasicSR wrappers', () => {
    const { stateDict, wrapper } = readPth(fixtureBytes('rrdbnet_x2.pth'));
    expect(wrapper).toBe('params_ema');
    expect(stateDict['conv_first.weight'].shape).toEqual([8, 12, 3, 3]);
  });

  it('reads the legacy (pre-zip) torch.save format', () => {
    const { stateDict, wrapper } = readPth(fixtureBytes('rrdbnet_x4_old_esrgan.pth'));
    expect(wrapper).toBeNull();
    expect(stateDict['model.0.weight'].shape).toEqual([8, 3, 3, 3]);
    expect(stateDict['model.1.sub.2.bias'].shape).toEqual([8]);
  });

  describe('errors', () => {
    const zip = fixtureBytes('rrdbnet_x4.pth');
    it('rejects bytes that are no checkpoint', () => {
      expect(() => readPth(new TextEncoder().encode('hello world'))).toThrow(/not a PyTorch checkpoint/);
    });
    it('rejects a truncated zip', () => {
      expect(() => readPth(zip.subarray(0, zip.length >> 1))).toThrow(PthError);
    });
    it('rejects a zip without data.pkl', () => {
      expect(() => readPth(zipSync({ 'a/b.txt': new Uint8Array(3) }))).toThrow(/no data.pkl/);
    });
    it('rejects a truncated legacy file', () => {
      const legacy = fixtureBytes('rrdbnet_x4_old_esrgan.pth');
      expect(() => readPth(legacy.subarray(0, legacy.length - 100))).toThrow(/truncated/);
    });
  });
});
