/** The PNG decoder and the row-streaming encoder against libpng (sharp) and the generated corpus. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PngFormatError } from '../src/codecs/png/chunks.ts';
import { decodePng } from '../src/codecs/png/decode.ts';
import { crc32 } from '../src/codecs/png/crc32.ts';
import { encodePng, PngRowEncoder } from '../src/codecs/png/encode.ts';
import { engineRgb } from '../src/pipeline.ts';
import { badCrc, fullInflateMs, inflateBomb, pngKindCases } from './png-corpus.ts';

describe('PNG decoder', () => {
  it.each(pngKindCases())('$name: the documented RGB, and the samples libpng reads', async ({ bytes, expected, width, height }) => {
    const img = decodePng(bytes);
    expect([img.width, img.height]).toEqual([width, height]);
    expect(Buffer.from(engineRgb(img).data).equals(Buffer.from(expected))).toBe(true);
    // libpng's own view at the same depth and channel count (sharp keeps 16 bits with a 16-bit colourspace).
    // Gray is read as grey16 (8-bit samples come back × 257), which keeps its alpha.
    const wide = img.bitDepth === 16 || img.channels <= 2;
    const s = wide ? sharp(bytes).toColourspace(img.channels <= 2 ? 'grey16' : 'rgb16') : sharp(bytes);
    const { data, info } = await s.raw({ depth: wide ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(img.channels);
    const theirs = wide ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data);
    const factor = wide && img.bitDepth === 8 ? 257 : 1;
    expect(Array.from(img.data, (v) => v * factor)).toEqual(Array.from(theirs));
  });

  it('refuses an inflate bomb at the budget, in a fraction of the time of inflating it and without the memory', () => {
    const bomb = inflateBomb(64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => decodePng(bomb)).toThrow(/inflates to more than the 4 bytes/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    // Best of three refusals (one GC pause or a cold first call on a loaded CI machine is not the decoder's cost).
    const refusalMs = Math.min(
      ...[0, 1, 2].map(() => {
        const t0 = performance.now();
        expect(() => decodePng(bomb)).toThrow(/inflates to more than/);
        return performance.now() - t0;
      }),
    );
    expect(refusalMs).toBeLessThan(fullInflateMs(bomb) / 4);
  });

  it('refuses an inflate bomb behind a large header at the budget, far from its 64 MiB', () => {
    // 1024x1024 RGB: the budget (3 MiB + filter bytes) lets the inflate steps grow to 16 KiB of compressed data.
    const bomb = inflateBomb(64 * 1024 * 1024, 1024, 1024);
    const budget = 1024 * (1 + 3 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => decodePng(bomb)).toThrow(new RegExp(`inflates to more than the ${budget} bytes`));
    // Uncollected garbage of the inflate steps included (~15 MB with 1 KiB steps, ~18 MB with these).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(budget + 16 * 1024 * 1024);
  });

  it('checks the CRC of critical chunks and refuses truncated data', () => {
    expect(() => decodePng(badCrc('IHDR'))).toThrow(/CRC mismatch in the IHDR/);
    expect(() => decodePng(badCrc('IDAT'))).toThrow(/CRC mismatch in the IDAT/);
    const ok = pngKindCases()[0].bytes;
    expect(() => decodePng(ok.slice(0, ok.length - 20))).toThrow(PngFormatError);
  });
});

describe('crc32', () => {
  it('gives the check value of CRC-32/ISO-HDLC and continues across pieces of any length', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const bytes = Uint8Array.from({ length: 1031 }, (_, i) => (i * 2654435761) >>> 24);
    const whole = crc32(bytes);
    for (const cut of [0, 1, 2, 3, 5, 512, 1030]) expect(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut)))).toBe(whole);
  });
});

describe('row-streaming PNG encoder', () => {
  it.each([
    [3, 8],
    [4, 16],
    [1, 8],
    [2, 16],
  ] as const)('%i channels, %i-bit, in bands: libpng reads back the same samples', async (channels, bitDepth) => {
    const [width, height] = [37, 29];
    const n = width * height * channels;
    const data = bitDepth === 16 ? new Uint16Array(n).map((_, i) => (i * 2654435761) >>> 16) : new Uint8Array(n).map((_, i) => (i * 7) & 255);
    const enc = new PngRowEncoder(width, height, channels, bitDepth);
    const parts = [enc.header()];
    for (let y = 0; y < height; y += 8) {
      const rows = Math.min(8, height - y);
      parts.push(...enc.addRows(data.subarray(y * width * channels, (y + rows) * width * channels), rows));
    }
    const png = Buffer.concat(parts);
    expect(Array.from(decodePng(png).data)).toEqual(Array.from(data));
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([width, height, channels, bitDepth === 16 ? 'ushort' : 'uchar']);
    expect(Buffer.from(encodePng({ width, height, channels, bitDepth, data })).equals(png)).toBe(true);
  });

  it.each([0, 1, 2, 6])('level %i: bands that straddle the compressor chunks (wide rows) read back exactly', async (level) => {
    // 4000x3 bytes a row: a 256 KiB chunk holds 21 rows, the bands are 16 rows.
    const [width, height, channels] = [4000, 50, 3] as const;
    const data = new Uint8Array(width * height * channels).map((_, i) => ((i % 3000) * 7 + ((i * 2654435761) >>> 29)) & 255);
    const enc = new PngRowEncoder(width, height, channels, 8, level);
    const parts = [enc.header()];
    for (let y = 0; y < height; y += 16) {
      const rows = Math.min(16, height - y);
      parts.push(...enc.addRows(data.subarray(y * width * channels, (y + rows) * width * channels), rows));
    }
    const png = Buffer.concat(parts);
    expect(Buffer.from(decodePng(png).data).equals(Buffer.from(data))).toBe(true);
    const { data: theirs } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(Buffer.from(theirs).equals(Buffer.from(data))).toBe(true);
    if (level > 0) expect(png.length).toBeLessThan(data.length * 0.9);
  });
});
