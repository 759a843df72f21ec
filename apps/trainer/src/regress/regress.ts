import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BackendPreference } from '@sr/model';
import { CliError } from '../cli-error.ts';
import { writeAtomic } from '../train/checkpoint.ts';
import type { ModelSpec } from './evaluate.ts';
import { describeBackend, diffGolden, readGolden, writeGolden, type GoldenFile } from './golden.ts';
import { junitXml } from './junit.ts';
import { measureModels } from './measure.ts';
import { markdownReport, markdownUpdate, textReport } from './report.ts';
import { checkModel, DEFAULT_RULES, failures, formatCheck, type Check, type Rules } from './rules.ts';
import { SYNTHETIC_SET, type SetSpec } from './sets.ts';

export interface RegressOptions {
  models: readonly ModelSpec[];
  /** Sets besides the built-in synthetic one. */
  sets?: readonly SetSpec[];
  golden: string;
  /** Measure and (re)write the golden values of these models instead of checking them. */
  update?: boolean;
  rules: Rules;
  backend?: BackendPreference;
  threads?: number;
  junit?: string;
  /** A markdown summary is appended here (`$GITHUB_STEP_SUMMARY`). */
  stepSummary?: string;
  /** Human-readable output (the CLI: stderr). */
  log: (line: string) => void;
}

export interface RegressResult {
  pass: boolean;
  golden: string;
  backend: string;
  /** With `update`: one line per changed value. */
  diff?: string[];
  checks: Check[];
  measured: GoldenFile;
}

async function update(o: RegressOptions, old: GoldenFile | undefined, measured: GoldenFile): Promise<RegressResult> {
  // Models not measured in this run keep their values, so one golden file can hold models updated one at a time.
  const next: GoldenFile = { ...measured, models: { ...old?.models, ...measured.models } };
  const diff = diffGolden(old, next);
  await writeGolden(o.golden, next);
  if (o.stepSummary) await appendFile(o.stepSummary, `${markdownUpdate(o.golden, diff)}\n`);
  o.log(diff.length ? diff.join('\n') : 'no value changed');
  // Checked against themselves only the rules that do not compare with golden can fail (beating bicubic).
  for (const [key, m] of Object.entries(measured.models)) {
    for (const c of failures(checkModel(key, m, m, o.rules))) o.log(`warning: ${formatCheck(c)}: sr regress will fail this model unless the rule is relaxed`);
  }
  o.log(`wrote ${o.golden} (${o.models.length} model${o.models.length === 1 ? '' : 's'} measured on ${describeBackend(measured.backend)})`);
  return { pass: true, golden: o.golden, backend: describeBackend(measured.backend), diff, checks: [], measured };
}

/** `sr regress --update` for some model files, with the default rules (the trainer's and `sr export`'s golden files). */
export const writeGoldenFor = (models: readonly ModelSpec[], golden: string, log: (line: string) => void): Promise<RegressResult> =>
  runRegress({ models, golden, update: true, rules: DEFAULT_RULES, log });

/**
 * `sr regress`: scores the models on the built-in synthetic set and the given sets, then either writes the golden
 * values (`update`) or checks them against the golden file with `rules`, writing the JUnit file and step summary.
 */
export async function runRegress(o: RegressOptions): Promise<RegressResult> {
  const old = readGolden(o.golden);
  if (!old && !o.update) throw new CliError(`no golden file ${o.golden}: create it with --update`);
  const sets: SetSpec[] = [{ name: SYNTHETIC_SET }, ...(o.sets ?? [])];
  const seconds: Record<string, number> = {};
  const measured = await measureModels(o.models, sets, { backend: o.backend, threads: o.threads, onModel: (key, s) => void (seconds[key] = s) });
  const on = measured.backend!;
  if (on.backend !== 'wasm' || on.threads !== 1) {
    o.log(`warning: measured on ${describeBackend(on)}, not wasm with one thread: the output hashes belong to this backend and thread count and may differ on other machines`);
  }
  if (o.update) return update(o, old, measured);

  const golden = old!;
  const backends = { golden: golden.backend, current: measured.backend };
  const checks = Object.entries(measured.models).flatMap(([key, m]) => checkModel(key, m, golden.models[key], o.rules, backends));
  if (o.junit) {
    await mkdir(dirname(o.junit), { recursive: true });
    await writeAtomic(o.junit, new TextEncoder().encode(junitXml(checks, seconds)));
  }
  if (o.stepSummary) await appendFile(o.stepSummary, `${markdownReport(measured.models, golden, checks)}\n`);
  o.log(textReport(measured.models, golden, checks));
  return { pass: failures(checks).length === 0, golden: o.golden, backend: describeBackend(measured.backend), checks, measured };
}
