import sharp from 'sharp';
import type { ImageU8 } from '@sr/metrics';
import { decodePng } from './png/decode.ts';
import type { BufferedFormat, Codec, DecodedImage } from './types.ts';
import type { ImageFormat } from './sniff.ts';

/**
 * Node: libvips through sharp for JPEG/WebP (several times faster than the wasm codecs); PNG goes through the same
 * bomb-safe decoder as workerd, so both runtimes see the same pixels.
 */
export function createSharpCodec(): Codec {
  return {
    name: 'sharp + own PNG',
    async decode(bytes: Uint8Array, format: ImageFormat): Promise<DecodedImage> {
      if (format === 'png') return decodePng(bytes);
      // failOn 'warning' rejects truncated files instead of returning grey-filled pixels.
      // rotate(): applies the EXIF orientation (and the output carries none).
      const s = sharp(bytes, { failOn: 'warning', limitInputPixels: false }).rotate().toColourspace('srgb');
      const { data, info } = await (format === 'webp' ? s.ensureAlpha() : s.removeAlpha()).raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, channels: info.channels as 3 | 4, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    },
    async encode(image: ImageU8, format: BufferedFormat, quality: number): Promise<Uint8Array> {
      const s = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 3 | 4 } });
      return new Uint8Array(await (format === 'jpeg' ? s.jpeg({ quality }) : s.webp({ quality })).toBuffer());
    },
  };
}
