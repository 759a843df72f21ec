import { describe, expect, it } from 'vitest';
import { writeTile } from '../src/tiling/pixels.ts';

/** The rounding writeTile promises: clamp to [0, 1], NaN to 0, Math.round(v · max). */
const reference = (v: number, max: number) => (v > 0 ? (v < 1 ? Math.round(v * max) : max) : 0);

const SPECIAL = [0.5, NaN, -0, -1e-9, -Infinity, Infinity, 1, 1.0000001];

/** Float32 samples, 3 per pixel: every `step`-th bit pattern from 0 to just past 1.0, then the half-way 0.5 and the odd ones. */
function samples(step: number): Float32Array {
  const sweep = Math.ceil(0x3f800100 / step);
  const bits = new Uint32Array(Math.ceil((sweep + SPECIAL.length) / 3) * 3);
  for (let i = 0; i < sweep; i++) bits[i] = i * step;
  const out = new Float32Array(bits.buffer);
  out.set(SPECIAL, sweep);
  return out;
}

/** One tile row of `src.length / 3` RGB pixels at x1 into a band of the same width. */
function written(src: Float32Array, band: Uint8Array | Uint16Array): Uint8Array | Uint16Array {
  const width = src.length / 3;
  const tile = { row: 0, col: 0, inX: 0, inY: 0, x0: 0, y0: 0, x1: width, y1: 1 };
  writeTile(src, 0, { x: 0, y: 0, width, height: 1 }, width, tile, 1, 3, band, 0);
  return band;
}

describe('writeTile', () => {
  it.each([
    ['8-bit', 255, (n: number) => new Uint8Array(n)],
    ['16-bit', 65535, (n: number) => new Uint16Array(n)],
  ] as const)('%s: clamps, maps NaN to 0 and rounds as Math.round(v · max) for float32 values across [0, 1]', (_, max, make) => {
    // 13 million samples: every 81st float32 up to 1.0 (the change to Uint8ClampedArray stores was checked on all of them).
    const src = samples(81);
    const band = written(src, make(src.length));
    let mismatches = 0;
    for (let i = 0; i < src.length; i++) if (band[i] !== reference(src[i], max)) mismatches++;
    expect(mismatches).toBe(0);
    const special = written(Float32Array.of(0.5, NaN, -Infinity, Infinity, -0, 2), make(6));
    expect(Array.from(special)).toEqual([Math.round(0.5 * max), 0, 0, max, 0, max]);
  });

  it('writes only the tile region of a window into its band rows', () => {
    // A 2x2 LR window at x2 (4x4 HR, RGB); the tile is its bottom-right LR pixel, the band HR rows 2-3.
    const win = new Float32Array(4 * 4 * 3).map((_, i) => i / 100);
    const band = new Uint8Array(2 * 4 * 3).fill(7);
    writeTile(win, 0, { x: 0, y: 0, width: 2, height: 2 }, 2, { row: 1, col: 1, inX: 0, inY: 0, x0: 1, y0: 1, x1: 2, y1: 2 }, 2, 3, band, 2);
    const expected = new Uint8Array(2 * 4 * 3).fill(7);
    for (let y = 2; y < 4; y++) for (let x = 2; x < 4; x++) for (let c = 0; c < 3; c++) expected[((y - 2) * 4 + x) * 3 + c] = Math.round(win[(y * 4 + x) * 3 + c] * 255);
    expect(Array.from(band)).toEqual(Array.from(expected));
  });
});
