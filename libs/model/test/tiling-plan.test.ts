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
    [40, 36, 8, 16, 1],
  ];
  const aligned = (v: number, m: number) => Math.ceil(v / m) * m;

  function expectCoversOnceOnTheGrid(plan: TilePlan, overlap: number, m: number): void {
    expect(coverage(plan).every((c) => c === 1)).toBe(true);
    expect(plan.tiles).toHaveLength(plan.rows * plan.cols);
    expect(plan.pad % m).toBe(0);
    expect(plan.pad).toBeGreaterThanOrEqual(overlap);
    expect(plan.windowWidth % m).toBe(0);
    expect(plan.windowHeight % m).toBe(0);
    for (const t of plan.tiles) {
      // Reflect-padded windows start at negative multiples of m.
      expect(Math.abs(t.inX % m)).toBe(0);
      expect(Math.abs(t.inY % m)).toBe(0);
    }
  }

  it.each(cases)('zero padding, %ix%i tile %i overlap %i multiple %i: windows inside the image, context or the border on every side', (w, h, tile, overlap, m) => {
    const plan = planTiles(w, h, { tile, overlap, multiple: m });
    expect(plan.padding).toBe('zero');
    expectCoversOnceOnTheGrid(plan, overlap, m);
    const [aw, ah] = [aligned(w, m), aligned(h, m)];
    expect(plan.windowWidth).toBe(Math.min(plan.tileWidth + 2 * plan.pad, aw));
    expect(plan.windowHeight).toBe(Math.min(plan.tileHeight + 2 * plan.pad, ah));
    for (const t of plan.tiles) {
      expect(t.inX).toBeGreaterThanOrEqual(0);
      expect(t.inY).toBeGreaterThanOrEqual(0);
      expect(t.inX + plan.windowWidth).toBeLessThanOrEqual(aw);
      expect(t.inY + plan.windowHeight).toBeLessThanOrEqual(ah);
      // At least `pad` pixels of context before and after the written region, or the window reaches the border.
      expect(t.inX).toBeLessThanOrEqual(Math.max(0, t.x0 - plan.pad));
      expect(t.inY).toBeLessThanOrEqual(Math.max(0, t.y0 - plan.pad));
      expect(t.inX + plan.windowWidth).toBeGreaterThanOrEqual(Math.min(aw, t.x1 + plan.pad));
      expect(t.inY + plan.windowHeight).toBeGreaterThanOrEqual(Math.min(ah, t.y1 + plan.pad));
    }
  });

  it.each(cases)('reflect padding, %ix%i tile %i overlap %i multiple %i: every window pad larger than its core', (w, h, tile, overlap, m) => {
    const plan = planTiles(w, h, { tile, overlap, multiple: m, padding: 'reflect' });
    expectCoversOnceOnTheGrid(plan, overlap, m);
    expect([plan.windowWidth, plan.windowHeight]).toEqual([plan.tileWidth + 2 * plan.pad, plan.tileHeight + 2 * plan.pad]);
    for (const t of plan.tiles) {
      // The written region lies inside the window core.
      const coreX = t.inX + plan.pad;
      const coreY = t.inY + plan.pad;
      expect(t.x0).toBeGreaterThanOrEqual(coreX);
      expect(t.y0).toBeGreaterThanOrEqual(coreY);
      expect(t.x1).toBeLessThanOrEqual(coreX + plan.tileWidth);
      expect(t.y1).toBeLessThanOrEqual(coreY + plan.tileHeight);
    }
  });

  it('shifts the last tile back instead of shrinking it; edge windows shift inward, interior ones centre', () => {
    const plan = planTiles(40, 16, { tile: 16, overlap: 2, multiple: 1 });
    expect(plan.cols).toBe(3);
    expect(plan.windowWidth).toBe(20);
    expect(plan.tiles.slice(0, 3).map((t) => [t.inX, t.x0, t.x1])).toEqual([
      [0, 0, 16],
      [14, 16, 32],
      [20, 32, 40],
    ]);
    const reflect = planTiles(40, 16, { tile: 16, overlap: 2, multiple: 1, padding: 'reflect' });
    expect(reflect.tiles.slice(0, 3).map((t) => t.inX)).toEqual([-2, 14, 22]);
  });

  it('zero padding: one tile along an axis that a window would cover anyway (run once, not once per tile)', () => {
    const plan = planTiles(40, 100, { tile: 16, overlap: 12, multiple: 1 });
    expect([plan.cols, plan.tileWidth, plan.windowWidth]).toEqual([1, 40, 40]);
    expect([plan.rows, plan.tileHeight, plan.windowHeight]).toEqual([7, 16, 40]);
    const reflect = planTiles(40, 100, { tile: 16, overlap: 12, multiple: 1, padding: 'reflect' });
    expect([reflect.cols, reflect.windowWidth]).toEqual([3, 40]);
  });

  it('uses one window, the image itself, for tile 0 and for images smaller than a tile (reflect: padded)', () => {
    for (const tile of [0, 64]) {
      const plan = planTiles(30, 10, { tile, overlap: 4, multiple: 1 });
      expect(plan.tiles).toHaveLength(1);
      expect([plan.tiles[0].inX, plan.tiles[0].inY, plan.windowWidth, plan.windowHeight]).toEqual([0, 0, 30, 10]);
      const reflect = planTiles(30, 10, { tile, overlap: 4, multiple: 1, padding: 'reflect' });
      expect([reflect.tiles[0].inX, reflect.windowWidth, reflect.windowHeight]).toEqual([-4, 38, 18]);
    }
  });

  it('rejects bad settings', () => {
    expect(() => planTiles(0, 5, { tile: 8, overlap: 0, multiple: 1 })).toThrow(/width/);
    expect(() => planTiles(5, 5, { tile: -1, overlap: 0, multiple: 1 })).toThrow(/tile/);
    expect(() => planTiles(5, 5, { tile: 8, overlap: 1.5, multiple: 1 })).toThrow(/overlap/);
    expect(() => planTiles(5, 5, { tile: 8, overlap: 1, multiple: 1, padding: 'edge' as never })).toThrow(/padding/);
  });
});
