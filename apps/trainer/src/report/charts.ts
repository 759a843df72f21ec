import type { LogRecord } from './jsonl.ts';

/** A vega-lite spec (kept loose: the library validates it when compiling). */
export type ChartSpec = Record<string, unknown>;

export interface Chart {
  name: string;
  title: string;
  spec: ChartSpec;
}

interface Row {
  step: number;
  phase: string;
  series: string;
  value: number;
}

/** One tensor's statistics in a `stats` record (train/tensor-stats.ts). */
interface LayerStat {
  mean: number;
  meanAbs: number;
  variance: number;
}

const prefixed = (prefix: string, values: Record<string, number> | undefined) =>
  values && Object.fromEntries(Object.entries(values).map(([k, v]) => [prefix + k, v]));

const WIDTH = 560;
const HEIGHT = 260;

function lineChart(title: string, rows: Row[], opts: { logY?: boolean; yTitle: string; dashedSeries?: string[] }): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values: rows },
    mark: { type: 'line', interpolate: 'linear', strokeWidth: 1.5, point: { size: 18 } },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'iteration (psnr, then gan)' },
      y: { field: 'value', type: 'quantitative', title: opts.yTitle, scale: opts.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
      strokeDash: { condition: { test: `indexof(${JSON.stringify(opts.dashedSeries ?? [])}, datum.series) >= 0`, value: [4, 3] }, value: [1, 0] },
    },
  };
}

/**
 * The training curves of a run from its JSONL log. Iterations of the gan phase are offset by the psnr phase's length
 * so both phases share one x axis.
 */
export function buildCharts(records: readonly LogRecord[]): Chart[] {
  const psnrEnd = Math.max(0, ...records.filter((r) => r.phase === 'psnr').map((r) => r.iter));
  const step = (r: LogRecord) => (r.phase === 'gan' ? psnrEnd + r.iter : r.iter);
  const rows = (pick: (r: LogRecord) => Record<string, number | undefined> | undefined, kind: LogRecord['kind']): Row[] =>
    records
      .filter((r) => r.kind === kind)
      .flatMap((r) =>
        Object.entries(pick(r) ?? {})
          .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
          .map(([series, value]) => ({ step: step(r), phase: r.phase, series: `${r.phase} ${series}`, value })),
      );
  const positive = (xs: Row[]) => xs.filter((x) => x.value > 0);
  const valLosses = rows((r) => prefixed('val ', r.losses as Record<string, number> | undefined), 'val');
  const lossRows = positive([...rows((r) => r.losses as Record<string, number>, 'train'), ...valLosses]);
  const valSeries = [...new Set(valLosses.map((x) => x.series))];
  const charts: Chart[] = [
    { name: 'losses', title: 'Losses (validation dashed)', spec: lineChart('Losses', lossRows, { logY: true, yTitle: 'loss', dashedSeries: valSeries }) },
    { name: 'lr', title: 'Learning rates', spec: lineChart('Learning rates', positive(rows((r) => r.lr as Record<string, number>, 'train')), { logY: true, yTitle: 'learning rate' }) },
  ];
  // A run with several validation sets logs each in `sets`: one model line and one dashed bicubic line per set.
  const val = (metric: 'psnr' | 'ssim') =>
    rows((r) => {
      const sets = r.sets as { name: string; psnr: number; ssim: number; bicubic: Record<string, number> }[] | undefined;
      if (!sets) return { model: r[metric] as number, bicubic: (r.bicubic as Record<string, number> | undefined)?.[metric] };
      return Object.fromEntries(sets.flatMap((set) => [[set.name, set[metric]], [`${set.name} bicubic`, set.bicubic[metric]]]));
    }, 'val');
  const valRows = val('psnr');
  if (valRows.length) {
    const dashed = [...new Set(['psnr bicubic', 'gan bicubic', ...valRows.map((x) => x.series).filter((series) => series.endsWith(' bicubic'))])];
    charts.push({ name: 'psnr', title: 'Validation PSNR-Y vs bicubic', spec: lineChart('Validation PSNR (dB)', valRows, { yTitle: 'PSNR (dB)', dashedSeries: dashed }) });
    charts.push({ name: 'ssim', title: 'Validation SSIM-Y vs bicubic', spec: lineChart('Validation SSIM', val('ssim'), { yTitle: 'SSIM', dashedSeries: dashed }) });
  }
  const lpipsRows = rows((r) => ({ lpips: r.lpips as number | undefined }), 'val');
  if (lpipsRows.length) charts.push({ name: 'lpips', title: 'Validation LPIPS (lower is better)', spec: lineChart('Validation LPIPS', lpipsRows, { yTitle: 'LPIPS' }) });
  const accuracy = (r: LogRecord) => r.dAccuracy as Record<string, number> | undefined;
  const acc = [...rows(accuracy, 'train'), ...rows((r) => prefixed('val ', accuracy(r)), 'val')];
  if (acc.length) charts.push({ name: 'd-accuracy', title: 'Discriminator accuracy', spec: lineChart('D accuracy (train batches and validation crops)', acc, { yTitle: 'accuracy' }) });
  const norms = positive(rows((r) => ({ G: r.gradNormG as number | undefined, D: r.gradNormD as number | undefined }), 'stats'));
  if (norms.length) charts.push({ name: 'grad-norm', title: 'Gradient norm before clipping', spec: lineChart('Global gradient norm ‖g‖ (before clipping)', norms, { logY: true, yTitle: '‖grad‖' }) });
  const layerRows = (of: 'grad' | 'weight', stat: keyof LayerStat): Row[] =>
    records
      .filter((r) => r.kind === 'stats')
      .flatMap((r) =>
        (['g', 'd'] as const).flatMap((net) =>
          Object.entries((r[net] as Record<string, Partial<Record<'grad' | 'weight', LayerStat>>> | undefined) ?? {})
            .filter(([, s]) => Number.isFinite(s[of]?.[stat]))
            .map(([layer, s]) => ({ step: step(r), phase: r.phase, series: `${net.toUpperCase()} ${layer}`, value: s[of]![stat] })),
        ),
      );
  for (const [of, label, symbol] of [['grad', 'Gradient', 'g'], ['weight', 'Weight', 'w']] as const) {
    const layers = '(first, middle, last conv)';
    const meanAbs = positive(layerRows(of, 'meanAbs'));
    if (meanAbs.length) charts.push({ name: `${of}-stats`, title: `${label} mean |${symbol}| ${layers}`, spec: lineChart(`${label} mean |${symbol}|`, meanAbs, { logY: true, yTitle: `mean |${of}|` }) });
    const variance = positive(layerRows(of, 'variance'));
    if (variance.length) charts.push({ name: `${of}-variance`, title: `${label} variance ${layers}`, spec: lineChart(`${label} variance`, variance, { logY: true, yTitle: `var(${of})` }) });
    const mean = layerRows(of, 'mean');
    if (mean.length) charts.push({ name: `${of}-mean`, title: `${label} mean ${layers}`, spec: lineChart(`${label} mean`, mean, { yTitle: `mean ${of}` }) });
  }
  return charts;
}
