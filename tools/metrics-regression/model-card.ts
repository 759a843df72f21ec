/**
 * Writes `<out>/<name>.md`, the model card of a shipped model: the model file's metadata, how its run was trained
 * (config, iterations, wall time, validation vs bicubic, interpolation table), its regression-suite metrics when
 * golden-metrics.json has them, and the run's `sr plot` charts copied to `<out>/<name>-plots/`.
 * Usage: npx tsx tools/metrics-regression/model-card.ts --model FILE [--run RUN] [--name NAME] [--golden-key KEY] [--out DIR]
 *        npx tsx tools/metrics-regression/model-card.ts --refresh --model FILE [--name NAME] [--golden-key KEY] [--out DIR]
 * `--refresh` rewrites only the measured sections (manifest quality, golden metrics) of the existing card, keeping its
 * training facts: for re-measured shipped files whose run folder is gone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join, parse } from 'node:path';
import { parseArgs } from 'node:util';
import { countParams, disposeParams, initBackend, isLumaGenerator, loadModelFile } from '@sr/model';
import { writeAtomic } from '../../apps/trainer/src/train/checkpoint.ts';
import { refreshMeasuredSections, renderModelCard } from './card.ts';
import { readGolden } from '../../apps/trainer/src/regress/golden.ts';
import { readRunFacts } from './run-facts.ts';
import { parseManifest } from '../../apps/edge-api/src/models/manifest.ts';
import { GOLDEN_FILE, modelsDir } from './shipped-models.ts';

export interface ModelCardOptions {
  model: string;
  run?: string;
  /** Card name (file `<name>.md`); default: the model file's stem. */
  name?: string;
  /** The model's key in golden-metrics.json (`<manifest name>` or `<manifest name>/gan`); default: `name`. */
  goldenKey?: string;
  outDir: string;
}

/** SVG charts when the run has them, else PNG. */
function runPlots(runDir: string): string[] {
  const dir = join(runDir, 'plots');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).sort();
  const svg = files.filter((f) => f.endsWith('.svg'));
  return (svg.length > 0 ? svg : files.filter((f) => f.endsWith('.png'))).map((f) => join(dir, f));
}

/** The quality list of the manifest entry (in `dir`) that ships `file`, as its PSNR weights or as its GAN partner. */
function manifestQuality(dir: string, file: string) {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return undefined;
  const entry = parseManifest(JSON.parse(readFileSync(path, 'utf8'))).models.find((m) => m.file === file || m.gan?.file === file);
  return entry?.quality;
}

/** Rewrites the measured sections of the existing card `<outDir>/<name>.md` from manifest.json and golden-metrics.json. */
export async function refreshModelCard(o: Omit<ModelCardOptions, 'run'>): Promise<{ card: string }> {
  const name = o.name ?? parse(o.model).name;
  const card = join(o.outDir, `${name}.md`);
  if (!existsSync(card)) throw new Error(`no model card ${card} to refresh; write it with --run first`);
  const markdown = refreshMeasuredSections(readFileSync(card, 'utf8'), {
    golden: readGolden(join(o.outDir, GOLDEN_FILE))?.models[o.goldenKey ?? name],
    quality: manifestQuality(o.outDir, basename(o.model)),
  });
  await writeAtomic(card, new TextEncoder().encode(markdown));
  return { card };
}

export async function writeModelCard(o: ModelCardOptions): Promise<{ card: string; plots: string[] }> {
  const name = o.name ?? parse(o.model).name;
  const loaded = await loadModelFile(o.model);
  const params = countParams(loaded.generator.params);
  const luma = isLumaGenerator(loaded.generator);
  disposeParams(loaded.generator.params);
  const plots: string[] = [];
  if (o.run) {
    const sources = runPlots(o.run);
    if (sources.length > 0) await mkdir(join(o.outDir, `${name}-plots`), { recursive: true });
    for (const src of sources) {
      const rel = `${name}-plots/${basename(src)}`;
      await copyFile(src, join(o.outDir, rel));
      plots.push(rel);
    }
  }
  const markdown = renderModelCard({
    name,
    file: basename(o.model),
    sha256: loaded.sha256,
    params,
    luma,
    dtypes: loaded.dtypes,
    metadata: loaded.metadata,
    run: o.run ? readRunFacts(o.run) : undefined,
    golden: readGolden(join(o.outDir, GOLDEN_FILE))?.models[o.goldenKey ?? name],
    quality: manifestQuality(o.outDir, basename(o.model)),
    plots,
  });
  const card = join(o.outDir, `${name}.md`);
  await writeAtomic(card, new TextEncoder().encode(markdown));
  return { card, plots };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, run: { type: 'string' }, name: { type: 'string' }, 'golden-key': { type: 'string' }, out: { type: 'string' }, refresh: { type: 'boolean' } },
  });
  if (!values.model || (values.refresh && values.run)) {
    console.error('usage: model-card --model FILE [--run RUN_DIR | --refresh] [--name NAME] [--golden-key KEY] [--out MODELS_DIR]');
    process.exit(2);
  }
  const options = { model: values.model, name: values.name, goldenKey: values['golden-key'], outDir: values.out ?? modelsDir() };
  try {
    if (values.refresh) {
      console.log(`refreshed ${(await refreshModelCard(options)).card}`);
    } else {
      await initBackend({ prefer: 'wasm', log: null });
      const r = await writeModelCard({ ...options, run: values.run });
      console.log(`wrote ${r.card}${r.plots.length ? ` and ${r.plots.length} plots` : values.run ? ` (no plots: run \`npx sr plot ${values.run}\` first)` : ''}`);
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
