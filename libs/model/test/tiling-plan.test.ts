import { describe, expect, it } from 'vitest';
import { planTiles, reflectIndex, type TilePlan } from '../src/tiling.ts';

/** How many tiles write each pixel. */
function coverage(plan: TilePlan): Uint8Array {
  const seen = new Uint8Array(plan.width * plan.height);
  for (const t of plan.tiles) {
    for (let y = t.y0; y < t.y1; y++) for (let x = t.x0; x < t.x1; x++) seen[y * plan.width + x]++;
  }
  return seen;
}

describe('reflectIndex', () => {
  it('reflects without repeating the edge, also far outside', () => {
    const n = 4;
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 9].map((i) => reflectIndex(i, n))).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 3]);
  });
  it('maps everything to 0 for a 1-pixel axis', () => {
    expect([-5, 0, 3].map((i) => reflectIndex(i, 1))).toEqual([0, 0, 0]);
  });
});

describe('planTiles', () => {
  const cases: [number, number, number, number, number][] = [
    // width, height, tile, overlap, multiple
    [37, 23, 16, 4, 1],
    [5, 3, 16, 4, 1],
    [1, 20, 8, 3, 1],
    [64, 64, 32, 8, 1],
    [31, 17, 10, 5, 4],
    [100, 7, 0, 2, 2],
  ];
  it.each(cases)('%ix%i tile %i overlap %i multiple %i: every pixel written once, equal aligned windows', (w, h, tile, overlap, m) => {
    const plan = planTiles(w, h, { tile, overlap, multiple: m });
    expect(coverage(plan).every((c) => c === 1)).toBe(true);
    expect(plan.tiles).toHaveLength(plan.rows * plan.cols);
    expect(plan.pad % m).toBe(0);
    expect(plan.pad).toBeGreaterThanOrEqual(overlap);
    expect(plan.windowWidth % m).toBe(0);
    expect(plan.windowHeight % m).toBe(0);
    for (const t of plan.tiles) {
      // The written region lies inside the window core, whose origin sits on the alignment grid.
      const coreX = t.inX + plan.pad;
      const coreY = t.inY + plan.pad;
      expect(coreX % m).toBe(0);
      expect(coreY % m).toBe(0);
      expect(t.x0).toBeGreaterThanOrEqual(coreX);
      expect(t.y0).toBeGreaterThanOrEqual(coreY);
      expect(t.x1).toBeLessThanOrEqual(coreX + plan.tileWidth);
      expect(t.y1).toBeLessThanOrEqual(coreY + plan.tileHeight);
    }
  });

  it('shifts the last tile back instead of shrinking it', () => {
    const plan = planTiles(40, 16, { tile: 16, overlap: 2, multiple: 1 });
    expect(plan.cols).toBe(3);
    const last = plan.tiles[2];
    expect([last.inX + plan.pad, last.x0, last.x1]).toEqual([24, 32, 40]);
  });

  it('uses one window for tile 0 and for images smaller than a tile', () => {
    for (const tile of [0, 64]) {
      const plan = planTiles(30, 10, { tile, overlap: 4, multiple: 1 });
      expect(plan.tiles).toHaveLength(1);
      expect([plan.windowWidth, plan.windowHeight]).toEqual([38, 18]);
    }
  });

  it('rejects bad settings', () => {
    expect(() => planTiles(0, 5, { tile: 8, overlap: 0, multiple: 1 })).toThrow(/width/);
    expect(() => planTiles(5, 5, { tile: -1, overlap: 0, multiple: 1 })).toThrow(/tile/);
    expect(() => planTiles(5, 5, { tile: 8, overlap: 1.5, multiple: 1 })).toThrow(/overlap/);
  });
});
