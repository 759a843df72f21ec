/**
 * Codecs without native code, for workerd: our PNG decoder (png/decode.ts) and the Squoosh mozjpeg / libwebp builds
 * from @jsquash, whose wasm is handed in as compiled modules because workerd cannot compile wasm from bytes at run time.
 */
import decodeJpeg, { init as initJpegDecode } from '@jsquash/jpeg/decode.js';
import encodeJpeg, { init as initJpegEncode } from '@jsquash/jpeg/encode.js';
import decodeWebp, { init as initWebpDecode } from '@jsquash/webp/decode.js';
import encodeWebp, { init as initWebpEncode } from '@jsquash/webp/encode.js';
import type { ImageU8 } from '@sr/metrics';
import { applyOrientation, type ExifOrientation } from '@sr/model';
import { jpegOrientation } from './exif.ts';
import { decodePng } from './png/decode.ts';
import type { BufferedFormat, Codec, DecodedImage } from './types.ts';
import type { ImageFormat } from './sniff.ts';
import { toRgba } from './rgb.ts';

export interface PortableWasm {
  jpegDecode: WebAssembly.Module;
  jpegEncode: WebAssembly.Module;
  webpDecode: WebAssembly.Module;
  webpEncode: WebAssembly.Module;
}

/** RGBA from the wasm decoders; JPEG has no alpha, so its (opaque) alpha is dropped. EXIF orientation is applied (JPEG). */
function fromRgba(img: { width: number; height: number; data: Uint8ClampedArray }, keepAlpha: boolean): DecodedImage {
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length);
  if (keepAlpha) return { width: img.width, height: img.height, channels: 4, bitDepth: 8, data };
  const n = img.width * img.height;
  const rgb = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    rgb[3 * p] = data[4 * p];
    rgb[3 * p + 1] = data[4 * p + 1];
    rgb[3 * p + 2] = data[4 * p + 2];
  }
  return { width: img.width, height: img.height, channels: 3, bitDepth: 8, data: rgb };
}

/** A minimal ImageData for runtimes without one (the jsquash encoders read width/height/data only). */
function imageData(image: ImageU8): ImageData {
  const data = image.channels === 4 ? new Uint8ClampedArray(image.data) : toRgba(image);
  const Ctor = (globalThis as { ImageData?: typeof ImageData }).ImageData;
  if (Ctor) return new Ctor(data, image.width, image.height);
  return { width: image.width, height: image.height, data, colorSpace: 'srgb' } as ImageData;
}

/**
 * Each Squoosh codec instance owns a wasm memory of at least 16 MB that grows with the largest image
 * it has seen and never shrinks; four of them kept alive would take half of a 128 MB isolate. So every
 * call instantiates its codec afresh from the compiled module (a few ms) and the previous instance is
 * left to the garbage collector. jsquash keeps one current instance per codec; a call racing with
 * another only ever runs on a complete instance.
 */
export function createPortableCodec(wasm: PortableWasm): Codec {
  return {
    name: 'portable (own PNG, mozjpeg and libwebp wasm)',
    async decode(bytes: Uint8Array, format: ImageFormat): Promise<DecodedImage> {
      if (format === 'png') return decodePng(bytes);
      const buffer = bytes.slice().buffer;
      if (format === 'jpeg') {
        await initJpegDecode(wasm.jpegDecode);
        return applyOrientation(fromRgba(await decodeJpeg(buffer), false), jpegOrientation(bytes) as ExifOrientation) as DecodedImage;
      }
      await initWebpDecode(wasm.webpDecode);
      return fromRgba(await decodeWebp(buffer), true);
    },
    async encode(image: ImageU8, format: BufferedFormat, quality: number): Promise<Uint8Array> {
      const pixels = imageData(image);
      if (format === 'jpeg') {
        await initJpegEncode(wasm.jpegEncode);
        return new Uint8Array(await encodeJpeg(pixels, { quality }));
      }
      await initWebpEncode(wasm.webpEncode);
      return new Uint8Array(await encodeWebp(pixels, { quality }));
    },
  };
}
