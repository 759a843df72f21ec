import { existsSync, readFileSync } from 'node:fs';
import { writeAtomic } from '../../apps/trainer/src/train/checkpoint.ts';
import type { ModelMetrics } from './evaluate.ts';

/** Largest allowed drop below the golden values. */
export const TOLERANCE = { psnr: 0.02, ssim: 0.0005 } as const;

export interface GoldenFile {
  version: 1;
  /** How the values were measured (documentation for readers of the file). */
  measured: string;
  models: Record<string, ModelMetrics>;
}

export const UPDATE_HINT = 'npm run test:metrics -- --update';

export function readGolden(path: string): GoldenFile | undefined {
  if (!existsSync(path)) return undefined;
  const g = JSON.parse(readFileSync(path, 'utf8')) as GoldenFile;
  if (g.version !== 1 || typeof g.models !== 'object') throw new Error(`${path}: not a version 1 golden metrics file`);
  return g;
}

export async function writeGolden(path: string, golden: GoldenFile): Promise<void> {
  await writeAtomic(path, new TextEncoder().encode(`${JSON.stringify(golden, null, 2)}\n`));
}

/**
 * How `current` got worse than its golden values (empty: no regression): weights changed, a drop beyond
 * {@link TOLERANCE} on a set, a different probe output. Sets missing from `current` (a dataset absent on this
 * machine) are not checked.
 */
export function regressions(key: string, current: ModelMetrics, golden: ModelMetrics | undefined): string[] {
  if (!golden) return [`${key}: no golden values (run ${UPDATE_HINT})`];
  const failures: string[] = [];
  if (current.weightsSha256 !== golden.weightsSha256) failures.push(`${key}: weights differ from the ones the golden values were measured with (${current.weightsSha256.slice(0, 12)} vs ${golden.weightsSha256.slice(0, 12)})`);
  for (const [set, s] of Object.entries(current.sets)) {
    const g = golden.sets[set];
    if (!g) {
      failures.push(`${key} ${set}: no golden values (run ${UPDATE_HINT})`);
      continue;
    }
    if (g.psnr - s.psnr > TOLERANCE.psnr) failures.push(`${key} ${set}: PSNR-Y dropped ${g.psnr.toFixed(4)} → ${s.psnr.toFixed(4)} dB (allowed ${TOLERANCE.psnr})`);
    if (g.ssim - s.ssim > TOLERANCE.ssim) failures.push(`${key} ${set}: SSIM-Y dropped ${g.ssim.toFixed(6)} → ${s.ssim.toFixed(6)} (allowed ${TOLERANCE.ssim})`);
  }
  if (current.outputSha256 !== golden.outputSha256) failures.push(`${key}: probe output sha256 ${current.outputSha256.slice(0, 12)} differs from the golden ${golden.outputSha256.slice(0, 12)}`);
  return failures;
}

/** Sets on which the model's PSNR-Y is not above bicubic's on the same images. */
export function notBetterThanBicubic(key: string, current: ModelMetrics): string[] {
  return Object.entries(current.sets)
    .filter(([, s]) => s.psnr <= s.bicubic.psnr)
    .map(([set, s]) => `${key} ${set}: PSNR-Y ${s.psnr.toFixed(4)} dB is not better than bicubic ${s.bicubic.psnr.toFixed(4)} dB`);
}

/** Everything that fails a shipped model. */
export function checkAgainstGolden(key: string, current: ModelMetrics, golden: ModelMetrics | undefined): string[] {
  return [...regressions(key, current, golden), ...notBetterThanBicubic(key, current)];
}

function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** One line per changed value: `path: old → new` (numbers with their difference). */
export function diffGolden(old: GoldenFile | undefined, next: GoldenFile): string[] {
  const a = leaves(old?.models ?? {}, '', new Map());
  const b = leaves(next.models, '', new Map());
  const lines: string[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [x, y] = [a.get(key), b.get(key)];
    if (x === y) continue;
    const delta = typeof x === 'number' && typeof y === 'number' ? ` (${y - x >= 0 ? '+' : ''}${Number((y - x).toPrecision(6))})` : '';
    lines.push(`${key}: ${x === undefined ? '(none)' : String(x)} → ${y === undefined ? '(removed)' : String(y)}${delta}`);
  }
  return lines;
}
