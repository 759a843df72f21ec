import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { CliError } from '../cli-error.ts';
import { srvgg, VGG19_LAYERS, vggDiscriminatorFeatureNames } from '@sr/model';
import { scheduleMismatch } from '../train/schedulers.ts';
import { configSchema, trainSources, valSetName, valSources, type SchedulerConfig, type TrainConfig } from './schema.ts';

/** Applies `--set a.b.c=value` overrides; the value is parsed as JSON when it parses, else kept as a string. */
export function applyOverrides(raw: Record<string, unknown>, sets: readonly string[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new CliError(`--set ${set}: expected key=value`);
    const keys = set.slice(0, eq).split('.');
    const text = set.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    let node: Record<string, unknown> = out;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === undefined) node[key] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        throw new CliError(`--set ${set}: "${key}" is not an object`);
      }
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }
  return out;
}

/**
 * Of a union's failed branches (a source object or a list of them), the issue of the branch that got furthest: the
 * deepest path, and on a tie not a plain "expected object/array" type mismatch.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const rank = (i: z.core.$ZodIssue) => i.path.length * 2 + (i.code === 'invalid_type' ? 0 : 1);
  const best = issue.errors.map((branch) => branch[0]).filter((i) => i !== undefined).map(innermost).sort((a, b) => rank(b) - rank(a))[0];
  return best ? { ...best, path: [...issue.path, ...best.path] } : issue;
}

function describeIssue(outer: z.core.$ZodIssue): string {
  const issue = innermost(outer);
  const field = issue.path.length ? issue.path.join('.') : '(root)';
  return `config field "${field}": ${issue.message}`;
}

/** Cross-field rules that a per-field schema cannot state. Returns [field, message] pairs. */
function consistencyErrors(c: TrainConfig): [string, string][] {
  const errors: [string, string][] = [];
  const g = c.generator;
  const gScale = g.arch === 'RRDBNet' ? g.config.scale : g.config.upscale;
  if (gScale !== c.scale) errors.push([`generator.config.${g.arch === 'RRDBNet' ? 'scale' : 'upscale'}`, `must equal scale (${c.scale})`]);
  if (g.arch === 'SRVGGNetCompact') {
    // The architecture's own rules (e.g. an odd skip_kernel within the body's reach), as it will apply them.
    try {
      srvgg.parseConfig(g.config);
    } catch (err) {
      errors.push(['generator.config', (err as Error).message]);
    }
  }
  const gIn = g.config.num_in_ch;
  // Training images are RGB: a network sees all three channels, or their luma alone (tiling/luma.ts in @sr/model).
  if (gIn !== g.config.num_out_ch || (gIn !== 1 && gIn !== 3)) {
    errors.push(['generator.config.num_out_ch', `num_in_ch and num_out_ch must both be 3 (RGB) or both 1 (luma), got ${gIn} and ${g.config.num_out_ch}`]);
  }
  if (c.phases.gan) {
    if (!c.discriminator) errors.push(['discriminator', 'required by phases.gan']);
    else {
      if (c.discriminator.config.input_size !== c.data.lrPatch * c.scale) {
        errors.push(['discriminator.config.input_size', `must equal data.lrPatch * scale = ${c.data.lrPatch * c.scale}`]);
      }
      if (c.discriminator.config.num_in_ch !== gIn) {
        errors.push(['discriminator.config.num_in_ch', `must equal the generator's channels (${gIn}): D judges what G outputs`]);
      }
      const dLayers = vggDiscriminatorFeatureNames(c.discriminator.config);
      for (const name of Object.keys(c.phases.gan.losses.featureMatching?.layers ?? {})) {
        if (!dLayers.includes(name)) {
          const known = `${dLayers[0]} … ${dLayers[dLayers.length - 1]}`;
          errors.push([`phases.gan.losses.featureMatching.layers.${name}`, `is not a layer of the discriminator (input_size ${c.discriminator.config.input_size}: ${known})`]);
        }
      }
    }
    if (gIn === 1 && (c.phases.gan.losses.perceptual.weight > 0 || c.phases.gan.losses.perceptual.styleWeight > 0)) {
      errors.push(['phases.gan.losses.perceptual', 'VGG19 features need RGB: a luma generator trains without a perceptual loss']);
    }
    for (const name of Object.keys(c.phases.gan.losses.perceptual.layers)) {
      if (!VGG19_LAYERS.some((l) => l.name === name)) errors.push([`phases.gan.losses.perceptual.layers.${name}`, 'is not a VGG19 layer (conv1_1 … conv5_4, relu…, pool1 … pool5)']);
    }
    if (c.phases.gan.losses.translational && c.phases.gan.losses.translational.shift >= c.data.lrPatch) {
      errors.push(['phases.gan.losses.translational.shift', `must be smaller than data.lrPatch (${c.data.lrPatch})`]);
    }
  }
  const train = trainSources(c.data);
  const weighted = train.filter((s) => s.weight !== undefined).length;
  if (weighted > 0 && weighted < train.length) errors.push(['data.train', 'give "weight" on every source or on none (none: each source weighs its image count)']);
  const names = valSources(c.data).map(valSetName);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) errors.push(['data.val', `two validation sets are named "${twice}"; give each a distinct "name"`]);
  if (!c.phases.psnr && !c.phases.gan) errors.push(['phases', 'define at least one of "psnr" or "gan"']);
  const schedules: [string, SchedulerConfig, number][] = [];
  if (c.phases.psnr) schedules.push(['phases.psnr.scheduler', c.phases.psnr.scheduler, c.phases.psnr.iterations]);
  if (c.phases.gan) {
    for (const k of ['schedulerG', 'schedulerD'] as const) schedules.push([`phases.gan.${k}`, c.phases.gan[k], c.phases.gan.iterations]);
  }
  for (const [field, s, iterations] of schedules) {
    const bad = scheduleMismatch(s, iterations);
    if (bad) errors.push([`${field}.${bad[0]}`, bad[1]]);
  }
  return errors;
}

/** Validates a raw config object; throws a one-line CliError naming the first bad field. */
export function parseConfig(raw: unknown): TrainConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new CliError(describeIssue(parsed.error.issues[0]));
  const [bad] = consistencyErrors(parsed.data);
  if (bad) throw new CliError(`config field "${bad[0]}": ${bad[1]}`);
  return parsed.data;
}

/** Resolves the data/weights paths of a config against `baseDir` (the config file's folder). */
export function resolvePaths(c: TrainConfig, baseDir: string): TrainConfig {
  const abs = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(baseDir, p));
  const out = structuredClone(c);
  for (const source of [...trainSources(out.data), ...valSources(out.data)]) source.hr = abs(source.hr);
  out.data.lrCacheDir = abs(out.data.lrCacheDir);
  out.generator.pretrained = abs(out.generator.pretrained);
  if (out.validation.lpips) {
    out.validation.lpips.weights = abs(out.validation.lpips.weights)!;
    out.validation.lpips.backbone = abs(out.validation.lpips.backbone);
  }
  if (out.phases.gan) out.phases.gan.losses.perceptual.vggWeights = abs(out.phases.gan.losses.perceptual.vggWeights);
  return out;
}

/** Reads, overrides, validates and path-resolves a config file. */
export function loadConfig(path: string, sets: readonly string[] = []): TrainConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(`config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CliError(`config ${path}: expected a JSON object`);
  return resolvePaths(parseConfig(applyOverrides(raw as Record<string, unknown>, sets)), dirname(resolve(path)));
}
