/**
 * The tiled-inference engine both apps use (cf. Real-ESRGAN's `RealESRGANer`): one object owns the alignment padding,
 * the tiling and the post-crop; callers hand it an 8-bit or 16-bit image and get the result back at the same depth
 * (the network runs in float32 on value / max; outputs are clamped and rounded once, at the end).
 *
 * Borders are PyTorch's: by default the network sees the image with its own zero 'same' padding at the image border,
 * exactly as whole-image inference in PyTorch (BasicSR, Real-ESRGAN); tiles at the edge take their context from inside
 * the image, interior tiles from their neighbours (see tiling/plan.ts). `padding: 'reflect'` reflect-pads instead.
 *
 * Tensor memory is bounded by the tile size: one batch of tile windows is alive as tensors at a time, and results are
 * written straight into the 8-bit output (or into row bands handed to a callback, for streaming encoders).
 */
import * as tf from '@tensorflow/tfjs';
import { planTiles, type BorderPadding, type Tile, type TilePlan, type TileSettings } from './tiling/plan.ts';
import { assertImage, type ImageU16, type ImageU8 } from '@sr/metrics';
import { fillWindow, writeTile, type PixelData, type Rect } from './tiling/pixels.ts';
import { validRun, validRunPixels, type ValidRun } from './tiling/valid.ts';
import { withFloatData } from './tiling/readback.ts';
import type { ValidSides } from './archs/types.ts';
import { generatorTileModel } from './tiling/generator.ts';
import { checkEnsemble, ensembleForward, type EnsembleSize } from './tiling/ensemble.ts';
import type { Generator } from './archs/types.ts';
import { LumaRecolour, splitLuma } from './tiling/luma.ts';

export { planTiles };
export { defaultOverlap, generatorTileModel, RRDBNET_OVERLAP } from './tiling/generator.ts';
export { reflectIndex, type PixelData } from './tiling/pixels.ts';
export { ENSEMBLE_SIZES, ensembleForward, transformBatch, untransformBatch, type EnsembleSize } from './tiling/ensemble.ts';
export type { BorderPadding, TilePlan, Tile, TileSettings } from './tiling/plan.ts';

/** What the engine runs: NHWC float32 in [0, 1] → NHWC at `scale`x (unclamped). */
export interface TileModel {
  forward: (x: tf.Tensor4D) => tf.Tensor4D;
  scale: number;
  /** Input sides must be a multiple of this (pixel-unshuffling networks); default 1. */
  multiple?: number;
  /** Default context pixels around each tile for this network; default {@link DEFAULT_OVERLAP}. */
  overlap?: number;
  /** Default LR tile size for this network; default {@link DEFAULT_TILE}. */
  tile?: number;
  /**
   * A forward that convolves without padding on the valid (inner) sides of a window, whose output lacks `radius` LR
   * pixels there. With it, zero-padded unbatched tiles run in their smallest windows (tile + overlap, clipped to the
   * image) and each layer computes only what the tile still needs: far less context work than same-size windows.
   */
  valid?: { radius: number; forward: (x: tf.Tensor4D, valid: ValidSides) => tf.Tensor4D };
  /**
   * The network takes and returns one luma channel (tiling/luma.ts): RGB images are split into 16-bit luma for the
   * network and colour differences upscaled bicubically, and recoloured band by band. Gray images run as they are.
   */
  luma?: boolean;
}

export interface UpscaleOptions {
  /** LR tile size; 0 = the whole image in one window. Default: the model's. */
  tile?: number;
  /** LR context pixels around each tile (and the reflect padding at the borders with `padding: 'reflect'`). Default: the model's. */
  overlap?: number;
  /**
   * What the network sees beyond the image border. `zero` (default): nothing but its own zero padding, as PyTorch's
   * whole-image inference; `reflect`: the image reflect-padded by the overlap.
   */
  padding?: BorderPadding;
  /**
   * Self-ensemble: 8 runs every tile window through the network in its eight flips/rotations and averages the outputs
   * transformed back (BasicSR's test-time "x8"; 2 and 4 use the first two or four, see tiling/ensemble.ts), in float,
   * before the crop, clamp and rounding; n times the work. Tiled stays equal to whole-image, as without it. Default 1.
   */
  ensemble?: EnsembleSize;
  /** Tiles per forward call (tiles all have the same size). Default 1. */
  batch?: number;
  /** Called after each batch with the number of tiles done so far. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches: on abort, tensors are freed and the promise rejects with `signal.reason` (an AbortError by default). */
  signal?: AbortSignal;
}

/**
 * A finished band of output rows: `data` holds rows [y, y + height) of the HR image, full width, interleaved; 16-bit
 * for a 16-bit input.
 */
export interface RowBand<D extends PixelData = Uint8Array> {
  y: number;
  height: number;
  width: number;
  channels: number;
  data: D;
}

