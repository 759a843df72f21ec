import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, ops } from '../src/index.ts';
import { WEBGPU_SKIP_REASON } from './webgpu-env.ts';

describe('backend choice', () => {
  it('names unknown and unavailable backends in one line', async () => {
    await expect(initBackend({ prefer: 'metal' as never, log: null })).rejects.toThrow(/unknown backend 'metal' \(expected one of auto, tensorflow, webgpu, wasm, cpu\)/);
    await expect(initBackend({ prefer: 'tensorflow', log: null })).rejects.toThrow(/backend tensorflow is unavailable: .*tfjs-node/);
  });
});

describe.skipIf(WEBGPU_SKIP_REASON !== undefined)('webgpu backend', () => {
  it('explicit webgpu reports the adapter (and a software one in one warning line); auto never takes a software adapter', async () => {
    const lines: string[] = [];
    const warnings: string[] = [];
    const info = await initBackend({ prefer: 'webgpu', log: (l) => lines.push(l), warn: (l) => warnings.push(l) });
    expect(info.backend).toBe('webgpu');
    expect(info.adapter!.vendor).toBeTruthy();
    expect(tf.getBackend()).toBe('webgpu');
    expect(lines).toEqual([expect.stringMatching(/^tfjs backend: webgpu \(/)]);
    if (info.adapter!.software) {
      expect(warnings).toEqual([expect.stringMatching(/^warning: webgpu .*software adapter/)]);
      const auto = [] as string[];
      expect((await initBackend({ log: (l) => auto.push(l) })).backend).toBe('wasm');
      expect(auto.some((l) => /^auto: not using webgpu \(the WebGPU adapter is software/.test(l))).toBe(true);
    }
  });

  it('uses the stock conv gradients on webgpu, ours on wasm', async () => {
    await initBackend({ prefer: 'webgpu', log: null, warn: null });
    expect(ops.gradientChoice('Conv2D')).toBe('stock');
    expect(ops.gradientChoice('MaxPool')).toBe('ours');
    expect(ops.gradientChoice('Conv2D', 'wasm')).toBe('ours');
  });

  it('AddN over more inputs than a shader may bind (per-stage storage buffer limit) is summed in chunks, exactly', async () => {
    await initBackend({ prefer: 'webgpu', log: null, warn: null });
    const xs = Array.from({ length: 30 }, (_, i) => tf.fill([5], i + 1));
    const before = tf.memory().numTensors;
    const sum = tf.addN(xs);
    expect(Array.from(await sum.data())).toEqual(new Array(5).fill((30 * 31) / 2));
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([...xs, sum]);
  });
});
