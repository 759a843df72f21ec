import { consistencyCheck, type ImageU8 } from '@sr/metrics';
import { ApiError } from './errors.ts';
import type { Codec } from './codecs/types.ts';
import type { ImageInput } from './input.ts';
import type { ModelLease } from './models/registry.ts';

export async function decodeInput(codec: Codec, input: ImageInput): Promise<ImageU8> {
  let image: ImageU8;
  try {
    image = await codec.decode(input.bytes, input.header.format);
  } catch (err) {
    throw new ApiError(400, 'undecodable', `the ${input.header.format} image could not be decoded: ${(err as Error).message}`);
  }
  const { width, height } = input.header;
  if (image.width !== width || image.height !== height) {
    throw new ApiError(400, 'undecodable', `the header says ${width}x${height} but the pixels are ${image.width}x${image.height}`);
  }
  return image;
}

/** `tile` 0 runs the whole image at once, which only fits in memory up to `maxTile` per side. */
export function checkTile(tile: number, image: ImageU8, maxTile: number): void {
  if (tile > maxTile) throw new ApiError(422, 'invalid_query', `tile ${tile} exceeds the limit of ${maxTile}`);
  if (tile === 0 && Math.max(image.width, image.height) > maxTile) {
    throw new ApiError(422, 'invalid_query', `tile=0 (untiled) needs an image of at most ${maxTile} pixels per side, got ${image.width}x${image.height}`);
  }
  if (tile !== 0 && tile < 8) throw new ApiError(422, 'invalid_query', `tile must be 0 (untiled) or at least 8, got ${tile}`);
}

export interface UpscaleResult {
  sr: ImageU8;
  tiles: number;
}

export async function upscale(lease: ModelLease, image: ImageU8, tile: number, signal?: AbortSignal): Promise<UpscaleResult> {
  const tiles = lease.upscaler.plan(image.width, image.height, { tile }).tiles.length;
  const sr = await lease.upscaler.upscale(image, { tile, signal });
  return { sr, tiles };
}

/** SR downscaled with MATLAB bicubic vs the LR input (RGB); SSIM is null for inputs under 11 pixels per side. */
export function consistency(sr: ImageU8, lr: ImageU8, scale: number): { psnr: number; ssim: number | null } {
  const r = consistencyCheck(sr, lr, scale).rgb;
  return { psnr: r.psnr, ssim: Number.isNaN(r.ssim) ? null : r.ssim };
}
