/** The README table of a peer benchmark run. */
import type { MethodResult } from './worker.ts';

export type TableRow = Pick<MethodResult, 'method' | 'params' | 'quality' | 'throughput' | 'peakRssMiB'>;

const fmtParams = (n: number | null): string => (n == null ? '—' : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);

/** Megapixels per second with 3 significant digits (the thick model runs at ~0.002). */
const fmtRate = (v: number | null | undefined): string => (v == null ? '—' : v.toPrecision(3));

export function markdownTable(rows: readonly TableRow[], sizes: readonly number[]): string {
  const head = ['method', 'params', 'PSNR-Y (dB)', 'SSIM-Y', 'images', ...sizes.map((s) => `LR MP/s ${s}² (wall / CPU)`), 'peak RSS (MiB)'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) {
    const rates = sizes.map((s) => {
      const t = r.throughput.find((x) => x.lrSize === s);
      return t ? `${fmtRate(t.lrMegapixelsPerSecond)} / ${fmtRate(t.lrMegapixelsPerCpuSecond)}` : '—';
    });
    const cells = [
      r.method,
      fmtParams(r.params),
      r.quality.psnr.toFixed(2),
      r.quality.ssim.toFixed(4),
      String(r.quality.images),
      ...rates,
      r.peakRssMiB.toFixed(0),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
