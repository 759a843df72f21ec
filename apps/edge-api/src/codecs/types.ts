import type { ImageU8 } from '@sr/metrics';
import type { ImageFormat } from './sniff.ts';

/** A decoded image of any kind: interleaved, channels 1 gray / 2 gray+alpha / 3 RGB / 4 RGBA, Uint16Array iff 16-bit. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** Formats encoded from a whole image; PNG is streamed row band by row band in both runtimes (png/encode.ts). */
export type BufferedFormat = Exclude<ImageFormat, 'png'>;

/** Image codec of one runtime: decoders (PNG in both runtimes is png/decode.ts) and the whole-image JPEG/WebP encoders. */
export interface Codec {
  name: string;
  /** EXIF orientation applied; errors on broken data. */
  decode(bytes: Uint8Array, format: ImageFormat): Promise<DecodedImage>;
  /** RGB, or RGBA for WebP; `quality` 1..100. */
  encode(image: ImageU8, format: BufferedFormat, quality: number): Promise<Uint8Array>;
}