export const DEFAULT_TILE = 64;
export const DEFAULT_OVERLAP = 16;

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** The output sample type for an input: 16-bit in, 16-bit out. */
function depthOf(image: ImageU8 | ImageU16): Uint8ArrayConstructor | Uint16ArrayConstructor {
  if (image.data instanceof Uint16Array) return Uint16Array;
  if (image.data instanceof Uint8Array) return Uint8Array;
  throw new TypeError('upscale input: data must be a Uint8Array (8-bit) or a Uint16Array (16-bit)');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('upscale aborted', 'AbortError');
}

export class Upscaler {
  /** An upscaler for a generator with its per-architecture tile and overlap defaults. */
  static forGenerator(g: Generator): Upscaler {
    return new Upscaler(generatorTileModel(g));
  }

  constructor(readonly model: TileModel) {
    if (!Number.isInteger(model.scale) || model.scale < 1) throw new RangeError(`scale must be a positive integer, got ${model.scale}`);
  }

  /** The tile layout `upscale` would use for an image of this size. */
  plan(width: number, height: number, options: UpscaleOptions = {}): TilePlan {
    return planTiles(width, height, this.settings(options));
  }

  /**
   * What `upscale` costs for an image of this size: tiles, and the LR pixels the network runs for them (context
   * included; for valid forwards, averaged over the layers, which shrink towards the tile).
   */
  work(width: number, height: number, options: UpscaleOptions = {}): { tiles: number; pixels: number } {
    const plan = this.plan(width, height, options);
    const radius = this.validRadius(plan, options.batch ?? 1, options.ensemble ?? 1);
    const pixels =
      radius === undefined
        ? plan.tiles.length * plan.windowWidth * plan.windowHeight
        : plan.tiles.reduce((sum, t) => sum + validRunPixels(validRun(t, plan.pad, width, height, radius), radius), 0);
    return { tiles: plan.tiles.length, pixels };
  }

  /** Upscales an image into a new image of the same depth (`scale`x each side). */
  upscale(image: ImageU8, options?: UpscaleOptions): Promise<ImageU8>;
  upscale(image: ImageU16, options?: UpscaleOptions): Promise<ImageU16>;
  upscale(image: ImageU8 | ImageU16, options?: UpscaleOptions): Promise<ImageU8 | ImageU16>;
  async upscale(image: ImageU8 | ImageU16, options: UpscaleOptions = {}): Promise<ImageU8 | ImageU16> {
    const width = image.width * this.model.scale;
    const height = image.height * this.model.scale;
    const Depth = depthOf(image);
    let out: { width: number; height: number; channels: number; data: PixelData } | undefined;
    // Bands are views into the one output buffer, so tiles are written straight into it.
    await this.run(image, options, (y, rows, channels) => {
      out ??= { width, height, channels, data: new Depth(width * height * channels) };
      const row = width * channels;
      return { y, height: rows, width, channels, data: out.data.subarray(y * row, (y + rows) * row) };
    });
    return out as ImageU8 | ImageU16;
  }

  /**
   * Upscales an image, handing each finished band of output rows (one tile row, top to bottom; 16-bit for a 16-bit
   * input) to `onBand`; the next band is computed after the returned promise settles. Only the bands of the current
   * batch are held.
   */
  upscaleRows(image: ImageU8, onBand: (band: RowBand) => void | Promise<void>, options?: UpscaleOptions): Promise<void>;
  upscaleRows(image: ImageU16, onBand: (band: RowBand<Uint16Array>) => void | Promise<void>, options?: UpscaleOptions): Promise<void>;
  upscaleRows(image: ImageU8 | ImageU16, onBand: (band: RowBand<PixelData>) => void | Promise<void>, options?: UpscaleOptions): Promise<void>;
  async upscaleRows(
    image: ImageU8 | ImageU16,
    onBand: (band: never) => void | Promise<void>,
    options: UpscaleOptions = {},
  ): Promise<void> {
    const width = image.width * this.model.scale;
    const Depth = depthOf(image);
    const deliver = onBand as (band: RowBand<PixelData>) => void | Promise<void>;
    await this.run(
      image,
      options,
      (y, height, channels) => ({ y, height, width, channels, data: new Depth(height * width * channels) }),
      async (band) => deliver(band),
    );
  }

  private settings(options: UpscaleOptions): TileSettings {
    return {
      tile: options.tile ?? this.model.tile ?? DEFAULT_TILE,
      overlap: options.overlap ?? this.model.overlap ?? DEFAULT_OVERLAP,
      multiple: this.model.multiple ?? 1,
      padding: options.padding ?? 'zero',
    };
  }

  /** The valid forward's radius when this plan runs through it: zero padding, one tile per call, enough overlap. */
  /** The valid-convolution path runs untransformed windows only: a self-ensemble takes the padded windows. */
  private validRadius(plan: TilePlan, batch: number, ensemble: number): number | undefined {
    const valid = this.model.valid;
    if (!valid || batch !== 1 || ensemble !== 1 || plan.padding !== 'zero' || (this.model.multiple ?? 1) !== 1 || plan.pad < valid.radius) return undefined;
    return valid.radius;
  }

