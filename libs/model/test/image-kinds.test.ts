import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { imresize, toU8, type ImageU16, type ImageU8 } from '@sr/metrics';
import {
  applyOrientation, compositeOnWhite, createGenerator, disposeParams, grayToRgb, initBackend, joinAlpha, outscaleSize,
  resizePixelImage, rgbToGray, splitAlpha, toBitDepth16, toBitDepth8, upscaleImage, Upscaler, type PixelImage, type RgbUpscaler,
} from '../src/index.ts';

function pattern(width: number, height: number, channels: 1 | 2 | 3 | 4, bitDepth: 8 | 16 = 8): PixelImage {
  const n = width * height * channels;
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * 7919 + (i % 5) * 104729) % (max + 1);
  return { width, height, channels, bitDepth, data };
}

/** Nearest-neighbour "network" on the host, for any depth: what upscaleImage does around the engine, without tfjs. */
function nearest(scale: number): RgbUpscaler & { calls: number } {
  return {
    model: { scale },
    calls: 0,
    async upscale(image) {
      this.calls++;
      expect(image.channels).toBe(3);
      const { width, height, channels, data } = image;
      const out = new (data.constructor as { new (n: number): Uint8Array | Uint16Array })(width * height * channels * scale * scale);
      for (let y = 0; y < height * scale; y++) {
        for (let x = 0; x < width * scale; x++) {
          for (let k = 0; k < channels; k++) {
            out[(y * width * scale + x) * channels + k] = data[(Math.floor(y / scale) * width + Math.floor(x / scale)) * channels + k];
          }
        }
      }
      return { width: width * scale, height: height * scale, channels, data: out } as ImageU8 | ImageU16;
    },
  };
}

describe('applyOrientation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('orientation %i equals sharp autoOrient of a PNG tagged with it', async (o) => {
    const img = pattern(5, 3, 3);
    const png = await sharp(img.data, { raw: { width: 5, height: 3, channels: 3 } }).png().withMetadata({ orientation: o }).toBuffer();
    const { data, info } = await sharp(png).autoOrient().raw().toBuffer({ resolveWithObject: true });
    const ours = applyOrientation(img, o);
    expect([ours.width, ours.height]).toEqual([info.width, info.height]);
    expect(Array.from(ours.data)).toEqual(Array.from(data));
  });

  it('keeps depth and channels, and rejects tags outside 1..8', () => {
    const img = pattern(4, 2, 2, 16);
    const r = applyOrientation(img, 6);
    expect(r).toMatchObject({ width: 2, height: 4, channels: 2, bitDepth: 16 });
    expect(r.data).toBeInstanceOf(Uint16Array);
    expect(applyOrientation(applyOrientation(img, 6), 8)).toEqual(img);
    expect(() => applyOrientation(img, 9)).toThrow(/1\.\.8/);
    expect(() => applyOrientation(img, 0)).toThrow(/1\.\.8/);
  });
});

describe('channels', () => {
  it('splitAlpha and joinAlpha round-trip gray+alpha and RGBA at both depths', () => {
    for (const [c, d] of [[2, 8], [4, 8], [2, 16], [4, 16]] as const) {
      const img = pattern(3, 2, c, d);
      const { color, alpha } = splitAlpha(img);
      expect(color.channels).toBe(c - 1);
      expect(alpha?.channels).toBe(1);
      expect(alpha!.data[1]).toBe(img.data[c + c - 1]);
      expect(joinAlpha(color, alpha!)).toEqual(img);
    }
    const rgb = pattern(3, 2, 3);
    expect(splitAlpha(rgb)).toEqual({ color: rgb });
  });

  it('gray ↔ RGB: replication, BT.601 luma (0.299, 0.587, 0.114) rounded', () => {
    const g = pattern(3, 1, 1);
    expect(rgbToGray(grayToRgb(g))).toEqual(g);
    const rgb: PixelImage = { width: 2, height: 1, channels: 3, bitDepth: 16, data: Uint16Array.of(65535, 0, 0, 1000, 2000, 3000) };
    expect(Array.from(rgbToGray(rgb).data)).toEqual([Math.round(0.299 * 65535), Math.round(299 + 1174 + 342)]);
  });

  it('compositeOnWhite: transparent → white, opaque → colour, half → halfway', () => {
    const img: PixelImage = { width: 3, height: 1, channels: 4, bitDepth: 8, data: Uint8Array.of(10, 20, 30, 0, 10, 20, 30, 255, 0, 100, 200, 51) };
    const out = compositeOnWhite(img);
    expect(out.channels).toBe(3);
    expect(Array.from(out.data)).toEqual([255, 255, 255, 10, 20, 30, 204, 224, 244]);
  });

  it('bit depth: 8 → 16 → 8 is exact; 16 → 8 rounds', () => {
    const img = pattern(4, 4, 3);
    expect(toBitDepth8(toBitDepth16(img))).toEqual(img);
    const d16: PixelImage = { width: 3, height: 1, channels: 1, bitDepth: 16, data: Uint16Array.of(128, 129, 65535) };
    expect(Array.from(toBitDepth8(d16).data)).toEqual([0, 1, 255]);
  });
});

