import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend, ops } from '../src/index.ts';

describe('initBackend with a precompiled WebAssembly.Module (the workerd path)', () => {
  it('runs the wasm backend from the module, without reading any file', async () => {
    const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    const wasmModule = await WebAssembly.compile(readFileSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')));
    const info = await initBackend({ wasmModule, log: null });
    expect(info).toEqual({ backend: 'wasm', simd: true, threads: 1 });
    const x = tf.randomUniform([1, 5, 5, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 2, 3], -1, 1, 'float32', 2);
    const onWasm = ops.conv2d(x, w, undefined).dataSync();
    await initBackend({ prefer: 'cpu', log: null });
    const onCpu = ops.conv2d(x, w, undefined).dataSync();
    onWasm.forEach((v, i) => expect(v).toBeCloseTo(onCpu[i], 4));
  });
});
