import { rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, makeSrPair, upscaleBicubic, type ImageU8 } from '@sr/metrics';
import { makeModelsDir, type ModelsDir } from '../../apps/edge-api/test/fixtures.ts';
import { syntheticImage } from '../../apps/trainer/src/data/synthetic.ts';
import { parseModelPanel, renderCropFigure, splitLabel } from '../metrics-regression/crop-figure.ts';

describe('crop figure (README panels rendered from model files)', () => {
  let models: ModelsDir;
  const hr = syntheticImage(2, 0, 72, 64) as ImageU8;

  beforeAll(async () => {
    models = await makeModelsDir(false);
  });
  afterAll(() => rmSync(models.dir, { recursive: true, force: true }));

  it('parses labels and mixed panels', () => {
    expect(splitLabel('alpha 1=a.safetensors')).toEqual({ label: 'alpha 1', panel: 'a.safetensors' });
    expect(splitLabel('bicubic')).toEqual({ label: 'bicubic', panel: 'bicubic' });
    expect(parseModelPanel('p.safetensors+g.safetensors@0.5')).toEqual({ files: ['p.safetensors', 'g.safetensors'], alpha: 0.5 });
    expect(parseModelPanel('p.safetensors')).toEqual({ files: ['p.safetensors'] });
    expect(() => parseModelPanel('p+g@1.5')).toThrow(/α must be within 0..1/);
  });

  it('lays the panels out side by side, the HR panel is the zoomed HR crop, the scores are those of each crop', async () => {
    const psnr = join(models.dir, 'tiny-x4-psnr.safetensors');
    const gan = join(models.dir, 'tiny-x4-gan.safetensors');
    const panels = ['lr', 'bicubic', `alpha 0=${psnr}+${gan}@0`, `psnr=${psnr}`, 'HR=hr'];
    const { png, scores } = await renderCropFigure({ hr, scale: 4, x: 17, y: 8, size: 32, zoom: 2, panels });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([5 * 64 + 4 * 4, 64 + 22]);

    // The crop snaps to 16,8 (a multiple of the scale); HR pixel (16 + c, 8 + r) is the 2x2 block at the panel's (2c, 2r).
    const left = 4 * (64 + 4);
    for (const [c, r] of [[0, 0], [5, 9], [31, 31]]) {
      const at = ((2 * r + 1) * info.width + left + 2 * c + 1) * info.channels;
      const src = ((8 + r) * hr.width + 16 + c) * 3;
      expect([...data.subarray(at, at + 3)]).toEqual([...hr.data.subarray(src, src + 3)]);
    }

    expect(scores.map((s) => s.panel)).toEqual(['lr', 'bicubic', 'alpha 0', 'psnr', 'HR']);
    expect(scores[0].psnrY).toBeUndefined();
    expect(scores[4].psnrY).toBeUndefined();
    expect(scores[2]).toEqual({ ...scores[3], panel: 'alpha 0' });
    const pair = makeSrPair(hr, 4);
    const crop = (img: ImageU8) => {
      const out = new Uint8Array(32 * 32 * 3);
      for (let r = 0; r < 32; r++) out.set(img.data.subarray(((8 + r) * img.width + 16) * 3, ((8 + r) * img.width + 48) * 3), r * 32 * 3);
      return { width: 32, height: 32, channels: 3 as const, data: out };
    };
    const bicubic = compare(crop(upscaleBicubic(pair.lr, 4)), crop(pair.hr), { yChannel: true });
    expect(scores[1]).toEqual({ panel: 'bicubic', psnrY: Number(bicubic.psnr.toFixed(2)), ssimY: Number(bicubic.ssim.toFixed(4)) });
  });

  it('refuses a crop outside the mod-cropped HR or not a multiple of the scale', async () => {
    await expect(renderCropFigure({ hr, scale: 4, x: 48, y: 0, size: 32, zoom: 1, panels: ['hr'] })).rejects.toThrow(/inside the 72x64 mod-cropped HR/);
    await expect(renderCropFigure({ hr, scale: 4, x: 0, y: 0, size: 30, zoom: 1, panels: ['hr'] })).rejects.toThrow(/multiple of x4/);
  });
});
