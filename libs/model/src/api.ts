/**
 * The high-level API: load a model file, upscale any image kind, interpolate two models. Everything else exported by
 * `@sr/model` is the toolkit underneath (architectures, weights, the tiling engine).
 */
import type { ImageU16, ImageU8 } from '@sr/metrics';
import type { Generator } from './archs/types.ts';
import { disposeParams } from './generator.ts';
import { fromMetricsImage, type PixelImage } from './image/pixel-image.ts';
import { outscaleSize, resizePixelImage } from './image/resize.ts';
import { upscaleImage, type ImageUpscaleOptions } from './image/upscale-image.ts';
import { initBackend, type InitBackendOptions } from './runtime/backend.ts';
import { Upscaler } from './tiling.ts';
import { interpolateGenerators } from './weights/interpolate.ts';
import { importWeights, readFileBytes } from './weights/model-file.ts';

/** A path (Node), a URL (fetched; `file:` URLs read in Node), or the file's bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

export interface SrModel {
  readonly generator: Generator;
  /** The tiled engine for this network (per-architecture tile and overlap defaults). */
  readonly upscaler: Upscaler;
  readonly scale: number;
  readonly arch: string;
  /** Hex SHA-256 of the file (for an interpolation: both files and α). */
  readonly sha256: string;
  /** Frees the weight tensors. */
  dispose(): void;
}

export interface LoadModelOptions {
  /**
   * The tfjs backend to initialize first (see `initBackend`); default `{}` = the best available in Node. Outside Node
   * pass `{ wasmModule }`, or `false` when the application has initialized a backend itself.
   */
  backend?: InitBackendOptions | false;
}

const isFetchable = (s: string) => /^(https?|data|blob):/i.test(s);

async function readSource(source: ModelSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const url = source instanceof URL ? source : isFetchable(source) ? new URL(source) : undefined;
  if (url && url.protocol !== 'file:') {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`cannot fetch ${url.href}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  return readFileBytes(url ? decodeURIComponent(url.pathname) : (source as string));
}

function srModel(generator: Generator, sha256: string): SrModel {
  return {
    generator,
    upscaler: Upscaler.forGenerator(generator),
    scale: generator.scale,
    arch: generator.arch,
    sha256,
    dispose: () => disposeParams(generator.params),
  };
}

/** Loads a model file (our safetensors, BasicSR/Real-ESRGAN safetensors or `.pth`); the architecture is read or inferred. */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<SrModel> {
  if (options.backend !== false) await initBackend({ log: null, ...options.backend });
  const bytes = await readSource(source);
  const { generator, sha256 } = await importWeights(bytes);
  return srModel(generator, sha256);
}

/** Browser `ImageData` (or anything shaped like it): RGBA, 8-bit. */
export interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type AnyImage = PixelImage | ImageU8 | ImageU16 | ImageDataLike;

export interface ApiUpscaleOptions extends ImageUpscaleOptions {
  /** Final size = round(outscale × input) per side: the network scale, then a MATLAB-bicubic resize. */
  outscale?: number;
}

function toPixelImage(image: AnyImage): PixelImage {
  if ('bitDepth' in image) return image;
  if (image.data instanceof Uint8ClampedArray) {
    const { width, height, data } = image;
    return { width, height, channels: 4, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  }
  return fromMetricsImage(image as ImageU8 | ImageU16);
}

/**
 * Upscales an image of any kind (gray, gray+alpha, RGB, RGBA; 8 or 16 bits; ImageData) and returns the same kind at
 * `model.scale`× (or `outscale`×). `alpha` chooses how the alpha channel is upscaled: 'bicubic' (default) or 'model'.
 */
export async function upscale(model: SrModel, image: AnyImage, options: ApiUpscaleOptions = {}): Promise<PixelImage> {
  const { outscale, ...rest } = options;
  const input = toPixelImage(image);
  const out = await upscaleImage(model.upscaler, input, rest);
  if (outscale === undefined) return out;
  const size = outscaleSize(input.width, input.height, outscale);
  return resizePixelImage(out, size.width, size.height);
}

/** Network interpolation θ = (1 − α)·θ_A + α·θ_B (same architecture and config); a new model, A and B are kept. */
export function interpolate(a: SrModel, b: SrModel, alpha: number): SrModel {
  return srModel(interpolateGenerators(a.generator, b.generator, alpha), `${a.sha256}+${b.sha256}@${alpha}`);
}
