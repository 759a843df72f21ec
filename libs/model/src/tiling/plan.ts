/**
 * Tile layout for tiled inference, in LR pixel coordinates.
 *
 * The image is treated as an infinite reflect-padded plane. It is first aligned: its processed size is rounded up to
 * `multiple` (networks that pixel-unshuffle their input need that), the extra rows/columns coming from the same
 * reflection. Every network input window is `pad` pixels larger than the region it is responsible for on each side.
 * All tiles have the same size so they can be batched: the last tile of a row/column is shifted back to end at the
 * aligned edge (it overlaps its neighbour and only writes the part nobody else owns). With `tile` 0, one window covers
 * the whole aligned image; that is the "whole-image" reference the tiles agree with (exactly when `pad` reaches the
 * network's receptive field).
 */

export interface TileSettings {
  /** LR tile size (rounded up to `multiple`); 0 = one tile covering the whole image. */
  tile: number;
  /** LR context pixels around every tile (rounded up to `multiple`). */
  overlap: number;
  /** Network input sides must be a multiple of this (1 for most generators, 2 or 4 for pixel-unshuffling ones). */
  multiple: number;
}

export interface Tile {
  /** Tile row and column in the grid. */
  row: number;
  col: number;
  /** Top-left of the network input window (may be negative: reflected pixels). */
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
  /** Size of every tile's core (window minus padding). */
  tileWidth: number;
  tileHeight: number;
  pad: number;
  /** Network input window size (tile + 2 pad). */
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
  /** Window core start (aligned), owned range [start, end) clipped to the image. */
  origin: number;
  start: number;
  end: number;
}

/** Tiles along one axis: cores of size `size` at multiples of `size`, the last shifted back to end at `aligned`. */
function spans(length: number, aligned: number, size: number): Span[] {
  const out: Span[] = [];
  for (let start = 0; start < length; start += size) {
    out.push({ origin: Math.min(start, aligned - size), start, end: Math.min(start + size, length) });
  }
  return out;
}

export function planTiles(width: number, height: number, settings: TileSettings): TilePlan {
  checkInt('width', width, 1);
  checkInt('height', height, 1);
  checkInt('tile', settings.tile, 0);
  checkInt('overlap', settings.overlap, 0);
  checkInt('multiple', settings.multiple, 1);
  const m = settings.multiple;
  const alignedW = roundUp(width, m);
  const alignedH = roundUp(height, m);
  const tile = roundUp(settings.tile, m);
  const tileWidth = tile === 0 ? alignedW : Math.min(tile, alignedW);
  const tileHeight = tile === 0 ? alignedH : Math.min(tile, alignedH);
  const pad = roundUp(settings.overlap, m);
  const ys = spans(height, alignedH, tileHeight);
  const xs = spans(width, alignedW, tileWidth);
  const tiles: Tile[] = [];
  ys.forEach((sy, row) =>
    xs.forEach((sx, col) =>
      tiles.push({
        row,
        col,
        inX: sx.origin - pad,
        inY: sy.origin - pad,
        x0: sx.start,
        y0: sy.start,
        x1: sx.end,
        y1: sy.end,
      }),
    ),
  );
  return {
    width,
    height,
    tileWidth,
    tileHeight,
    pad,
    windowWidth: tileWidth + 2 * pad,
    windowHeight: tileHeight + 2 * pad,
    rows: ys.length,
    cols: xs.length,
    tiles,
  };
}
