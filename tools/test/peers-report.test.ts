import { describe, expect, it } from 'vitest';
import { markdownTable, type TableRow } from '../peers/report.ts';

const throughput = (lrSize: number, rate: number, cpuRate: number | null = rate * 1.5) => ({
  lrSize,
  lrMegapixelsPerSecond: rate,
  medianSeconds: 1,
  lrMegapixelsPerCpuSecond: cpuRate,
  medianCpuSeconds: 1,
  runs: 1,
  warmupSeconds: 1,
});
const quality = (psnr: number, ssim: number, images: number) => ({ psnr, ssim, images, perImage: [], lrFromFile: images, lrBicubic: 0 });

describe('markdownTable', () => {
  it('formats one row per method, with a dash where there is no value', () => {
    const rows: TableRow[] = [
      { method: 'bicubic', params: null, quality: quality(21.5165, 0.56609, 10), throughput: [throughput(128, 0.31), throughput(256, 0.3, null)], peakRssMiB: 240.4 },
      { method: 'esrgan-thick', params: 7_260_740, quality: quality(22.391, 0.6123, 3), throughput: [throughput(128, 0.0023456)], peakRssMiB: 1210.6 },
      { method: 'esrgan-slim', params: 233_451, quality: quality(21.7, 0.5812, 10), throughput: [throughput(128, 0.058), throughput(256, 0.0571)], peakRssMiB: 300 },
    ];
    expect(markdownTable(rows, [128, 256])).toBe(
      [
        '| method | params | PSNR-Y (dB) | SSIM-Y | images | LR MP/s 128² (wall / CPU) | LR MP/s 256² (wall / CPU) | peak RSS (MiB) |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| bicubic | — | 21.52 | 0.5661 | 10 | 0.310 / 0.465 | 0.300 / — | 240 |',
        '| esrgan-thick | 7.26M | 22.39 | 0.6123 | 3 | 0.00235 / 0.00352 | — | 1211 |',
        '| esrgan-slim | 233k | 21.70 | 0.5812 | 10 | 0.0580 / 0.0870 | 0.0571 / 0.0857 | 300 |',
      ].join('\n'),
    );
  });
});
