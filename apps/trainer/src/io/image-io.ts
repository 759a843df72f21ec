import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { assertImage, toU8, type Image, type ImageU8 } from '@sr/metrics';
import { compositeOnWhite, toBitDepth8, type PixelImage } from '@sr/model/image';
import { CliError } from '../cli-error.ts';

/** Throws a CliError naming `path` unless it is an existing regular file. */
async function assertFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CliError(`cannot read ${path}: no such file`);
  }
  if (!info.isFile()) throw new CliError(`cannot read ${path}: not a file`);
}

/**
 * Decodes any format sharp reads into 8-bit RGB: EXIF orientation applied, grayscale replicated to three channels,
 * alpha composited onto black (then dropped), 16-bit reduced to 8-bit by sharp.
 */
export async function readImageRgb(path: string): Promise<ImageU8> {
  await assertFile(path);
  try {
    const { data, info } = await sharp(path)
      .autoOrient()
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    // A copy with its own ArrayBuffer, safe to transfer to a worker.
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
  } catch (err) {
    throw new CliError(`cannot decode ${path} as an image: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const FORMATS = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' } as const;
type Ext = keyof typeof FORMATS;

export interface WriteOptions {
  /** JPEG/WebP quality 1..100 (default 95); PNG is lossless. */
  quality?: number;
}

/** The encoder for an output path, by extension; a CliError for anything else (check before doing the work). */
export function encoderFor(path: string): (typeof FORMATS)[Ext] {
  const ext = extname(path).toLowerCase();
  if (!(ext in FORMATS)) {
    throw new CliError(`cannot write ${path}: unsupported extension '${ext}' (use ${Object.keys(FORMATS).join(', ')})`);
  }
  return FORMATS[ext as Ext];
}

/** Encodes by the file extension (png, jpg/jpeg, webp) and writes atomically (temp file in the same folder, then rename). */
export async function writeImage(path: string, img: Image, opts: WriteOptions = {}): Promise<void> {
  const format = encoderFor(path);
  assertImage(img);
  const { width, height, channels, data } = toU8(img);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new CliError(`cannot write ${path}: ${channels}-channel images are not supported (1, 3 or 4)`);
  }
  const quality = opts.quality ?? 95;
  const encoded = await sharp(data, { raw: { width, height, channels } })
    .toFormat(format, format === 'png' ? {} : { quality })
    .toBuffer();
  await writeFileAtomic(path, encoded);
}

/** Writes via a temp file in the same folder and a rename, so readers never see a partial file; CliError on failure. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new CliError(`cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const CMYK_REFUSED = 'CMYK/YCCK JPEG is not supported; convert it to RGB (sRGB) first';

/**
 * Decodes any format sharp reads into a PixelImage of the same kind: EXIF orientation applied; gray (± alpha) stays
 * gray, RGB(A) stays RGB(A), palette images expand to RGB (RGBA with tRNS); 16-bit sources stay 16-bit. CMYK/YCCK
 * JPEGs are refused, as in both edge runtimes (their JPEG decoder cannot convert them).
 */
export async function readPixelImage(path: string): Promise<PixelImage> {
  await assertFile(path);
  try {
    const meta = await sharp(path).metadata();
    if (meta.format === 'jpeg' && meta.space === 'cmyk') throw new CliError(`${path}: ${CMYK_REFUSED}`);
    const gray = meta.space === 'b-w' || meta.space === 'grey16';
    const sixteen = meta.depth === 'ushort';
    // 8-bit sRGB must not go through rgb16 (sharp converts that through linear light); gray → grey16 is exact (×257).
    const pipeline = sharp(path).autoOrient();
    if (!gray && !sixteen) {
      const { data, info } = await pipeline.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      return pixelImage(info, 8, new Uint8Array(data));
    }
    const { data, info } = await pipeline.toColourspace(gray ? 'grey16' : 'rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const image = pixelImage(info, 16, new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
    return sixteen ? image : toBitDepth8(image);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot decode ${path} as an image: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function pixelImage(info: sharp.OutputInfo, bitDepth: 8 | 16, data: Uint8Array | Uint16Array): PixelImage {
  if (info.channels < 1 || info.channels > 4) throw new Error(`decoded to ${info.channels} channels`);
  return { width: info.width, height: info.height, channels: info.channels as PixelImage['channels'], bitDepth, data } as PixelImage;
}

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export interface EncodeOptions {
  /** JPEG/WebP quality 1..100 (default 95); PNG is lossless. */
  quality?: number;
}

/**
 * Encodes a PixelImage: PNG keeps channels and bit depth (16-bit PNG for 16-bit images), WebP keeps alpha (8-bit),
 * JPEG is 8-bit with alpha composited onto white. No metadata is written (so no EXIF orientation tag).
 */
export async function encodePixelImage(image: PixelImage, format: OutputFormat, opts: EncodeOptions = {}): Promise<Buffer> {
  let img = format === 'png' ? image : toBitDepth8(image);
  if (format === 'jpeg') img = compositeOnWhite(img);
  const { width, height, channels, data } = img;
  const gray = channels <= 2;
  let s = sharp(data, { raw: { width, height, channels } });
  if (img.bitDepth === 16) s = s.toColourspace(gray ? 'grey16' : 'rgb16');
  else if (gray) s = s.toColourspace('b-w');
  const quality = opts.quality ?? 95;
  return format === 'png' ? s.png().toBuffer() : format === 'jpeg' ? s.jpeg({ quality }).toBuffer() : s.webp({ quality }).toBuffer();
}
