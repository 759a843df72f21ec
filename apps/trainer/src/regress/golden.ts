import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../cli-error.ts';
import { writeAtomic } from '../train/checkpoint.ts';
import type { ModelMetrics } from './evaluate.ts';

/** Where the golden values were measured; hashes of outputs are only comparable on the same backend and tfjs. */
export interface MeasuredOn {
  backend: string;
  simd: boolean;
  threads: number;
  tfjs: string;
}

/** The golden file (docs/CONTRACTS.md). `backend` is absent in files written before it was recorded. */
export interface GoldenFile {
  version: 1;
  /** How the values were measured (documentation for readers of the file). */
  measured: string;
  backend?: MeasuredOn;
  models: Record<string, ModelMetrics>;
}

export function readGolden(path: string): GoldenFile | undefined {
  if (!existsSync(path)) return undefined;
  let g: GoldenFile;
  try {
    g = JSON.parse(readFileSync(path, 'utf8')) as GoldenFile;
  } catch (err) {
    throw new CliError(`${path}: not JSON (${(err as Error).message})`);
  }
  if (g?.version !== 1 || typeof g.models !== 'object' || g.models === null) throw new CliError(`${path}: not a version 1 golden metrics file`);
  return g;
}

export async function writeGolden(path: string, golden: GoldenFile): Promise<void> {
  await writeAtomic(path, new TextEncoder().encode(`${JSON.stringify(golden, null, 2)}\n`));
}

export const describeBackend = (b: MeasuredOn | undefined): string =>
  b ? `${b.backend}${b.backend === 'wasm' ? `${b.simd ? ' simd' : ''}, ${b.threads} thread${b.threads === 1 ? '' : 's'}` : ''}, tfjs ${b.tfjs}` : 'unrecorded backend';

export const sameBackend = (a: MeasuredOn | undefined, b: MeasuredOn | undefined): boolean =>
  !a || !b || describeBackend(a) === describeBackend(b);

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
