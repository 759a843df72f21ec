import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCharts } from '../src/report/charts.ts';
import { JsonlLog, readJsonl, type LogRecord } from '../src/report/jsonl.ts';
import { plotRun } from '../src/report/plot.ts';
import { renderSvg } from '../src/report/render.ts';

const records: LogRecord[] = [
  { kind: 'train', phase: 'psnr', iter: 1, time: 0, losses: { pix: 0.1 }, lr: { g: 1e-3 } },
  { kind: 'train', phase: 'psnr', iter: 2, time: 0, losses: { pix: 0.05 }, lr: { g: 1e-3 } },
  { kind: 'val', phase: 'psnr', iter: 2, time: 0, psnr: 25, ssim: 0.7, bicubic: { psnr: 24, ssim: 0.68 }, samples: ['psnr-0000002-0.png'] },
  { kind: 'stats', phase: 'gan', iter: 1, time: 0, g: { 'body.0.weight': { weight: { mean: 0, meanAbs: 1, variance: 1 }, grad: { mean: 0, meanAbs: 0.01, variance: 1e-4 } } } },
  { kind: 'train', phase: 'gan', iter: 1, time: 0, losses: { g_pix: 1e-3, d: 0.7 }, lr: { g: 1e-4, d: 1e-4 }, dAccuracy: { real: 0.5, fake: 0.75 } },
];

describe('report', () => {
  it('an LPIPS chart when validation logged lpips', () => {
    const withLpips = records.map((r) => (r.kind === 'val' ? { ...r, lpips: 0.25 } : r));
    const chart = buildCharts(withLpips).find((c) => c.name === 'lpips')!;
    const values = (chart.spec.data as { values: { series: string; value: number }[] }).values;
    expect(values.map((v) => [v.series, v.value])).toEqual(withLpips.filter((r) => r.kind === 'val').map((r) => [`${r.phase} lpips`, 0.25]));
    expect(buildCharts(records).some((c) => c.name === 'lpips')).toBe(false);
  });

  it('builds charts with the gan phase offset after the psnr phase', () => {
    const charts = buildCharts(records);
    expect(charts.map((c) => c.name)).toEqual(['losses', 'lr', 'psnr', 'ssim', 'd-accuracy', 'grad-stats']);
    const losses = (charts[0].spec.data as { values: { step: number; series: string }[] }).values;
    expect(losses.find((r) => r.series === 'gan d')!.step).toBe(3);
    const psnr = (charts[2].spec.data as { values: { series: string; value: number }[] }).values;
    expect(psnr).toEqual(expect.arrayContaining([expect.objectContaining({ series: 'psnr bicubic', value: 24 })]));
  });

  it('renders SVG headlessly and writes plots + report.html', async () => {
    expect(await renderSvg(buildCharts(records)[0].spec)).toMatch(/^<svg/);
    const dir = mkdtempSync(join(tmpdir(), 'sr-plot-'));
    writeFileSync(join(dir, 'train.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n{"torn');
    const out = await plotRun(dir, { svg: true, png: true });
    expect(out.charts).toHaveLength(12);
    for (const f of out.charts) expect(existsSync(f)).toBe(true);
    const html = readFileSync(out.report, 'utf8');
    expect(html).toContain('samples/psnr-0000002-0.png');
    expect(html).toContain('<svg');
  });

  it('JSONL truncation on resume keeps only records up to the checkpoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-log-'));
    const log = new JsonlLog(join(dir, 'train.jsonl'));
    for (const r of records) log.write(r);
    log.truncateAfter('psnr', 1);
    expect(readJsonl(log.path).map((r) => `${r.phase}${r.iter}`)).toEqual(['psnr1']);
  });
});
