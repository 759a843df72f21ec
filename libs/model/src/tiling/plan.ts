/**
 * Tile layout for tiled inference, in LR pixel coordinates.
 *
 * The image is first aligned: its processed size is rounded up to `multiple` (networks that pixel-unshuffle their input
 * need that), the extra rows/columns at the right and bottom reflecting the image (Real-ESRGAN's `mod_pad`). All tiles
 * have the same size so they can be batched: the last tile of a row/column is shifted back to end at the aligned edge
 * (it overlaps its neighbour and only writes the part nobody else owns). Every tile is run in a window that adds `pad`
 * context pixels on each side, and what lies beyond the aligned image depends on `padding`:
 *
 * - `zero` (default): nothing. Windows are clamped to the aligned image (shifted inward, keeping their size), so the
 *   network's own zero 'same' padding meets the true image border, as in PyTorch's whole-image inference. Edge tiles
 *   take their context from inside the image. Where a window would cover a whole axis anyway, that axis has one tile
 *   (the same window, run once instead of once per tile).
 * - `reflect`: the image is treated as an infinite reflect-padded plane and every window is `pad` larger than its tile
 *   on each side, also at the border (the aligned image is reflect-padded by `pad`, like Real-ESRGAN's `pre_pad`).
 *
 * With `tile` 0, one window covers the whole aligned image; that is the "whole-image" reference the tiles agree with
 * (exactly when `pad` reaches the network's receptive field).
 */

export type BorderPadding = 'zero' | 'reflect';

export interface TileSettings {
  /** LR tile size (rounded up to `multiple`); 0 = one tile covering the whole image. */
  tile: number;
  /** LR context pixels around every tile (rounded up to `multiple`). */
  overlap: number;
  /** Network input sides must be a multiple of this (1 for most generators, 2 or 4 for pixel-unshuffling ones). */
  multiple: number;
  /** What the network sees beyond the image border; default `zero`. */
  padding?: BorderPadding;
}

export interface Tile {
  /** Tile row and column in the grid. */
  row: number;
  col: number;
  /** Top-left of the network input window (negative only with reflect padding: reflected pixels). */
  inX: number;
  inY: number;
  /** Region of the original image this tile writes, [x0, x1) x [y0, y1), never empty. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface TilePlan {
  width: number;
  height: number;
  /** Size of every tile's core (the region a window is responsible for, before clipping to the image). */
  tileWidth: number;
  tileHeight: number;
  /** Context pixels per side (interior tiles get exactly this much; edge tiles with zero padding get more inward). */
  pad: number;
  padding: BorderPadding;
  /** Network input window size: tile + 2 pad, with zero padding at most the aligned image. */
  windowWidth: number;
  windowHeight: number;
  rows: number;
  cols: number;
  /** Row-major. */
  tiles: Tile[];
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
}

interface Span {
  /** Window start; owned range [start, end) clipped to the image. */
  windowStart: number;
  start: number;
  end: number;
}

/**
 * Tiles along one axis: cores of size `size` at multiples of `size`, the last shifted back to end at `aligned`, each in
 * a window of `window` pixels that starts `pad` before its core, clamped to [0, aligned) unless `reflect`.
 */
function spans(length: number, aligned: number, size: number, pad: number, window: number, reflect: boolean): Span[] {
  const out: Span[] = [];
  for (let start = 0; start < length; start += size) {
    const origin = Math.min(start, aligned - size);
    const windowStart = reflect ? origin - pad : Math.max(0, Math.min(origin - pad, aligned - window));
    out.push({ windowStart, start, end: Math.min(start + size, length) });
  }
  return out;
}

export function planTiles(width: number, height: number, settings: TileSettings): TilePlan {
  checkInt('width', width, 1);
  checkInt('height', height, 1);
  checkInt('tile', settings.tile, 0);
  checkInt('overlap', settings.overlap, 0);
  checkInt('multiple', settings.multiple, 1);
  const padding = settings.padding ?? 'zero';
  if (padding !== 'zero' && padding !== 'reflect') throw new RangeError(`padding must be 'zero' or 'reflect', got ${String(padding)}`);
  const reflect = padding === 'reflect';
  const m = settings.multiple;
  const alignedW = roundUp(width, m);
  const alignedH = roundUp(height, m);
  const tile = roundUp(settings.tile, m);
  const pad = roundUp(settings.overlap, m);
  const coreSize = (aligned: number) => (tile === 0 || (!reflect && tile + 2 * pad >= aligned) ? aligned : Math.min(tile, aligned));
  const tileWidth = coreSize(alignedW);
  const tileHeight = coreSize(alignedH);
  const windowWidth = reflect ? tileWidth + 2 * pad : Math.min(tileWidth + 2 * pad, alignedW);
  const windowHeight = reflect ? tileHeight + 2 * pad : Math.min(tileHeight + 2 * pad, alignedH);
  const ys = spans(height, alignedH, tileHeight, pad, windowHeight, reflect);
  const xs = spans(width, alignedW, tileWidth, pad, windowWidth, reflect);
  const tiles: Tile[] = [];
  ys.forEach((sy, row) =>
    xs.forEach((sx, col) =>
      tiles.push({ row, col, inX: sx.windowStart, inY: sy.windowStart, x0: sx.start, y0: sy.start, x1: sx.end, y1: sy.end }),
    ),
  );
  return { width, height, tileWidth, tileHeight, pad, padding, windowWidth, windowHeight, rows: ys.length, cols: xs.length, tiles };
}
