import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initBackend, ops } from '../src/index.ts';

describe('wasm threads in Node', () => {
  it('SR_WASM_THREADS=2 starts the threaded SIMD build with 2 threads and computes the same conv', async () => {
    process.env.SR_WASM_THREADS = '2';
    const info = await initBackend({ prefer: 'wasm', log: null }).finally(() => delete process.env.SR_WASM_THREADS);
    expect(info).toEqual({ backend: 'wasm', simd: true, threads: 2 });
    const x = tf.randomUniform([2, 16, 16, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 8, 8], -1, 1, 'float32', 2);
    const onWasm = ops.conv2d(x, w, undefined).dataSync();
    await initBackend({ prefer: 'cpu', log: null });
    const onCpu = ops.conv2d(x, w, undefined).dataSync();
    let worst = 0;
    onWasm.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - onCpu[i]))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('the pthread workers do not keep the Node process alive', () => {
    const child = fileURLToPath(new URL('./runtime-threads-exit.child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error, 'the child did not exit by itself').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ backend: 'wasm', simd: true, threads: 2 });
  });
});
