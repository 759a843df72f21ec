import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/index.ts';

const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));

describe('initBackend', () => {
  it('initializes wasm once for concurrent calls, logs once, and falls back to 1 thread when threads cannot start', async () => {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    // A file path (not a directory) cannot serve the threaded build: threads fall back to 1.
    const opts = { prefer: 'wasm' as const, wasmPath: path.join(wasmDir, 'tfjs-backend-wasm-simd.wasm'), threads: 2, log };
    const [a, b] = await Promise.all([initBackend(opts), initBackend(opts)]);
    expect(a).toEqual({ backend: 'wasm', simd: true, threads: 1 });
    expect(b).toBe(a);
    expect(lines.filter((l) => l.startsWith('tfjs backend:'))).toEqual(['tfjs backend: wasm (simd true, threads 1)']);
    expect(lines.some((l) => /threads unavailable .*directory/.test(l))).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
    expect(await initBackend({ prefer: 'wasm', log })).toBe(a);
    expect(lines.filter((l) => l.startsWith('tfjs backend:'))).toHaveLength(1);
  });

  it('auto falls through the (absent) tfjs-node packages to the already-initialized wasm backend', async () => {
    const info = await initBackend({ log: null });
    expect(info.backend).toBe('wasm');
  });

  it('switches to cpu on request and back', async () => {
    expect((await initBackend({ prefer: 'cpu', log: null })).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend({ prefer: 'wasm', log: null });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects a bad thread count and a missing wasm path clearly', async () => {
    await expect(initBackend({ prefer: 'wasm', threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
    await expect(initBackend({ prefer: 'wasm', threads: 1.5 })).rejects.toThrow(/threads/);
    // The binary is read and compiled before the active backend is touched.
    const { registerWasmBackendFromPath } = await import('../src/runtime/wasm-node.ts');
    await expect(registerWasmBackendFromPath('/nonexistent/dir')).rejects.toThrow(/not found/);
    expect(tf.getBackend()).toBe('wasm');
  });
});
