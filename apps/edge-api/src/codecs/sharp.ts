import sharp from 'sharp';
import type { ImageU8 } from '@sr/metrics';
import type { Codec } from './types.ts';
import type { ImageFormat } from './sniff.ts';

/** libvips through sharp: Node only, several times faster than the portable codecs. */
export function createSharpCodec(): Codec {
  return {
    name: 'sharp',
    async decode(bytes: Uint8Array): Promise<ImageU8> {
      // failOn 'warning' rejects truncated files instead of returning grey-filled pixels.
      const { data, info } = await sharp(bytes, { failOn: 'warning', limitInputPixels: false })
        .flatten({ background: '#000000' })
        .toColourspace('srgb')
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    },
    async encode(image: ImageU8, format: ImageFormat, quality: number): Promise<Uint8Array> {
      const s = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 3 } });
      const out = format === 'png' ? s.png() : format === 'jpeg' ? s.jpeg({ quality }) : s.webp({ quality });
      return new Uint8Array(await out.toBuffer());
    },
  };
}
