import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCharts } from '../src/report/charts.ts';
import { renderReport } from '../src/report/html.ts';
import { JsonlLog, readJsonl, type LogRecord } from '../src/report/jsonl.ts';
import { plotRun } from '../src/report/plot.ts';
import { renderSvg } from '../src/report/render.ts';

const records: LogRecord[] = [
  { kind: 'train', phase: 'psnr', iter: 1, time: 0, losses: { pix: 0.1 }, lr: { g: 1e-3 } },
  { kind: 'train', phase: 'psnr', iter: 2, time: 0, losses: { pix: 0.05 }, lr: { g: 1e-3 } },
  { kind: 'val', phase: 'psnr', iter: 2, time: 0, psnr: 25, ssim: 0.7, bicubic: { psnr: 24, ssim: 0.68 }, losses: { pix: 0.06 }, samples: ['psnr-0000002-0.png'] },
  {
    kind: 'stats', phase: 'gan', iter: 1, time: 0, gradNormG: 0.5, gradNormD: 2,
    g: { 'body.0.weight': { weight: { mean: -0.02, meanAbs: 1, variance: 1 }, grad: { mean: 0, meanAbs: 0.01, variance: 1e-4 } } },
    d: { 'conv0_0.weight': { weight: { mean: 0.01, meanAbs: 0.1, variance: 0.02 }, grad: { mean: 1e-5, meanAbs: 0.001, variance: 3e-6 } } },
  },
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

  it('one PSNR/SSIM line per validation set (and a dashed bicubic line each) when the run logged several sets', () => {
    const sets = [
      { name: 'urban', psnr: 25, ssim: 0.7, bicubic: { psnr: 24, ssim: 0.68 } },
      { name: 'kodak', psnr: 28, ssim: 0.75, bicubic: { psnr: 27, ssim: 0.72 } },
    ];
    const multi = records.map((r) => (r.kind === 'val' ? { ...r, sets } : r));
    const chart = buildCharts(multi).find((c) => c.name === 'psnr')!;
    const values = (chart.spec.data as { values: { series: string; value: number }[] }).values;
    expect(values.map((v) => [v.series, v.value])).toEqual([['psnr urban', 25], ['psnr urban bicubic', 24], ['psnr kodak', 28], ['psnr kodak bicubic', 27]]);
    expect(JSON.stringify(chart.spec.encoding)).toContain('psnr kodak bicubic');
    const ssim = buildCharts(multi).find((c) => c.name === 'ssim')!;
    expect((ssim.spec.data as { values: { series: string; value: number }[] }).values.find((v) => v.series === 'psnr kodak')!.value).toBe(0.75);
    expect(renderReport({ title: 't', charts: [], records: multi })).toContain('psnr iteration 2: urban PSNR-Y 25.000 dB (bicubic 24.000); kodak PSNR-Y 28.000 dB (bicubic 27.000)');
    expect(renderReport({ title: 't', charts: [], records })).toContain('psnr iteration 2: PSNR-Y 25.000 dB (bicubic 24.000)');
  });

  it('builds charts with the gan phase offset after the psnr phase', () => {
    const charts = buildCharts(records);
    expect(charts.map((c) => c.name)).toEqual([
      'losses', 'lr', 'psnr', 'ssim', 'd-accuracy', 'grad-norm',
      'grad-stats', 'grad-variance', 'grad-mean', 'weight-stats', 'weight-variance', 'weight-mean',
    ]);
    const losses = (charts[0].spec.data as { values: { step: number; series: string }[] }).values;
    expect(losses.find((r) => r.series === 'gan d')!.step).toBe(3);
    const psnr = (charts[2].spec.data as { values: { series: string; value: number }[] }).values;
    expect(psnr).toEqual(expect.arrayContaining([expect.objectContaining({ series: 'psnr bicubic', value: 24 })]));
  });

  it('charts validation losses (dashed), gradient norms and every weight/gradient statistic', () => {
    const charts = Object.fromEntries(buildCharts(records).map((c) => [c.name, c.spec]));
    const values = (name: string) => (charts[name].data as { values: { step: number; series: string; value: number }[] }).values.map((v) => [v.step, v.series, v.value]);
    expect(values('losses')).toContainEqual([2, 'psnr val pix', 0.06]);
    expect(JSON.stringify(charts.losses.encoding)).toContain('psnr val pix');
    expect(values('grad-norm')).toEqual([[3, 'gan G', 0.5], [3, 'gan D', 2]]);
    expect(values('grad-variance')).toEqual([[3, 'G body.0.weight', 1e-4], [3, 'D conv0_0.weight', 3e-6]]);
    expect(values('grad-mean')).toEqual([[3, 'G body.0.weight', 0], [3, 'D conv0_0.weight', 1e-5]]);
    expect(values('weight-stats')).toEqual([[3, 'G body.0.weight', 1], [3, 'D conv0_0.weight', 0.1]]);
    expect(values('weight-variance')).toEqual([[3, 'G body.0.weight', 1], [3, 'D conv0_0.weight', 0.02]]);
    expect(values('weight-mean')).toEqual([[3, 'G body.0.weight', -0.02], [3, 'D conv0_0.weight', 0.01]]);
    expect((charts['weight-mean'].encoding as { y: { scale: unknown } }).y.scale).toEqual({ zero: false }); // may be negative: not log
  });

  it('renders SVG headlessly and writes plots + report.html', async () => {
    expect(await renderSvg(buildCharts(records)[0].spec)).toMatch(/^<svg/);
    const dir = mkdtempSync(join(tmpdir(), 'sr-plot-'));
    writeFileSync(join(dir, 'train.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n{"torn');
    const out = await plotRun(dir, { svg: true, png: true });
    expect(out.charts).toHaveLength(24);
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
