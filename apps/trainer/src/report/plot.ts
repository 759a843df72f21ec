import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CliError } from '../cli-error.ts';
import { buildCharts } from './charts.ts';
import { renderReport } from './html.ts';
import { readJsonl } from './jsonl.ts';
import { renderSvg, svgToPng } from './render.ts';

export interface PlotResult {
  charts: string[];
  report: string;
}

/** Renders a run's curves to `<run>/plots/*.svg|png` and writes `<run>/report.html`. */
export async function plotRun(runDir: string, formats: { svg: boolean; png: boolean }): Promise<PlotResult> {
  const logPath = join(runDir, 'train.jsonl');
  if (!existsSync(logPath)) throw new CliError(`no train.jsonl in ${runDir}`);
  const records = readJsonl(logPath);
  if (records.length === 0) throw new CliError(`${logPath} has no records yet`);
  const outDir = join(runDir, 'plots');
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const rendered: { title: string; svg: string }[] = [];
  for (const chart of buildCharts(records)) {
    const svg = await renderSvg(chart.spec);
    rendered.push({ title: chart.title, svg });
    if (formats.svg) {
      writeFileSync(join(outDir, `${chart.name}.svg`), svg);
      files.push(join(outDir, `${chart.name}.svg`));
    }
    if (formats.png) {
      writeFileSync(join(outDir, `${chart.name}.png`), await svgToPng(svg));
      files.push(join(outDir, `${chart.name}.png`));
    }
  }
  const interpPath = join(runDir, 'interp.json');
  const interpolation = existsSync(interpPath) ? JSON.parse(readFileSync(interpPath, 'utf8')) : undefined;
  const report = join(runDir, 'report.html');
  writeFileSync(report, renderReport({ title: `Training run ${basename(runDir)}`, charts: rendered, records, interpolation }));
  return { charts: files, report };
}
