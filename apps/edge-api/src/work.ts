import type { Upscaler } from '@sr/model';
import { ApiError } from './errors.ts';

export interface WorkEstimate {
  tiles: number;
  /** Forward passes per tile window: the self-ensemble size (1 without it). */
  ensemble: number;
  /** LR pixels the network runs, context overlap and ensemble passes included. */
  pixels: number;
  gflop: number;
}

/**
 * What a request will cost, from the header size and the tile plan: the LR pixels the engine runs for its tile windows
 * (`Upscaler.work`: context included, averaged over the layers where windows shrink towards their tiles) × the
 * ensemble's passes × the model's FLOP per pixel.
 */
export function estimateWork(upscaler: Upscaler, width: number, height: number, tile: number, flopsPerPixel: number, ensemble = 1): WorkEstimate {
  const work = upscaler.work(width, height, { tile });
  const pixels = work.pixels * ensemble;
  return { tiles: work.tiles, ensemble, pixels: Math.round(pixels), gflop: (pixels * flopsPerPixel) / 1e9 };
}

/** 422 when the estimate exceeds MAX_WORK_GFLOP, with the numbers, before anything is decoded or run. */
export function checkWork(work: WorkEstimate, maxGflop: number, what: string): void {
  if (work.gflop > maxGflop) {
    const passes = work.ensemble > 1 ? ` × ${work.ensemble} ensemble passes` : '';
    const remedy = work.ensemble > 1 ? 'use ensemble=1, a larger tile or a smaller image' : 'use a larger tile or a smaller image';
    throw new ApiError(
      422,
      'too_much_work',
      `${what} needs ${work.tiles} tiles${passes} = ${work.pixels} LR pixels with context ≈ ${work.gflop.toFixed(1)} GFLOP, over the limit of ${maxGflop} GFLOP (MAX_WORK_GFLOP); ${remedy}`,
    );
  }
}

/**
 * The default tile for an image: of the tiles from `largest` down to half of it (and at least the minimum), the one
 * whose windows cover the fewest pixels (ties: the larger). 256² with a largest tile of 128 runs as 2x2 exact tiles
 * instead of leaving a shifted last tile that mostly recomputes its neighbour.
 */
export function chooseTile(upscaler: Upscaler, width: number, height: number, largest: number, overlap: number): number {
  let best = largest;
  let bestPixels = Infinity;
  for (let t = largest; t >= Math.max(minTile(overlap), Math.ceil(largest / 2)); t--) {
    const pixels = estimateWork(upscaler, width, height, t, 1).pixels;
    if (pixels < bestPixels) [best, bestPixels] = [t, pixels];
  }
  return best;
}

/**
 * Bytes of 8-bit RGB output in one row band (one row of tiles: HR width × tile·scale rows × 3) that a default tile may
 * produce. Streamed PNG holds up to two bands (the one being encoded and the one computed ahead) plus the float output
 * of a window; measured in workerd on a 1024x692 input (4096-px-wide output), 128-px tiles (6 MiB bands) peaked at
 * 103 MB of isolate memory and 64-px ones (3 MiB) at 88 MB, for 20% more pixels run (see README "Limits per runtime").
 * A luma network (manifest `channels: luma`) holds more per request and is still bounded by this RGB band alone: the
 * 16-bit luma band of the tile row being computed (2 bytes per HR pixel, 2 MiB beside a 3 MiB band) and, for the
 * whole request, the LR luma and colour differences (2 + 8 bytes per LR pixel: 7 MB at 1024x692, 10 MiB at
 * 1024x1024); its windows' float input and output have one channel instead of three, and the wasm heap, which keeps
 * their high-water mark, dominates. Measured on that request with the 32f/7c luma SRVGG at the same 64-px tiles:
 * 57-68 MB of isolate memory against 51-78 MB for the RGB edge-x4 (garbage of earlier requests moves both more than
 * the model does), so its tile is not lowered (a 48-px bound that counted the luma band would run 9% more pixels).
 */
export const BAND_BUDGET_BYTES = 3 * 2 ** 20;

/**
 * Images of at most WHOLE_WINDOW_SIDE per side run as one window by default. Measured at 256² (edge-x4): in workerd
 * ~5% less CPU per request than 2x2 tiles of 128, in the engine 1.0x the whole-image rate against 0.73-0.90x. Every
 * padded conv of an inference runs on a short-lived copy of its kernel (archs/srvgg.ts), so no XNNPACK operator keeps
 * an indirection buffer sized by a large window: the wasm heap, which never shrinks, stays at 42 MB after a 256²
 * window (70 MB with cached operators) and the 1024x692 request after it peaked at 48-82 MB of isolate memory.
 */
export const WHOLE_WINDOW_SIDE = 256;

/**
 * The tile a request gets when it names none: the whole image as one window when it fits WHOLE_WINDOW_SIDE and its
 * output fits one band (whatever MAX_TILE, which bounds the tiles a request names); otherwise `chooseTile` up to
 * `largest`, lowered for wide images so that one output band stays within BAND_BUDGET_BYTES (never below the model's
 * minimum tile).
 */
export function defaultTile(upscaler: Upscaler, width: number, height: number, largest: number, overlap: number, scale: number): number {
  // A tile at least the image's larger side covers it in one window; never under the model's minimum tile.
  const whole = Math.max(width, height, minTile(overlap));
  if (whole <= WHOLE_WINDOW_SIDE && width * height * scale * scale * 3 <= BAND_BUDGET_BYTES) return whole;
  const bandBound = Math.floor(BAND_BUDGET_BYTES / (width * scale * scale * 3));
  return chooseTile(upscaler, width, height, Math.max(minTile(overlap), Math.min(largest, bandBound)), overlap);
}

/** Smallest tile: at least twice the model's context overlap, so context is at most (1 + 2·½)² = 4× the tile's own pixels. */
export const minTile = (overlap: number): number => Math.max(16, 2 * overlap);

/**
 * The tile a request runs at: the one it names, checked against `maxTile` and the model's minimum, or the default
 * policy's (defaultTile).
 */
export function requestTile(upscaler: Upscaler, width: number, height: number, named: number | undefined, limits: { defaultTile: number; maxTile: number }): number {
  const overlap = upscaler.plan(width, height, { tile: 0 }).pad;
  if (named === undefined) return defaultTile(upscaler, width, height, limits.defaultTile, overlap, upscaler.model.scale);
  checkTile(named, width, height, overlap, limits.maxTile);
  return named;
}

/** `tile` 0 runs the whole image at once, which only fits in memory up to `maxTile` per side. */
export function checkTile(tile: number, width: number, height: number, overlap: number, maxTile: number): void {
  if (tile > maxTile) throw new ApiError(422, 'invalid_query', `tile ${tile} exceeds the limit of ${maxTile}`);
  if (tile === 0 && Math.max(width, height) > maxTile) {
    throw new ApiError(422, 'invalid_query', `tile=0 (untiled) needs an image of at most ${maxTile} pixels per side, got ${width}x${height}`);
  }
  const min = minTile(overlap);
  if (tile !== 0 && tile < min) {
    throw new ApiError(422, 'invalid_query', `tile must be 0 (untiled) or at least ${min} for this model (context overlap ${overlap} px), got ${tile}`);
  }
}