  /**
   * The loop: `bandFor(y, rows, channels)` supplies the destination for the HR rows of one tile row, `bandDone` is told
   * when every tile of that row has been written.
   */
  private async run(
    image: ImageU8 | ImageU16,
    options: UpscaleOptions,
    bandFor: (y: number, height: number, channels: number) => RowBand<PixelData>,
    bandDone?: (band: RowBand<PixelData>) => Promise<void>,
  ): Promise<void> {
    const { scale } = this.model;
    assertImage(image, 'upscale input');
    if (this.model.luma && image.channels === 3) return this.runLuma(image, options, bandFor, bandDone);
    const { width, height, channels } = image;
    const batch = options.batch ?? 1;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, got ${batch}`);
    const ensemble = options.ensemble ?? 1;
    checkEnsemble(ensemble);
    const plan = this.plan(width, height, options);
    const { tiles, cols } = plan;
    const radius = this.validRadius(plan, batch, ensemble);
    const runOf = (t: Tile): Pick<ValidRun, 'window' | 'output'> & { valid?: ValidSides } => {
      if (radius !== undefined) return validRun(t, plan.pad, width, height, radius);
      const window: Rect = { x: t.inX, y: t.inY, width: plan.windowWidth, height: plan.windowHeight };
      return { window, output: window };
    };
    // Tile row → its output band and how many of its tiles are written.
    const bands = new Map<number, { band: RowBand<PixelData>; filled: number }>();

    for (let first = 0; first < tiles.length; first += batch) {
      throwIfAborted(options.signal);
      const group = tiles.slice(first, first + batch);
      // Tiles of a batch share one window size (and without a valid forward, also their output region's size).
      const runs = group.map(runOf);
      const { window, output: region, valid } = runs[0];
      const windowLen = window.width * window.height * channels;
      const input = new Float32Array(group.length * windowLen);
      runs.forEach((r, i) => fillWindow(image, r.window, input, i * windowLen));
      const expectedOut = [region.width * scale, region.height * scale];
      const result = tf.tidy(() => {
        const x = tf.tensor4d(input, [group.length, window.height, window.width, channels]);
        return valid ? this.model.valid!.forward(x, valid) : ensembleForward((t) => this.model.forward(t), x, ensemble);
      });
      const outChannels = result.shape[3];
      const completed: RowBand<PixelData>[] = [];
      try {
        const [n, oh, ow] = result.shape;
        if (n !== group.length || oh !== expectedOut[1] || ow !== expectedOut[0]) {
          throw new Error(
            `model output ${result.shape.join('x')} for input ${group.length}x${window.height}x${window.width}x${channels}, expected ${group.length}x${expectedOut[1]}x${expectedOut[0]}x* (scale ${scale})`,
          );
        }
        const outWindowLen = expectedOut[0] * expectedOut[1] * outChannels;
        await withFloatData(result, (output) => {
          for (let i = 0; i < group.length; i++) {
            const t = group[i];
            let entry = bands.get(t.row);
            if (!entry) {
              entry = { band: bandFor(t.y0 * scale, (t.y1 - t.y0) * scale, outChannels), filled: 0 };
              bands.set(t.row, entry);
            }
            writeTile(output, i * outWindowLen, runs[i].output, width, t, scale, outChannels, entry.band.data, entry.band.y);
            if (++entry.filled === cols) {
              bands.delete(t.row);
              completed.push(entry.band);
            }
          }
        });
      } finally {
        result.dispose();
      }
      for (const band of completed) await bandDone?.(band);
      options.onProgress?.(first + group.length, tiles.length);
      // Lets timers and I/O (and so abort signals) run between batches.
      await yieldToEventLoop();
    }
  }

  /** `run` for a luma network on an RGB image: the network runs on the luma, each finished band is recoloured. */
  private async runLuma(
    image: ImageU8 | ImageU16,
    options: UpscaleOptions,
    bandFor: (y: number, height: number, channels: number) => RowBand<PixelData>,
    bandDone?: (band: RowBand<PixelData>) => Promise<void>,
  ): Promise<void> {
    const { luma, chroma } = splitLuma(image);
    const recolour = new LumaRecolour(chroma, image.width, image.height, this.model.scale);
    const width = image.width * this.model.scale;
    await this.run(
      luma,
      options,
      (y, height) => ({ y, height, width, channels: 1, data: new Uint16Array(height * width) }),
      async (band) => {
        const rgb = bandFor(band.y, band.height, 3);
        recolour.recolour(band.data as Uint16Array, band.y, band.height, rgb.data);
        await bandDone?.(rgb);
      },
    );
  }
}
