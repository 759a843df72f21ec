import type { ModelMetrics } from './evaluate.ts';
import type { GoldenFile } from './golden.ts';
import { failures, MODEL_LEVEL, type Check } from './rules.ts';

/** One row per model × set: scores now and golden, bicubic, and which rules failed. */
interface Row {
  model: string;
  set: string;
  psnr: string;
  ssim: string;
  bicubic: string;
  result: string;
}

const withGolden = (now: number, golden: number | undefined, digits: number) =>
  golden === undefined ? now.toFixed(digits) : `${now.toFixed(digits)} (golden ${golden.toFixed(digits)})`;

function rows(current: Record<string, ModelMetrics>, golden: GoldenFile | undefined, checks: readonly Check[]): Row[] {
  const out: Row[] = [];
  const failed = (model: string, set: string) => failures(checks).filter((c) => c.model === model && c.set === set).map((c) => c.rule);
  for (const [model, m] of Object.entries(current)) {
    for (const [set, s] of Object.entries(m.sets)) {
      const g = golden?.models[model]?.sets[set];
      const bad = failed(model, set);
      out.push({ model, set, psnr: withGolden(s.psnr, g?.psnr, 4), ssim: withGolden(s.ssim, g?.ssim, 6), bicubic: `${s.bicubic.psnr.toFixed(4)} / ${s.bicubic.ssim.toFixed(6)}`, result: bad.length ? `FAIL ${bad.join(', ')}` : 'ok' });
    }
    const bad = failed(model, MODEL_LEVEL);
    const hashes = checks.filter((c) => c.model === model && c.set === MODEL_LEVEL && c.rule.endsWith('sha256'));
    const hashResult = bad.length ? `FAIL ${bad.join(', ')}` : hashes.some((c) => c.status === 'pass') ? 'ok' : 'not compared';
    out.push({ model, set: 'weights + probe sha256', psnr: '', ssim: '', bicubic: '', result: hashResult });
  }
  return out;
}

const HEADER: Row = { model: 'model', set: 'set', psnr: 'PSNR-Y dB', ssim: 'SSIM-Y', bicubic: 'bicubic PSNR / SSIM', result: 'result' };
const COLUMNS = Object.keys(HEADER) as Array<keyof Row>;

const verdict = (checks: readonly Check[]) => {
  const n = failures(checks).length;
  return n === 0 ? 'PASS' : `FAIL (${n} failed check${n === 1 ? '' : 's'})`;
};

/** The plain-text table printed on stderr, then one line per failed check. */
export function textReport(current: Record<string, ModelMetrics>, golden: GoldenFile | undefined, checks: readonly Check[]): string {
  const all = [HEADER, ...rows(current, golden, checks)];
  const width = COLUMNS.map((k) => Math.max(...all.map((r) => r[k].length)));
  const lines = all.map((r) => COLUMNS.map((k, i) => r[k].padEnd(width[i])).join('  ').trimEnd());
  lines.splice(1, 0, width.map((w) => '-'.repeat(w)).join('  '));
  for (const c of failures(checks)) lines.push(`FAIL ${c.model} ${c.set} ${c.rule}: ${c.message}`);
  lines.push(`sr regress: ${verdict(checks)}`);
  return lines.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The markdown for `$GITHUB_STEP_SUMMARY`: verdict, the table, the failed checks. */
export function markdownReport(current: Record<string, ModelMetrics>, golden: GoldenFile | undefined, checks: readonly Check[]): string {
  const table = [HEADER, ...rows(current, golden, checks)].map((r) => `| ${COLUMNS.map((k) => cell(r[k])).join(' | ')} |`);
  table.splice(1, 0, `|${COLUMNS.map(() => ' --- ').join('|')}|`);
  const failed = failures(checks).map((c) => `- **${cell(c.model)}** · ${cell(c.set)} · \`${c.rule}\`: ${cell(c.message)}`);
  return [`### sr regress: ${verdict(checks)}`, '', ...table, '', ...(failed.length ? [...failed, ''] : [])].join('\n');
}

/** The step summary of `--update`: which file was written and every changed value. */
export function markdownUpdate(golden: string, diff: readonly string[]): string {
  const body = diff.length ? ['```', ...diff, '```'] : ['No value changed.'];
  return [`### sr regress --update: wrote \`${cell(golden)}\``, '', ...body, ''].join('\n');
}
