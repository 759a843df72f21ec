/**
 * Codecs without native code, for workerd (and usable in Node): fast-png (pure JS) and the Squoosh
 * mozjpeg / libwebp builds from @jsquash, whose wasm is handed in as compiled modules because
 * workerd cannot compile wasm from bytes at run time.
 */
import { decode as decodePng, encode as encodePng, convertIndexedToRgb } from 'fast-png';
import decodeJpeg, { init as initJpegDecode } from '@jsquash/jpeg/decode.js';
import encodeJpeg, { init as initJpegEncode } from '@jsquash/jpeg/encode.js';
import decodeWebp, { init as initWebpDecode } from '@jsquash/webp/decode.js';
import encodeWebp, { init as initWebpEncode } from '@jsquash/webp/encode.js';
import type { ImageU8 } from '@sr/metrics';
import type { Codec } from './types.ts';
import type { ImageFormat } from './sniff.ts';
import { toRgb, toRgba } from './rgb.ts';

export interface PortableWasm {
  jpegDecode: WebAssembly.Module;
  jpegEncode: WebAssembly.Module;
  webpDecode: WebAssembly.Module;
  webpEncode: WebAssembly.Module;
}

interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

function pngToRgb(bytes: Uint8Array): ImageU8 {
  const png = decodePng(bytes);
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return toRgb(rgb, png.width, png.height, rgb.length / (png.width * png.height));
  }
  return toRgb(png.data, png.width, png.height, png.channels, png.depth === 16 ? 65535 : (1 << png.depth) - 1);
}

const rgbaToRgb = (img: RgbaPixels): ImageU8 => toRgb(img.data, img.width, img.height, 4);

/** A minimal ImageData for runtimes without one (the jsquash encoders read width/height/data only). */
function imageData(image: ImageU8): ImageData {
  const data = toRgba(image);
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
    name: 'portable (fast-png, mozjpeg, libwebp wasm)',
    async decode(bytes: Uint8Array, format: ImageFormat): Promise<ImageU8> {
      if (format === 'png') return pngToRgb(bytes);
      const buffer = bytes.slice().buffer;
      if (format === 'jpeg') {
        await initJpegDecode(wasm.jpegDecode);
        return rgbaToRgb(await decodeJpeg(buffer));
      }
      await initWebpDecode(wasm.webpDecode);
      return rgbaToRgb(await decodeWebp(buffer));
    },
    async encode(image: ImageU8, format: ImageFormat, quality: number): Promise<Uint8Array> {
      if (format === 'png') return encodePng({ width: image.width, height: image.height, data: image.data, channels: 3, depth: 8 });
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
