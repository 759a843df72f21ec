import type { ImageU16, ImageU8 } from '@sr/metrics';
import type { UpscaleOptions } from '../tiling.ts';
import { grayToRgb, joinAlpha, rgbToGray, splitAlpha } from './channels.ts';
import { assertPixelImage, fromMetricsImage, toMetricsImage, type PixelImage } from './pixel-image.ts';
import { resizePixelImage } from './resize.ts';

/** What `upscaleImage` needs of the tiled engine (`Upscaler` satisfies it): RGB in, RGB at `model.scale`x out, same depth. */
export interface RgbUpscaler {
  readonly model: { readonly scale: number };
  upscale(image: ImageU8 | ImageU16, options?: UpscaleOptions): Promise<ImageU8 | ImageU16>;
}

/** How the alpha channel is upscaled: MATLAB bicubic (default), or the model on a grey replica (Real-ESRGAN's `realesrgan`). */
export type AlphaUpsampler = 'bicubic' | 'model';

export interface ImageUpscaleOptions extends UpscaleOptions {
  alpha?: AlphaUpsampler;
}

/**
 * Upscales any PixelImage by the network scale and returns the same kind: same channels, same bit depth.
 * Gray is replicated to RGB for the model and mapped back with BT.601; alpha is split off, upscaled separately and
 * re-attached. `onProgress` counts the tiles of every model pass (two with `alpha: 'model'`).
 */
export async function upscaleImage(upscaler: RgbUpscaler, image: PixelImage, options: ImageUpscaleOptions = {}): Promise<PixelImage> {
  assertPixelImage(image, 'upscale input');
  const { alpha: alphaMode = 'bicubic', onProgress, ...engine } = options;
  if (alphaMode !== 'bicubic' && alphaMode !== 'model') throw new RangeError(`alpha must be 'bicubic' or 'model', got ${String(alphaMode)}`);
  const { color, alpha } = splitAlpha(image);
  const passes = alpha && alphaMode === 'model' ? 2 : 1;
  const runModel = async (rgb: PixelImage, pass: number): Promise<PixelImage> => {
    const out = await upscaler.upscale(toMetricsImage(rgb), {
      ...engine,
      onProgress: onProgress && ((done, total) => onProgress(pass * total + done, passes * total)),
    });
    const result = fromMetricsImage(out);
    if (result.bitDepth !== rgb.bitDepth) throw new Error(`the engine returned ${result.bitDepth}-bit output for ${rgb.bitDepth}-bit input`);
    return result;
  };

  const upColor = await runModel(grayToRgb(color), 0);
  const colorOut = color.channels === 1 ? rgbToGray(upColor) : upColor;
  if (!alpha) return colorOut;
  const alphaOut =
    alphaMode === 'model'
      ? rgbToGray(await runModel(grayToRgb(alpha), 1))
      : resizePixelImage(alpha, colorOut.width, colorOut.height);
  return joinAlpha(colorOut, alphaOut);
}
