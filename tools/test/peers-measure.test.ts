import { describe, expect, it } from 'vitest';
import { compare, makeSrPair, upscaleBicubic, type ImageU8 } from '@sr/metrics';
import type { EvalImage } from '../peers/dataset.ts';
import { measureQuality, measureThroughput, noiseImage } from '../peers/measure.ts';

function evalImage(name: string, seed: number): EvalImage {
  const { hr, lr } = makeSrPair(noiseImage(26, 22, seed), 4);
  return { name, hr, lr, lrSource: 'bicubic' };
}

describe('measureQuality', () => {
  const images = [evalImage('a', 1), evalImage('b', 2)];
  const metrics = { yChannel: true, cropBorder: 4 };

  it('scores each SR image against its HR and averages PSNR in dB', async () => {
    const seen: string[] = [];
    const q = await measureQuality(async (lr) => upscaleBicubic(lr, 4), images, metrics, (row, i) => seen.push(`${i}:${row.name}`));
    const expected = images.map((img) => compare(upscaleBicubic(img.lr, 4), img.hr, metrics));
    expect(seen).toEqual(['0:a', '1:b']);
    expect(q.images).toBe(2);
    expect(q.perImage.map((r) => r.psnr)).toEqual(expected.map((e) => e.psnr));
    expect(q.psnr).toBeCloseTo((expected[0].psnr + expected[1].psnr) / 2, 12);
    expect(q.ssim).toBeCloseTo((expected[0].ssim + expected[1].ssim) / 2, 12);
    expect(q.perImage.every((r) => r.seconds >= 0)).toBe(true);
  });

  it('rejects an SR image of the wrong size, naming the image', async () => {
    await expect(measureQuality(async (lr) => upscaleBicubic(lr, 2), images, metrics)).rejects.toThrow(/^a: SR is 12x10, the HR is 24x20/);
  });
});

describe('measureThroughput', () => {
  it('runs one untimed warm-up, then timed runs until minSeconds, capped by maxRuns', async () => {
    const sizes: string[] = [];
    const upscale = async (lr: ImageU8) => {
      sizes.push(`${lr.width}x${lr.height}`);
      return lr;
    };
    const once = await measureThroughput(upscale, 8, { minSeconds: 0, maxRuns: 5 });
    expect(once.runs).toBe(1);
    expect(sizes).toEqual(['8x8', '8x8']);

    sizes.length = 0;
    const capped = await measureThroughput(upscale, 8, { minSeconds: 60, maxRuns: 3 });
    expect(capped.runs).toBe(3);
    expect(sizes.length).toBe(4);
  });

  it('reports LR megapixels per second from the median run', async () => {
    const delays = [50, 10, 30, 10];
    let call = 0;
    const upscale = async (lr: ImageU8) => {
      await new Promise((r) => setTimeout(r, delays[call++]));
      return lr;
    };
    const r = await measureThroughput(upscale, 100, { minSeconds: 10, maxRuns: 3 });
    // Warm-up 50 ms, then 10, 30, 10 ms: the median is ~10 ms, so ~0.01 MP / 0.01 s.
    expect(r.runs).toBe(3);
    expect(r.warmupSeconds).toBeGreaterThan(0.04);
    expect(r.medianSeconds).toBeLessThan(0.025);
    expect(r.lrMegapixelsPerSecond).toBeCloseTo(0.01 / r.medianSeconds, 10);
  });

  it('also reports the rate per CPU second: equal to wall clock for busy work, higher when the run waits', async () => {
    // Spins until it has used 20 ms of CPU, however loaded the machine is.
    const busy = async (lr: ImageU8) => {
      const start = process.cpuUsage();
      for (let used = 0; used < 20_000; ) {
        const d = process.cpuUsage(start);
        used = d.user + d.system;
      }
      return lr;
    };
    const b = await measureThroughput(busy, 100, { minSeconds: 0, maxRuns: 3 });
    expect(b.medianCpuSeconds).toBeGreaterThanOrEqual(0.02);
    expect(b.medianCpuSeconds).toBeLessThanOrEqual(b.medianSeconds + 0.005);
    expect(b.lrMegapixelsPerCpuSecond).toBeCloseTo(0.01 / b.medianCpuSeconds, 10);

    const idle = async (lr: ImageU8) => {
      await new Promise((r) => setTimeout(r, 30));
      return lr;
    };
    const i = await measureThroughput(idle, 100, { minSeconds: 0, maxRuns: 3 });
    expect(i.medianCpuSeconds).toBeLessThan(i.medianSeconds / 3);
  });

  it('rejects bad sizes and run counts', async () => {
    const upscale = async (lr: ImageU8) => lr;
    await expect(measureThroughput(upscale, 0, { minSeconds: 0, maxRuns: 1 })).rejects.toThrow(RangeError);
    await expect(measureThroughput(upscale, 8, { minSeconds: 0, maxRuns: 0 })).rejects.toThrow(/maxRuns/);
  });
});

describe('noiseImage', () => {
  it('is deterministic per seed and uses the whole 8-bit range', () => {
    const a = noiseImage(16, 16, 7);
    expect(a).toMatchObject({ width: 16, height: 16, channels: 3 });
    expect(a.data.length).toBe(16 * 16 * 3);
    expect(noiseImage(16, 16, 7).data).toEqual(a.data);
    expect(noiseImage(16, 16, 8).data).not.toEqual(a.data);
    expect(Math.max(...a.data)).toBeGreaterThan(240);
    expect(Math.min(...a.data)).toBeLessThan(15);
  });
});
