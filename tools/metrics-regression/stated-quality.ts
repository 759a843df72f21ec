/**
 * Measures the quality a manifest entry states (`quality`, shown by GET /v1/models and the model cards) and writes it
 * into manifest.json: PSNR/SSIM-Y (crop = scale) of the entry's weights and of bicubic on a folder of HR images (LR by
 * MATLAB bicubic), at each α when the entry has a GAN partner (θ = (1−α)·θ_psnr + α·θ_gan, as the API mixes them).
 * Usage: npx tsx tools/metrics-regression/stated-quality.ts --name NAME --hr DIR --dataset LABEL [--alphas 0,0.5,1] [--models DIR]
 * (once per dataset: entries of other dataset labels are kept).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { upscaleBicubic, type ImageU8, type MetricOptions } from '@sr/metrics';
import { disposeParams, initBackend, interpolateGenerators, loadModelFile, Upscaler, type Generator } from '@sr/model';
import { evaluateFolder } from '../../apps/trainer/src/io/evaluate-folder.ts';
import { writeManifest } from '../../apps/edge-api/src/models/build-manifest.ts';
import { parseManifest, type ModelEntry } from '../../apps/edge-api/src/models/manifest.ts';
import { modelsDir } from './shipped-models.ts';

export interface StatedQualityOptions {
  dir: string;
  name: string;
  hrDir: string;
  dataset: string;
  /** Ignored without a GAN partner (the entry is then measured once, without α). */
  alphas: number[];
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

async function scores(upscale: (lr: ImageU8) => ImageU8 | Promise<ImageU8>, o: StatedQualityOptions, scale: number) {
  const metrics: MetricOptions = { yChannel: true, cropBorder: scale };
  const r = await evaluateFolder({ hrDir: o.hrDir, scale, metrics, upscale });
  return { psnrY: round(r.psnr, 4), ssimY: round(r.ssim, 4) };
}

/** Measures and writes the entry's `quality` on one dataset (replacing that dataset's entries); returns them. Needs an initialized backend. */
export async function writeStatedQuality(o: StatedQualityOptions): Promise<ModelEntry['quality']> {
  const manifest = parseManifest(JSON.parse(readFileSync(join(o.dir, 'manifest.json'), 'utf8')));
  const entry = manifest.models.find((m) => m.name === o.name);
  if (!entry) throw new Error(`manifest.json has no model '${o.name}'`);
  const psnr = (await loadModelFile(join(o.dir, entry.file))).generator;
  const gan = entry.gan ? (await loadModelFile(join(o.dir, entry.gan.file))).generator : undefined;
  try {
    const bicubic = await scores((lr) => upscaleBicubic(lr, entry.scale), o, entry.scale);
    const measure = async (g: Generator) => scores((lr) => Upscaler.forGenerator(g).upscale(lr), o, entry.scale);
    const quality: ModelEntry['quality'] = [];
    if (!gan) quality.push({ dataset: o.dataset, ...(await measure(psnr)), bicubic });
    for (const alpha of gan ? o.alphas : []) {
      const mixed = interpolateGenerators(psnr, gan!, alpha);
      quality.push({ dataset: o.dataset, alpha, ...(await measure(mixed)), bicubic });
      disposeParams(mixed.params);
    }
    // Entries of other datasets stay, so running once per validation set accumulates them.
    const kept = (entry.quality ?? []).filter((q) => q.dataset !== o.dataset);
    const models = manifest.models.map((m) => (m.name === o.name ? { ...m, quality: [...kept, ...quality] } : m));
    await writeManifest(o.dir, parseManifest({ ...manifest, models }));
    return quality;
  } finally {
    disposeParams(psnr.params);
    if (gan) disposeParams(gan.params);
  }
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, hr: { type: 'string' }, dataset: { type: 'string' }, alphas: { type: 'string', default: '0,0.2,0.5,0.8,1' }, models: { type: 'string' } },
  });
  const alphas = values.alphas!.split(',').map(Number);
  if (!values.name || !values.hr || !values.dataset || alphas.some((a) => !(a >= 0 && a <= 1))) {
    console.error('usage: stated-quality --name NAME --hr DIR --dataset LABEL [--alphas 0,0.2,0.5,0.8,1] [--models DIR]');
    process.exit(2);
  }
  await initBackend({ prefer: 'wasm', log: null });
  try {
    const quality = await writeStatedQuality({ dir: values.models ?? modelsDir(), name: values.name, hrDir: values.hr, dataset: values.dataset, alphas });
    for (const q of quality) console.log(JSON.stringify(q));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
