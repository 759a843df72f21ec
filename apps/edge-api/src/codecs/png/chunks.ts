import { crc32 } from './crc32.ts';

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface Chunk {
  type: string;
  data: Uint8Array;
}

/** A broken PNG structure (the caller turns it into 400 undecodable). */
export class PngFormatError extends Error {
  override name = 'PngFormatError';
}

const u32 = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);

/** Critical chunks have an upper-case first letter; their CRC must match, an ancillary chunk with a bad CRC is skipped (as libpng does). */
const isCritical = (type: string) => type.charCodeAt(0) < 0x60;

/**
 * The chunks after the signature, up to and including IEND (views into `bytes`, no copies). Throws on a chunk that
 * runs past the end, a critical chunk with a wrong CRC, or a file without IEND.
 */
export function readChunks(bytes: Uint8Array): Chunk[] {
  const chunks: Chunk[] = [];
  let i = PNG_SIGNATURE.length;
  while (i + 12 <= bytes.length) {
    const length = u32(bytes, i);
    const type = String.fromCharCode(bytes[i + 4], bytes[i + 5], bytes[i + 6], bytes[i + 7]);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngFormatError(`invalid chunk type at byte ${i}`);
    const end = i + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) throw new PngFormatError(`chunk ${type} runs past the end of the file (truncated?)`);
    const crc = u32(bytes, end - 4);
    if (crc32(bytes.subarray(i + 4, end - 4)) !== crc) {
      if (isCritical(type)) throw new PngFormatError(`CRC mismatch in the ${type} chunk`);
    } else {
      chunks.push({ type, data: bytes.subarray(i + 8, end - 4) });
    }
    if (type === 'IEND') return chunks;
    i = end;
  }
  throw new PngFormatError('the PNG ends without an IEND chunk (truncated?)');
}

/** One chunk as bytes: length, type, data, CRC. */
export function encodeChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let k = 0; k < 4; k++) out[4 + k] = type.charCodeAt(k);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
