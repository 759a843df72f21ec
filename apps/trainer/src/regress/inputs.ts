import { existsSync, readFileSync } from 'node:fs';
import { join, parse } from 'node:path';
import { parseManifest } from '../../../edge-api/src/models/manifest.ts';
import { CliError } from '../cli-error.ts';
import type { ModelSpec } from './evaluate.ts';

/** A model's key in the golden file when it is given as a file: its name without the extension. */
export const keyOfFile = (path: string): string => parse(path).name;

/**
 * Every weight file the manifest in `dir` names: a manifest entry's weights as `<name>`, its GAN partner as
 * `<name>/gan` (the keys the shipped models' golden file uses).
 */
export function manifestModels(dir: string): ModelSpec[] {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new CliError(`--models ${dir}: no manifest.json there`);
  let manifest;
  try {
    manifest = parseManifest(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  return manifest.models.flatMap((m) => [
    { key: m.name, path: join(dir, m.file) },
    ...(m.gan ? [{ key: `${m.name}/gan`, path: join(dir, m.gan.file) }] : []),
  ]);
}

export interface ModelArgs {
  model: string[];
  b: string[];
  alpha: number[];
  models?: string;
}

/**
 * The models under test from `--model` (with `--b` paired by position and every `--alpha` applied to each pair) or
 * `--models DIR`. A pair's key is `<A>+<B>@<alpha>`.
 */
export function modelSpecs(a: ModelArgs): ModelSpec[] {
  if (a.models && a.model.length) throw new CliError('give --model files or --models DIR, not both');
  if (!a.models && !a.model.length) throw new CliError('give --model FILE (repeatable) or --models DIR');
  if (a.b.length && a.b.length !== a.model.length) throw new CliError(`--b pairs with --model by position: ${a.model.length} --model, ${a.b.length} --b`);
  if (a.b.length && !a.alpha.length) throw new CliError('--b needs --alpha');
  if (a.alpha.length && !a.b.length) throw new CliError('--alpha needs --b (the second model of the pair)');
  for (const alpha of a.alpha) if (!(alpha >= 0 && alpha <= 1)) throw new CliError(`--alpha must be a number in [0, 1], got ${alpha}`);
  if (a.models && a.b.length) throw new CliError('--b and --alpha go with --model, not --models');
  const specs = a.models
    ? manifestModels(a.models)
    : a.model.flatMap((path, i): ModelSpec[] =>
        a.b.length ? a.alpha.map((alpha) => ({ key: `${keyOfFile(path)}+${keyOfFile(a.b[i])}@${alpha}`, path, b: a.b[i], alpha })) : [{ key: keyOfFile(path), path }],
      );
  for (const s of specs) for (const f of [s.path, s.b]) if (f && !existsSync(f)) throw new CliError(`no model file ${f}`);
  const keys = specs.map((s) => s.key);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice) throw new CliError(`two models would share the key '${twice}' in the golden file: rename one file`);
  return specs;
}
