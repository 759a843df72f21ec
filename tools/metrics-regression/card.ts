import type { ModelEntry } from '../../apps/edge-api/src/models/manifest.ts';
import type { ModelMetrics } from '../../apps/trainer/src/regress/evaluate.ts';
import type { PhaseFacts, RunFacts } from './run-facts.ts';

export interface CardInput {
  name: string;
  file: string;
  sha256: string;
  params: number;
  /** The network upscales luma only (num_in_ch = num_out_ch = 1). */
  luma?: boolean;
  dtypes: string[];
  /** The model file's `__metadata__`. */
  metadata: Record<string, string>;
  run?: RunFacts;
  /** This model's entry in golden-metrics.json, if measured. */
  golden?: ModelMetrics;
  /** The quality the edge API's manifest states for the model (and, with a GAN partner, per α). */
  quality?: ModelEntry['quality'];
  /** Plot files, relative to the card. */
  plots: string[];
}

const f3 = (v: number) => v.toFixed(3);
const f4 = (v: number) => v.toFixed(4);

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${Math.round(seconds % 60)} s` : `${seconds.toFixed(1)} s`;
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function phaseRow(p: PhaseFacts): string[] {
  const perIter = p.loggedIterations > 0 ? ` (${(p.loggedSeconds / p.loggedIterations).toFixed(2)} s/iteration)` : '';
  const v = p.lastValidation;
  return [
    p.phase,
    String(p.iterations),
    `${duration(p.loggedSeconds)} over ${p.loggedIterations} logged iterations${perIter}`,
    v?.sets ? `${v.sets.map((s) => `${s.name} ${f3(s.psnr)} / ${f4(s.ssim)}`).join('; ')} (iteration ${v.iter})` : v ? `${f3(v.psnr)} / ${f4(v.ssim)} (iteration ${v.iter})` : '—',
    v?.sets ? v.sets.map((s) => `${s.name} ${f3(s.bicubic.psnr)} / ${f4(s.bicubic.ssim)}`).join('; ') : v?.bicubic ? `${f3(v.bicubic.psnr)} / ${f4(v.bicubic.ssim)}` : '—',
  ];
}

function trainingSection(run: RunFacts): string[] {
  const c = run.config as { name?: string; seed?: number; backend?: string; scale?: number; data?: Record<string, unknown> };
  const data = c.data ?? {};
  const lines = ['## Training', ''];
  lines.push(`Run config \`${c.name ?? '?'}\`, seed ${c.seed ?? '?'}, backend ${c.backend ?? '?'}, x${c.scale ?? '?'}, training data \`${JSON.stringify(data.train)}\`, validation data \`${JSON.stringify(data.val)}\`, LR patch ${String(data.lrPatch)}, batch ${String(data.batchSize)}.`, '');
  if (run.phases.length > 0) {
    lines.push(...table(['phase', 'iterations', 'wall time (train.jsonl timestamps)', 'val PSNR-Y / SSIM-Y', 'bicubic'], run.phases.map(phaseRow)), '');
  }
  if (run.interpolation?.length) {
    const bicubic = run.phases.at(-1)?.lastValidation?.bicubic;
    lines.push('Network interpolation (interp.json, α = 0 PSNR weights, α = 1 GAN weights), validation set:', '');
    lines.push(...table(['α', 'PSNR-Y', 'SSIM-Y', 'vs bicubic PSNR-Y', 'file'], run.interpolation.map((r) => [
      r.alpha.toFixed(2), f3(r.psnr), f4(r.ssim), bicubic ? `${r.psnr - bicubic.psnr >= 0 ? '+' : ''}${f3(r.psnr - bicubic.psnr)} dB` : '—', `\`${r.file}\``,
    ])), '');
  }
  lines.push('<details><summary>Full training config</summary>', '', '```json', JSON.stringify(run.config, null, 2), '```', '', '</details>', '');
  return lines;
}

function goldenSection(g: ModelMetrics): string[] {
  return [
    '## Regression-suite metrics (golden-metrics.json)',
    '',
    ...table(['set', 'PSNR-Y', 'SSIM-Y', 'bicubic PSNR-Y', 'bicubic SSIM-Y', 'images'], Object.entries(g.sets).map(([set, s]) => [
      set, f3(s.psnr), f4(s.ssim), f3(s.bicubic.psnr), f4(s.bicubic.ssim), String(s.images),
    ])),
    '',
    `Probe output sha256 (wasm): \`${g.outputSha256}\``,
    '',
  ];
}

