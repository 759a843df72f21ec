import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/index.ts';
import { withFloatData } from '../src/tiling/readback.ts';

/** The engine's readback: a view of the wasm heap (no copy) on wasm, the downloaded values elsewhere, same numbers. */
describe('withFloatData', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', log: null });
  });

  const values = Float32Array.from({ length: 3 * 17 * 5 }, (_, i) => Math.sin(i) * 3);

  it('reads a wasm tensor in place, with the values of data()', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const t = tf.tensor3d(values, [3, 17, 5]).mul(2);
    const expected = await t.data();
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
    const seen = await withFloatData(t, (data) => ({ values: Array.from(data), inHeap: data.buffer === heap }));
    expect(seen.values).toEqual(Array.from(expected));
    expect(seen.inHeap).toBe(true);
    t.dispose();
  });

  it('falls back to data() on other backends', async () => {
    await tf.setBackend('cpu');
    const t = tf.tensor3d(values, [3, 17, 5]).mul(2);
    expect(await withFloatData(t, (data) => Array.from(data))).toEqual(Array.from(await t.data()));
    t.dispose();
    await tf.setBackend('wasm');
  });
});
