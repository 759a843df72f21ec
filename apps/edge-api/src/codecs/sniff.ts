import { ApiError } from '../errors.ts';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const MEDIA_TYPES: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format from the magic bytes alone, or null. */
export function sniffFormat(b: Uint8Array): ImageFormat | null {
  if (b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  return null;
}

const undecodable = (message: string) => new ApiError(400, 'undecodable', message);

function pngSize(b: Uint8Array): [number, number] {
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') throw undecodable('PNG without an IHDR chunk');
  return [u32be(b, 16), u32be(b, 20)];
}

/** FF D9 after the frame header: entropy-coded data stuffs every FF, so only a real EOI matches. */
function hasEndMarker(b: Uint8Array, from: number): boolean {
  for (let i = b.length - 2; i > from; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  return false;
}

/**
 * Four-component JPEGs (Adobe CMYK or YCCK) are refused in both runtimes alike: the workerd decoder (mozjpeg) cannot
 * convert them to RGB, and sharp converts through an ICC profile that a formula in workerd would not match.
 */
export const CMYK_MESSAGE = 'CMYK/YCCK JPEG is not supported; convert it to RGB (sRGB) first';

/** Walks the JPEG marker segments up to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC). */
function jpegSize(b: Uint8Array): [number, number] {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw undecodable(`JPEG marker expected at byte ${i}`);
    const marker = b[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const length = u16be(b, i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 10 > b.length) break;
      if (!hasEndMarker(b, i)) throw undecodable('JPEG without an end-of-image marker (truncated?)');
      if (b[i + 9] === 4) throw new ApiError(415, 'unsupported_media_type', CMYK_MESSAGE);
      return [u16be(b, i + 7), u16be(b, i + 5)];
    }
    if (length < 2) throw undecodable(`JPEG segment with length ${length} at byte ${i}`);
    i += 2 + length;
  }
  throw undecodable('JPEG ends before its frame header (truncated?)');
}

function webpSize(b: Uint8Array): [number, number] {
  if (b.length < 30) throw undecodable('WebP too short for a header');
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw undecodable('WebP VP8 frame without its start code');
    return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw undecodable('WebP VP8L without its signature byte');
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (chunk === 'VP8X') return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  throw undecodable(`WebP with an unknown first chunk '${chunk}'`);
}

/**
 * Format and dimensions from the first bytes, without decoding: callers refuse oversized images before
 * any pixel buffer exists. Throws 415 for unknown formats and 400 for broken headers.
 */
export function readHeader(b: Uint8Array): ImageHeader {
  const format = sniffFormat(b);
  if (!format) throw new ApiError(415, 'unsupported_media_type', 'the body is not a PNG, JPEG or WebP image');
  const [width, height] = format === 'png' ? pngSize(b) : format === 'jpeg' ? jpegSize(b) : webpSize(b);
  return { format, width, height };
}
