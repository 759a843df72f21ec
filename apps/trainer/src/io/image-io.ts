import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { assertImage, toU8, type Image, type ImageU8 } from '@sr/metrics';
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
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, encoded);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new CliError(`cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
