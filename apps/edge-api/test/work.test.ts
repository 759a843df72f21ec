import { describe, expect, it } from 'vitest';
import { Upscaler } from '@sr/model';
import { ApiError } from '../src/errors.ts';
import { BAND_BUDGET_BYTES, checkWork, chooseTile, defaultTile, estimateWork, minTile, requestTile, WHOLE_WINDOW_SIDE } from '../src/work.ts';

// The shipped edge model's tiling: x4, 8 px of context (6 convs + 2).
const upscaler = new Upscaler({
  forward: () => {
    throw new Error('plans only');
  },
  scale: 4,
  overlap: 8,
});
const OVERLAP = 8;

describe('default tile policy', () => {
  it('runs an image of at most WHOLE_WINDOW_SIDE per side as one window', () => {
    expect(defaultTile(upscaler, 256, 256, 128, OVERLAP, 4)).toBe(256);
    expect(defaultTile(upscaler, 200, 120, 128, OVERLAP, 4)).toBe(200);
    expect(defaultTile(upscaler, 10, 8, 128, OVERLAP, 4)).toBe(minTile(OVERLAP));
    expect(upscaler.plan(256, 256, { tile: defaultTile(upscaler, 256, 256, 128, OVERLAP, 4) }).tiles).toHaveLength(1);
    expect(WHOLE_WINDOW_SIDE * 4 * WHOLE_WINDOW_SIDE * 4 * 3).toBeLessThanOrEqual(BAND_BUDGET_BYTES);
  });

  it('keeps the per-image choice up to `largest` above that', () => {
    expect(defaultTile(upscaler, 257, 100, 128, OVERLAP, 4)).toBe(chooseTile(upscaler, 257, 100, 128, OVERLAP));
    expect(defaultTile(upscaler, 300, 300, 128, OVERLAP, 4)).toBe(chooseTile(upscaler, 300, 300, 128, OVERLAP));
    expect(defaultTile(upscaler, 300, 300, 128, OVERLAP, 4)).toBeLessThanOrEqual(128);
  });

  it('lowers the tile of wide images so one 8-bit RGB output band stays within the budget', () => {
    const tile = defaultTile(upscaler, 1024, 692, 128, OVERLAP, 4);
    expect(tile).toBeLessThan(128);
    expect(1024 * 4 * tile * 4 * 3).toBeLessThanOrEqual(BAND_BUDGET_BYTES);
    expect(tile).toBe(chooseTile(upscaler, 1024, 692, Math.floor(BAND_BUDGET_BYTES / (1024 * 4 * 4 * 3)), OVERLAP));
  });

  it('stops at the model minimum for very wide images', () => {
    expect(defaultTile(upscaler, 8192, 64, 128, OVERLAP, 4)).toBe(minTile(OVERLAP));
  });
});

describe('requestTile', () => {
  const limits = { defaultTile: 128, maxTile: 192 };
  it('takes the default policy when no tile is named, whatever maxTile', () => {
    expect(requestTile(upscaler, 256, 256, undefined, limits)).toBe(defaultTile(upscaler, 256, 256, 128, OVERLAP, 4));
    expect(requestTile(upscaler, 1024, 692, undefined, limits)).toBe(defaultTile(upscaler, 1024, 692, 128, OVERLAP, 4));
  });
  it('checks a named tile against maxTile and the model minimum', () => {
    expect(requestTile(upscaler, 256, 256, 64, limits)).toBe(64);
    expect(() => requestTile(upscaler, 256, 256, 256, limits)).toThrow(ApiError);
    expect(() => requestTile(upscaler, 256, 256, minTile(OVERLAP) - 1, limits)).toThrow(/at least/);
  });
});

describe('work budget', () => {
  it('counts a self-ensemble as 8 forward passes of every tile window', () => {
    const plain = estimateWork(upscaler, 300, 200, 64, 1e5);
    const ensemble = estimateWork(upscaler, 300, 200, 64, 1e5, 8);
    expect(ensemble.tiles).toBe(plain.tiles);
    expect(ensemble.pixels).toBe(8 * plain.pixels);
    expect(ensemble.gflop).toBeCloseTo(8 * plain.gflop, 10);
  });

  it('refuses 8x sooner with the ensemble, naming the passes and the remedy', () => {
    const plain = estimateWork(upscaler, 300, 200, 64, 1e5);
    const limit = plain.gflop * 4;
    expect(() => checkWork(plain, limit, '300x200')).not.toThrow();
    const refusal = (() => {
      try {
        checkWork(estimateWork(upscaler, 300, 200, 64, 1e5, 8), limit, '300x200');
      } catch (err) {
        return err as ApiError;
      }
    })();
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ status: 422, code: 'too_much_work' });
    expect(refusal!.message).toMatch(/needs \d+ tiles × 8 ensemble passes = \d+ LR pixels .*; use ensemble=1, a larger tile or a smaller image/);
  });
});
