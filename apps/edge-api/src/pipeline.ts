import { compare, downscaleBicubic, psnr, type ImageU8 } from '@sr/metrics';
import type { RowBand } from '@sr/model';
import { ApiError } from './errors.ts';
import type { Codec, DecodedImage } from './codecs/types.ts';
import { toRgb } from './codecs/rgb.ts';
import type { ImageInput } from './input.ts';

export async function decodeInput(codec: Codec, input: ImageInput): Promise<DecodedImage> {
  let image: DecodedImage;
  try {
    image = await codec.decode(input.bytes, input.header.format);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'undecodable', `the ${input.header.format} image could not be decoded: ${(err as Error).message}`);
  }
  const { width, height } = input.header;
  // EXIF orientations 5..8 swap the stored sides.
  const fits = (image.width === width && image.height === height) || (input.header.format === 'jpeg' && image.width === height && image.height === width);
  if (!fits) {
    throw new ApiError(400, 'undecodable', `the header says ${width}x${height} but the pixels are ${image.width}x${image.height}`);
  }
  return image;
}

/** The engine's input: 8-bit RGB (gray replicated, alpha flattened on black, 16-bit rounded). */
export function engineRgb(image: DecodedImage): ImageU8 {
  if (image.channels === 3 && image.bitDepth === 8) return image as ImageU8;
  return toRgb(image.data, image.width, image.height, image.channels, image.bitDepth === 16 ? 65535 : 255);
}

/** SSIM's window is 11x11. */
const MIN_SSIM_SIDE = 11;
/**
 * LR rows the consistency check scores at most: a subsample of taller images, so its cost stays flat in the image
 * height (at 256x256, 32 rows cost ~2% of the request's CPU, 64 rows twice that). 32 rows of the full width are enough
 * for its job: telling a broken result (the low-bit-depth gray decoding bug scored 4-9 dB) from a plausible one (30+).
 */
export const CHECK_ROWS = 32;
/** LR rows next to a cut HR band edge whose bicubic support (±2 LR px at x4, antialiased) crosses the cut. */
const CUT_MARGIN = 3;

const topRows = (img: ImageU8, rows: number): ImageU8 => ({ ...img, height: rows, data: img.data.subarray(0, rows * img.width * img.channels) });

/**
 * The LR consistency of the result from its first band of rows: the top of the SR image (at most CHECK_ROWS LR rows)
 * downscaled with MATLAB bicubic vs the same LR rows, RGB, no border crop. It equals the whole-image check for images
 * of at most CHECK_ROWS rows done in one band; otherwise it leaves out the LR rows next to the cut. SSIM is null when
 * fewer than 11 rows or columns are scored.
 */
export function consistencyOfTop(first: RowBand, lr: ImageU8, scale: number): { psnr: number; ssim: number | null; rows: number } {
  const wanted = Math.min(first.height / scale, CHECK_ROWS + CUT_MARGIN);
  const cut = wanted < lr.height;
  const hr: ImageU8 = { width: first.width, height: wanted * scale, channels: first.channels, data: first.data.subarray(0, wanted * scale * first.width * first.channels) };
  const rows = cut ? Math.max(1, wanted - CUT_MARGIN) : wanted;
  const back = topRows(downscaleBicubic(hr, scale), rows);
  const ref = topRows(lr, rows);
  if (rows < MIN_SSIM_SIDE || lr.width < MIN_SSIM_SIDE) return { psnr: psnr(back, ref), ssim: null, rows };
  const s = compare(back, ref);
  return { psnr: s.psnr, ssim: s.ssim, rows };
}