describe('resize', () => {
  it('8-bit equals MATLAB imresize rounded; 16-bit is clamped to 0..65535', () => {
    const img = pattern(7, 5, 3);
    const r = resizePixelImage(img, 18, 11);
    expect(r.data).toEqual(toU8(imresize(img as ImageU8, { outWidth: 18, outHeight: 11 })).data);
    const r16 = resizePixelImage(pattern(7, 5, 1, 16), 20, 3);
    expect(r16).toMatchObject({ width: 20, height: 3, bitDepth: 16 });
    expect(r16.data).toBeInstanceOf(Uint16Array);
  });

  it('outscaleSize rounds S × size, at least 1 px', () => {
    expect(outscaleSize(21, 13, 3.5)).toEqual({ width: 74, height: 46 });
    expect(outscaleSize(1, 1, 0.1)).toEqual({ width: 1, height: 1 });
    expect(() => outscaleSize(2, 2, 0)).toThrow(/positive/);
  });
});

describe('upscaleImage (host nearest-neighbour network)', () => {
  it.each([
    [1, 8], [2, 8], [3, 8], [4, 8], [1, 16], [2, 16], [3, 16], [4, 16],
  ] as const)('%i channels, %i bit: same kind out, colour through the model, alpha bicubic', async (channels, bitDepth) => {
    const img = pattern(5, 4, channels, bitDepth);
    const up = nearest(2);
    const out = await upscaleImage(up, img);
    expect(out).toMatchObject({ width: 10, height: 8, channels, bitDepth });
    expect(up.calls).toBe(1);
    const { color, alpha } = splitAlpha(img);
    const want = await up.upscale(grayToRgb(color) as ImageU8);
    const wantColor = color.channels === 1 ? rgbToGray({ ...want, bitDepth, channels: 3 } as PixelImage) : { ...want, bitDepth, channels: 3 };
    const got = splitAlpha(out);
    expect(got.color.data).toEqual(wantColor.data);
    if (alpha) expect(got.alpha).toEqual(resizePixelImage(alpha, 10, 8));
  });

  it("alpha 'model': the alpha plane goes through the model too; progress counts both passes", async () => {
    const img = pattern(5, 4, 4);
    const up = nearest(3);
    const seen: Array<[number, number]> = [];
    const out = await upscaleImage(up, img, { alpha: 'model', onProgress: (d, t) => seen.push([d, t]) });
    expect(up.calls).toBe(2);
    const a = splitAlpha(out).alpha!;
    expect(a.data[0]).toBe(img.data[3]);
    expect(a.data[3 * 5 * 3 - 1]).toBe(img.data[4 * 5 - 1]);
    // nearest() reports no progress itself; upscaleImage forwards only what the engine reports.
    expect(seen).toEqual([]);
  });

  it('rejects a malformed image and an unknown alpha mode', async () => {
    await expect(upscaleImage(nearest(2), { width: 2, height: 2, channels: 3, bitDepth: 16, data: new Uint8Array(12) })).rejects.toThrow(/Uint16Array/);
    await expect(upscaleImage(nearest(2), pattern(2, 2, 4), { alpha: 'x' as 'model' })).rejects.toThrow(/alpha must be/);
  });
});

describe('upscaleImage (the tiled engine)', () => {
  const CONFIG = { num_in_ch: 3, num_out_ch: 3, num_feat: 8, num_conv: 3, upscale: 4, act_type: 'prelu' };
  let up: Upscaler;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu', log: null });
    const g = createGenerator('SRVGGNetCompact', CONFIG, 3);
    up = Upscaler.forGenerator(g);
    return () => disposeParams(g.params);
  });

  it('RGBA: colour equals the engine on the RGB part; progress over both passes with alpha model', async () => {
    const img = pattern(9, 7, 4);
    const seen: Array<[number, number]> = [];
    const out = await upscaleImage(up, img, { tile: 4, alpha: 'model', onProgress: (d, t) => seen.push([d, t]) });
    expect(out).toMatchObject({ width: 36, height: 28, channels: 4, bitDepth: 8 });
    expect(splitAlpha(out).color.data).toEqual((await up.upscale(splitAlpha(img).color as ImageU8)).data);
    const tiles = up.plan(9, 7, { tile: 4 }).tiles.length;
    expect(seen.at(-1)).toEqual([2 * tiles, 2 * tiles]);
    expect(seen[tiles - 1]).toEqual([tiles, 2 * tiles]);
  });

  it('16-bit RGB goes through the model in float: 16-bit out, within one 8-bit level of the 8-bit path', async () => {
    const img16 = pattern(6, 5, 3, 16);
    const out16 = await upscaleImage(up, img16);
    expect(out16).toMatchObject({ width: 24, height: 20, bitDepth: 16 });
    const out8 = await upscaleImage(up, toBitDepth8(img16));
    const diff = Array.from(out16.data).reduce((m, v, i) => Math.max(m, Math.abs(v / 257 - out8.data[i])), 0);
    expect(diff).toBeLessThanOrEqual(1.5);
    expect(Array.from(out16.data).some((v) => v % 257 !== 0)).toBe(true);
  });
});
