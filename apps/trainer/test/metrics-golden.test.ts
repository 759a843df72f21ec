import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compare, downscaleBicubic, modCrop, upscaleBicubic, type MetricOptions } from '@sr/metrics';
import { evaluateFolder } from '../src/io/evaluate-folder.ts';
import { readImageRgb } from '../src/io/image-io.ts';

/** Reference values from an independent implementation, kept beside the checkout at ../shared (read its `what` field). */
const SHARED = fileURLToPath(new URL('../../../../shared', import.meta.url));
const GOLDEN = join(SHARED, 'golden');
const HR_DIR = join(SHARED, 'datasets', 'urban100-val');
const present = existsSync(join(GOLDEN, 'metrics.json')) && existsSync(HR_DIR);
if (!present) console.warn(`metrics-golden: SKIPPED, ${GOLDEN} or ${HR_DIR} not found (the shared folder beside the checkout)`);

const PSNR_TOL = 0.005;
const SSIM_TOL = 0.0005;

interface GoldenRow {
  hr_size_after_modcrop: [number, number];
  psnr_rgb: number;
  ssim_rgb: number;
  psnr_y_crop4: number;
  ssim_y_crop4: number;
  psnr_y_crop4_rounded_y: number;
  ssim_y_crop4_rounded_y: number;
}
interface Golden {
  mean: Omit<GoldenRow, 'hr_size_after_modcrop'>;
  images: Record<string, GoldenRow>;
}

const golden: Golden | undefined = present ? JSON.parse(readFileSync(join(GOLDEN, 'metrics.json'), 'utf8')) : undefined;
const variants: [suffix: 'rgb' | 'y_crop4' | 'y_crop4_rounded_y', opts: MetricOptions][] = [
  ['rgb', {}],
  ['y_crop4', { yChannel: true, cropBorder: 4 }],
  ['y_crop4_rounded_y', { yChannel: true, roundY: true, cropBorder: 4 }],
];

describe.skipIf(!present)(`golden x4 values for urban100-val${present ? '' : ` (SKIPPED: ${GOLDEN} not found)`}`, () => {
  const names = Object.keys(golden?.images ?? {});

  it('covers the ten validation images', () => {
    expect(names).toHaveLength(10);
  });

  it.each(names)('%s: our LR matches lr-x4 and our metrics match metrics.json', async (name) => {
    const expected = golden!.images[name];
    const [hrRaw, goldenLr, goldenBicubic] = await Promise.all([
      readImageRgb(join(HR_DIR, `${name}.png`)),
      readImageRgb(join(GOLDEN, 'lr-x4', `${name}x4.png`)),
      readImageRgb(join(GOLDEN, 'bicubic-x4', `${name}.png`)),
    ]);
    const hr = modCrop(hrRaw, 4);
    expect([hr.width, hr.height]).toEqual(expected.hr_size_after_modcrop);

    const lr = downscaleBicubic(hr, 4);
    expect([lr.width, lr.height]).toEqual([goldenLr.width, goldenLr.height]);
    let differing = 0;
    let maxDiff = 0;
    for (let i = 0; i < lr.data.length; i++) {
      const d = Math.abs(lr.data[i] - goldenLr.data[i]);
      if (d > 0) differing++;
      maxDiff = Math.max(maxDiff, d);
    }
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(differing / lr.data.length).toBeLessThanOrEqual(0.01);

    for (const [suffix, opts] of variants) {
      const got = compare(goldenBicubic, hr, opts);
      expect(Math.abs(got.psnr - expected[`psnr_${suffix}`]), `psnr_${suffix}`).toBeLessThanOrEqual(PSNR_TOL);
      expect(Math.abs(got.ssim - expected[`ssim_${suffix}`]), `ssim_${suffix}`).toBeLessThanOrEqual(SSIM_TOL);
    }
  });

  it('the folder evaluation with bicubic upscaling reproduces the Y/crop-4 means', async () => {
    const report = await evaluateFolder({
      hrDir: HR_DIR,
      scale: 4,
      metrics: { yChannel: true, cropBorder: 4 },
      upscale: (lr) => upscaleBicubic(lr, 4),
    });
    expect(report.images).toBe(10);
    expect(report.perImage.map((r) => r.name)).toEqual(names.map((n) => `${n}.png`));
    expect(Math.abs(report.psnr - golden!.mean.psnr_y_crop4)).toBeLessThanOrEqual(PSNR_TOL);
    expect(Math.abs(report.ssim - golden!.mean.ssim_y_crop4)).toBeLessThanOrEqual(SSIM_TOL);
  });
});
