import { describe, expect, it } from 'vitest';
import { rgbToY, type ImageU8 } from '../src/index.ts';

function pixels(...rgb: number[][]): ImageU8 {
  return { width: rgb.length, height: 1, channels: 3, data: Uint8Array.from(rgb.flat()) };
}

describe('rgbToY (BT.601, MATLAB rgb2ycbcr)', () => {
  it('maps black to 16, white to 235 and the primaries to 16 + their weight', () => {
    const y = rgbToY(pixels([0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255]));
    const expected = [16, 235, 16 + 65.481, 16 + 128.553, 16 + 24.966];
    expect(y.channels).toBe(1);
    expected.forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 10));
  });

  it('matches a hand-computed mixed colour, rounded half away from zero when asked', () => {
    // 16 + (65.481*10 + 128.553*200 + 24.966*30) / 255 = 122.3183...
    const img = pixels([10, 200, 30]);
    expect(rgbToY(img).data[0]).toBeCloseTo(16 + (654.81 + 25710.6 + 748.98) / 255, 10);
    expect(rgbToY(img, { round: true }).data[0]).toBe(122);
  });

  it('rejects non-RGB input', () => {
    expect(() => rgbToY({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) })).toThrow(/RGB/);
  });
});