function qualitySection(quality: NonNullable<CardInput['quality']>): string[] {
  const delta = (q: (typeof quality)[number]) => (q.bicubic ? `${q.psnrY - q.bicubic.psnrY >= 0 ? '+' : ''}${f3(q.psnrY - q.bicubic.psnrY)} dB` : '—');
  return [
    '## Measured quality of the shipped files (manifest.json, shown by GET /v1/models)',
    '',
    ...table(['dataset', 'α', 'PSNR-Y', 'SSIM-Y', 'bicubic PSNR-Y / SSIM-Y', 'vs bicubic'], quality.map((q) => [
      q.dataset, q.alpha === undefined ? '—' : q.alpha.toFixed(2), f3(q.psnrY), f4(q.ssimY), q.bicubic ? `${f3(q.bicubic.psnrY)} / ${f4(q.bicubic.ssimY)}` : '—', delta(q),
    ])),
    '',
  ];
}

const MEASURED_HEADINGS = ['## Measured quality of the shipped files', '## Regression-suite metrics'];

/**
 * An existing card with its measured sections (manifest quality, regression-suite metrics) rendered anew from `c` and
 * everything else kept: for re-measuring shipped files whose training run folder is gone. The new sections go where
 * the first old one was, else before the training curves (or at the end).
 */
export function refreshMeasuredSections(markdown: string, c: Pick<CardInput, 'quality' | 'golden'>): string {
  const lines = markdown.split('\n');
  const kept: string[] = [];
  let at = -1;
  let skipping = false;
  for (const line of lines) {
    if (line.startsWith('## ')) {
      skipping = MEASURED_HEADINGS.some((h) => line.startsWith(h));
      if (skipping && at < 0) at = kept.length;
    }
    if (!skipping) kept.push(line);
  }
  if (at < 0) {
    const curves = kept.findIndex((l) => l.startsWith('## Training curves'));
    at = curves >= 0 ? curves : kept.length;
  }
  const fresh = [...(c.quality?.length ? qualitySection(c.quality) : []), ...(c.golden ? goldenSection(c.golden) : [])];
  kept.splice(at, 0, ...fresh);
  return kept.join('\n');
}

/** The model card as Markdown. */
/** The `val_sets` metadata of a run with several validation sets: "; per set: name a dB / b, …". */
function valSets(json: string | undefined): string {
  if (!json) return '';
  const sets = JSON.parse(json) as { name: string; psnr_y: number; ssim_y: number }[];
  return `; per set: ${sets.map((s) => `${s.name} ${s.psnr_y} dB / ${s.ssim_y}`).join(', ')}`;
}

export function renderModelCard(c: CardInput): string {
  const m = c.metadata;
  const lines = [`# ${c.name}`, ''];
  lines.push(...table(['', ''], [
    ['file', `\`${c.file}\` (${c.dtypes.join('/')})`],
    ['sha256', `\`${c.sha256}\``],
    ['architecture', `${m.arch} x${m.scale}, ${c.params.toLocaleString('en-US')} parameters${c.luma ? '; luma only (BT.601 Y), colour differences R − Y, B − Y upscaled with MATLAB bicubic' : ''}`],
    ['arch config', `\`${m.config}\``],
    ['phase', m.alpha !== undefined ? `${m.phase ?? '?'} (α = ${m.alpha})` : (m.phase ?? '—')],
    ['iterations', m.iterations ?? '—'],
    ['weights', m.weights ?? '—'],
    ['trained with', m.trained_with ?? '—'],
    ['validation (file metadata)', m.val_psnr_y ? `PSNR-Y ${m.val_psnr_y} dB, SSIM-Y ${m.val_ssim_y ?? '—'}${m.val_iter ? ` at iteration ${m.val_iter}` : ''}${valSets(m.val_sets)}` : '—'],
  ]), '');
  if (c.run) {
    const ran = c.run.phases.find((p) => p.phase === m.phase)?.iterations;
    if (ran !== undefined && m.iterations !== undefined && ran > Number(m.iterations)) {
      lines.push(`> The run went on to ${m.phase} iteration ${ran} after this file was exported at iteration ${m.iterations}; the training table describes the run as it is now.`, '');
    }
    lines.push(...trainingSection(c.run));
  }
  if (c.quality?.length) lines.push(...qualitySection(c.quality));
  if (c.golden) lines.push(...goldenSection(c.golden));
  if (c.plots.length > 0) lines.push('## Training curves (`sr plot`)', '', ...c.plots.map((p) => `![${p.split('/').at(-1)}](${p})`), '');
  return lines.join('\n');
}
