import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createPortableCodec } from '../src/codecs/portable.ts';
import { toRgb } from '../src/codecs/rgb.ts';
import { readHeader, sniffFormat } from '../src/codecs/sniff.ts';
import { createSharpCodec } from '../src/codecs/sharp.ts';
import { ApiError } from '../src/errors.ts';
import { encodePng } from '../src/codecs/png/encode.ts';
import { engineRgb } from '../src/pipeline.ts';
import { maxAbsDiff } from './cases.ts';
import { pngHeaderOnly, testImage, testPixels } from './fixtures.ts';

const require = createRequire(import.meta.url);
const compile = async (pkg: string, file: string) =>
  WebAssembly.compile(new Uint8Array(await readFile(join(dirname(require.resolve(`${pkg}/package.json`)), file))));

async function portable() {
  return createPortableCodec({
    jpegDecode: await compile('@jsquash/jpeg', 'codec/dec/mozjpeg_dec.wasm'),
    jpegEncode: await compile('@jsquash/jpeg', 'codec/enc/mozjpeg_enc.wasm'),
    webpDecode: await compile('@jsquash/webp', 'codec/dec/webp_dec.wasm'),
    webpEncode: await compile('@jsquash/webp', 'codec/enc/webp_enc_simd.wasm'),
  });
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

function expectApiError(fn: () => unknown, status: number, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect([(err as ApiError).status, (err as ApiError).code]).toEqual([status, code]);
    return;
  }
  throw new Error('expected an ApiError');
}

describe('header sniffing', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('reads %s dimensions without decoding', async (format) => {
    expect(readHeader(await testImage(37, 21, format))).toEqual({ format, width: 37, height: 21 });
  });

  it('reads lossless (VP8L) and extended (VP8X) WebP headers', async () => {
    const raw = { raw: { width: 19, height: 7, channels: 3 as const } };
    const lossless = new Uint8Array(await sharp(testPixels(19, 7), raw).webp({ lossless: true }).toBuffer());
    expect(readHeader(lossless)).toEqual({ format: 'webp', width: 19, height: 7 });
    const withAlpha = new Uint8Array(await sharp(testPixels(19, 7), raw).ensureAlpha(0.5).webp().toBuffer());
    expect(readHeader(withAlpha)).toMatchObject({ width: 19, height: 7 });
  });

  it('refuses an image bomb header in well under a millisecond, before any allocation', () => {
    const header = pngHeaderOnly(50000, 50000);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) readHeader(header);
    expect((performance.now() - t0) / 1000).toBeLessThan(0.5);
    expect(readHeader(header)).toEqual({ format: 'png', width: 50000, height: 50000 });
  });

  it('tells broken headers (400) from unknown formats (415)', async () => {
    expect(sniffFormat(new Uint8Array([1, 2, 3]))).toBeNull();
    expectApiError(() => readHeader(new TextEncoder().encode('not an image at all')), 415, 'unsupported_media_type');
    expectApiError(() => readHeader(pngHeaderOnly(4, 4).slice(0, 20)), 400, 'undecodable');
    const jpeg = await testImage(30, 20, 'jpeg');
    expectApiError(() => readHeader(jpeg.slice(0, 120)), 400, 'undecodable');
    expectApiError(() => readHeader(jpeg.slice(0, jpeg.length - 2)), 400, 'undecodable'); // no EOI
  });
});

describe('pixel conversion', () => {
  it('replicates gray, flattens alpha on black, scales 16-bit', () => {
    expect(Array.from(toRgb([10, 20], 2, 1, 1).data)).toEqual([10, 10, 10, 20, 20, 20]);
    expect(Array.from(toRgb([200, 100, 50, 128], 1, 1, 4).data)).toEqual([100, 50, 25]);
    expect(Array.from(toRgb([65535, 0, 32768], 1, 1, 3, 65535).data)).toEqual([255, 0, 128]);
    expect(Array.from(toRgb([255, 0], 1, 1, 2).data)).toEqual([0, 0, 0]);
  });
});

describe.each([
  ['portable (workerd)', portable],
  ['sharp (node)', async () => createSharpCodec()],
])('%s codec', (_name, make) => {
  it.each(['png', 'jpeg', 'webp'] as const)('round-trips %s', async (format) => {
    const codec = await make();
    const image = { width: 33, height: 17, channels: 3 as const, bitDepth: 8 as const, data: testPixels(33, 17) };
    const bytes = format === 'png' ? encodePng(image) : await codec.encode(image, format, 95);
    expect(sniffFormat(bytes)).toBe(format);
    const back = engineRgb(await codec.decode(bytes, format));
    expect([back.width, back.height, back.channels]).toEqual([33, 17, 3]);
    if (format === 'png') expect(maxAbsDiff(back.data, image.data)).toBe(0);
    // Lossy at quality 95: chroma subsampling smears the disc edge, the mean error stays small (garbage would be ~80).
    else expect(meanAbsDiff(back.data, image.data)).toBeLessThan(8);
  });

  it('refuses a CMYK JPEG from its header (415, both runtimes alike)', async () => {
    const cmyk = new Uint8Array(await sharp(testPixels(16, 16), { raw: { width: 16, height: 16, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer());
    expectApiError(() => readHeader(cmyk), 415, 'unsupported_media_type');
  });

  it('decodes gray+alpha and palette PNGs to RGB like each other', async () => {
    const codec = await make();
    const rgba = await sharp(testPixels(12, 9), { raw: { width: 12, height: 9, channels: 3 } }).ensureAlpha(0.5).png().toBuffer();
    const palette = await sharp(testPixels(12, 9), { raw: { width: 12, height: 9, channels: 3 } }).png({ palette: true }).toBuffer();
    const gray = await sharp(testPixels(12, 9), { raw: { width: 12, height: 9, channels: 3 } }).grayscale().png().toBuffer();
    for (const bytes of [rgba, palette, gray]) {
      const img = engineRgb(await codec.decode(new Uint8Array(bytes), 'png'));
      expect([img.width, img.height, img.channels]).toEqual([12, 9, 3]);
    }
    const flattened = engineRgb(await codec.decode(new Uint8Array(rgba), 'png'));
    expect(flattened.data[0]).toBe(Math.round(testPixels(12, 9)[0] * (128 / 255)));
  });

  it('rejects corrupt data', async () => {
    const codec = await make();
    const png = await testImage(20, 20);
    const broken = png.slice();
    for (let i = 40; i < broken.length - 12; i++) broken[i] ^= 0x5a;
    await expect(codec.decode(broken, 'png')).rejects.toThrow();
  });
});
