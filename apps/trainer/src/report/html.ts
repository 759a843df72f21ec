import type { LogRecord } from './jsonl.ts';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export interface ReportInput {
  title: string;
  charts: { title: string; svg: string }[];
  records: readonly LogRecord[];
  /** Interpolation table rows, when the run exported them. */
  interpolation?: { alpha: number; file: string; psnr: number; ssim: number }[];
}

type SetScores = { name: string; psnr: number; bicubic: { psnr: number } };

/** "PSNR-Y x dB (bicubic y)" of a val record; with several validation sets, one per set (the samples are the first set's). */
function scoresLine(r: LogRecord): string {
  const one = (s: Omit<SetScores, 'name'>) => `PSNR-Y ${s.psnr.toFixed(3)} dB (bicubic ${s.bicubic.psnr.toFixed(3)})`;
  const sets = r.sets as SetScores[] | undefined;
  return sets ? sets.map((s) => `${escape(s.name)} ${one(s)}`).join('; ') : one(r as unknown as SetScores);
}

/** A self-contained page (inline SVG charts) plus the latest sample strips of each phase, linked relative to the run folder. */
export function renderReport(input: ReportInput): string {
  const val = input.records.filter((r) => r.kind === 'val');
  const latest = (['psnr', 'gan'] as const).map((phase) => val.filter((r) => r.phase === phase).at(-1)).filter((r) => r !== undefined);
  const strips = latest
    .map(
      (r) =>
        `<h3>${r.phase} iteration ${r.iter}: ${scoresLine(r)}</h3>` +
        (r.samples as string[]).map((f) => `<img src="samples/${encodeURIComponent(f)}" alt="${escape(f)}">`).join('\n'),
    )
    .join('\n');
  const table = input.interpolation
    ? `<h2>Network interpolation</h2><table><tr><th>α</th><th>PSNR-Y</th><th>SSIM-Y</th><th>file</th></tr>${input.interpolation
        .map((r) => `<tr><td>${r.alpha}</td><td>${r.psnr.toFixed(3)}</td><td>${r.ssim.toFixed(4)}</td><td>${escape(r.file)}</td></tr>`)
        .join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1300px}section{display:inline-block;vertical-align:top;margin:0 1rem 1rem 0}img{max-width:100%;image-rendering:pixelated;display:block;margin-bottom:.5rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem}</style>
</head><body>
<h1>${escape(input.title)}</h1>
${input.charts.map((c) => `<section><h2>${escape(c.title)}</h2>${c.svg}</section>`).join('\n')}
${table}
<h2>Samples (LR nearest | bicubic | SR | HR)</h2>
${strips || '<p>no validation samples yet</p>'}
</body></html>
`;
}
