/**
 * Node tooling: writes `manifest.json` for a models directory — sha256, architecture, scale,
 * parameter count and channels (RGB or luma) read from each file, and the probe fingerprint the server checks on first load.
 * Usage: `npm run -w @sr/edge-api models:manifest -- <dir> <name>=<file>[+<gan-file>][:default] ...`
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { disposeGenerator, loadFile, networkChannels, parameterCount, probe } from './engine.ts';
import { parseManifest, type Manifest, type ModelEntry } from './manifest.ts';
import { PROBE_ID } from './self-check.ts';

export interface ManifestModelSpec {
  name: string;
  file: string;
  gan?: string;
  default?: boolean;
  defaultAlpha?: number;
  description?: string;
  quality?: ModelEntry['quality'];
}

async function inspect(dir: string, file: string) {
  const loaded = await loadFile(new Uint8Array(await readFile(join(dir, file))));
  try {
    const g = loaded.generator;
    return { sha256: loaded.sha256, arch: g.arch, scale: g.scale, params: parameterCount(g), channels: networkChannels(g), fingerprint: await probe(g) };
  } finally {
    disposeGenerator(loaded.generator);
  }
}

/** The entries of an existing manifest.json in `dir`, by name (none when absent). */
async function previousEntries(dir: string): Promise<Map<string, ModelEntry>> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    return new Map();
  }
  return new Map(parseManifest(JSON.parse(text)).models.map((e) => [e.name, e]));
}

/**
 * Needs an initialized tfjs backend (the fingerprints are computed here). Hand-written fields of an
 * existing manifest (description, quality, defaultAlpha) are kept for names the specs do not override;
 * description and quality only while the name stays the same network (architecture, scale, parameters,
 * channels): they describe it, and an RGB model's stated quality must not pass for its luma successor's.
 */
export async function buildManifest(dir: string, specs: ManifestModelSpec[]): Promise<Manifest> {
  const previous = await previousEntries(dir);
  const models: unknown[] = [];
  for (const spec of specs) {
    const psnr = await inspect(dir, spec.file);
    const old = previous.get(spec.name);
    const same = old != null && old.arch === psnr.arch && old.scale === psnr.scale && old.params === psnr.params && old.channels === psnr.channels;
    const gan = spec.gan ? await inspect(dir, spec.gan) : null;
    if (gan && (gan.arch !== psnr.arch || gan.scale !== psnr.scale || gan.params !== psnr.params || gan.channels !== psnr.channels)) {
      throw new Error(`${spec.name}: ${spec.gan} is not the same network as ${spec.file}`);
    }
    models.push({
      name: spec.name,
      description: spec.description ?? (same ? old.description : undefined),
      file: spec.file,
      sha256: psnr.sha256,
      gan: gan ? { file: spec.gan, sha256: gan.sha256 } : undefined,
      defaultAlpha: spec.defaultAlpha ?? old?.defaultAlpha ?? 0,
      default: spec.default ?? false,
      arch: psnr.arch,
      scale: psnr.scale,
      params: psnr.params,
      channels: psnr.channels,
      quality: spec.quality ?? (same ? old.quality : []),
      selfCheck: { probe: PROBE_ID, psnr: psnr.fingerprint, gan: gan?.fingerprint },
    });
  }
  return parseManifest({ version: 1, models });
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const path = join(dir, 'manifest.json');
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}

/** `name=file[+gan][:default]` */
export function parseSpec(arg: string): ManifestModelSpec {
  const m = /^([a-z0-9][a-z0-9._-]*)=([^+:]+)(?:\+([^:]+))?(:default)?$/.exec(arg);
  if (!m) throw new Error(`expected name=file.safetensors[+gan.safetensors][:default], got '${arg}'`);
  return { name: m[1], file: m[2], gan: m[3], default: m[4] != null };
}
