import { basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { LoadedModel, WeightFormat } from '@sr/model';
import { CliError } from '../cli-error.ts';

export type ImportedModel = LoadedModel & { format: WeightFormat; path: string };

export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Runs `fn`, turning a WeightsError (bad file) into a one-line CliError naming the file. */
export async function asCliError<T>(path: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof (await import('@sr/model')).WeightsError) throw new CliError(`${basename(path)}: ${err.message}`);
    throw err;
  }
}

/** Reads any weight file (model file, safetensors, .pth) into a generator; bad input becomes a CliError. */
export async function importWeightsFile(path: string, contents?: Uint8Array): Promise<ImportedModel> {
  const bytes = contents ?? (await readBytes(path));
  const { importWeights, initBackend } = await import('@sr/model');
  // Parameter tensors need a backend; wasm starts fast and, unlike cpu, prints no tfjs-node advert on stderr.
  await initBackend({ prefer: 'wasm', log: null });
  return { ...(await asCliError(path, () => importWeights(bytes))), path };
}

export function parseAlpha(raw: unknown): number {
  const alpha = Number(raw);
  if (typeof raw !== 'number' || !Number.isFinite(alpha) || alpha < 0 || alpha > 1) {
    throw new CliError(`--alpha must be a number in [0, 1], got ${String(raw)}`);
  }
  return alpha;
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');
