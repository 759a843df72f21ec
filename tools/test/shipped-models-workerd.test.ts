/**
 * What `npm start` serves: the shipped models folder in real workerd (wrangler dev on 127.0.0.1). Every model passes
 * its self-check; each model's (and GAN partner's, through α = 1) output for the regression suite's probe input has
 * the same sha256 in workerd as in Node (wasm, one thread: what `sr regress` measures with) and as pinned in
 * golden-metrics.json; and the default model's mean PSNR/SSIM-Y over the golden urban100-val
 * LR images, upscaled over HTTP (at α = 0, and at α = 0.5 when it has a GAN partner), equals the quality its manifest
 * entry (and model card) states.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, downscaleBicubic, makeSrPair, meanScores, type ImageU8 } from '@sr/metrics';
import { parseManifest, type Manifest } from '../../apps/edge-api/src/models/manifest.ts';
import { startWorker, type RunningWorker } from '../../apps/edge-api/scripts/workerd-dev.ts';
import { disposeParams, loadModelFile, Upscaler } from '@sr/model';
import { probeOutputSha256 } from '../../apps/trainer/src/regress/evaluate.ts';
import { readGolden } from '../../apps/trainer/src/regress/golden.ts';
import { measuringBackend } from '../../apps/trainer/src/regress/measure.ts';
import { syntheticEvalSet } from '../../apps/trainer/src/regress/synthetic-set.ts';
import { DEFAULT_URBAN_DIR, GOLDEN_FILE, modelsDir } from '../metrics-regression/shipped-models.ts';

const MODELS = modelsDir();
const MANIFEST = join(MODELS, 'manifest.json');
const GOLDEN_LR = join(DEFAULT_URBAN_DIR, '../../golden/lr-x4');
const shipped = existsSync(MANIFEST);
if (!shipped) console.warn(`shipped-models workerd test skipped: no ${MANIFEST}`);

let worker: RunningWorker;
let manifest: Manifest;

const pngOf = async (img: ImageU8) =>
  new Uint8Array(await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer());

async function rgbOf(bytes: Uint8Array): Promise<ImageU8> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

async function upscale(image: ImageU8 | Uint8Array<ArrayBuffer>, query: string): Promise<ImageU8> {
  const body = image instanceof Uint8Array ? image : await pngOf(image);
  const res = await fetch(`${worker.url}/v1/upscale?format=png&${query}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'image/png' },
    signal: AbortSignal.timeout(120_000),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return rgbOf(new Uint8Array(await res.arrayBuffer()));
}

const sha256 = (img: ImageU8) => createHash('sha256').update(img.data).digest('hex');

/** The probe output's sha256 in this Node process, on the backend `sr regress` measures with (wasm, one thread). */
async function nodeProbeSha256(file: string): Promise<string> {
  await measuringBackend();
  const g = (await loadModelFile(join(MODELS, file))).generator;
  try {
    return await probeOutputSha256(Upscaler.forGenerator(g), g.scale);
  } finally {
    disposeParams(g.params);
  }
}

describe.skipIf(!shipped)('the shipped models in workerd', () => {
  beforeAll(async () => {
    manifest = parseManifest(JSON.parse(readFileSync(MANIFEST, 'utf8')));
    worker = await startWorker(MODELS);
  }, 180_000);
  afterAll(async () => worker?.stop());

  it('every model passes its self-check', async () => {
    const res = await fetch(`${worker.url}/healthz`, { signal: AbortSignal.timeout(120_000) });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    for (const m of manifest.models) expect(body.models[m.name].state).toBe('ok');
  }, 120_000);

  it('the probe output of every model and GAN partner has the same sha256 in workerd as in Node, the one golden-metrics.json pins', async () => {
    const golden = readGolden(join(MODELS, GOLDEN_FILE));
    expect(golden, `${GOLDEN_FILE} next to the models`).toBeDefined();
    for (const m of manifest.models) {
      const probe = downscaleBicubic(syntheticEvalSet()[0].image, m.scale);
      const runs = [{ key: m.name, file: m.file, query: `model=${m.name}${m.gan ? '&alpha=0' : ''}` }];
      if (m.gan) runs.push({ key: `${m.name}/gan`, file: m.gan.file, query: `model=${m.name}&alpha=1` });
      for (const r of runs) {
        const workerd = sha256(await upscale(probe, r.query));
        expect(workerd, `${r.key}: workerd vs Node`).toBe(await nodeProbeSha256(r.file));
        expect(workerd, `${r.key}: workerd vs ${GOLDEN_FILE}`).toBe(golden!.models[r.key].outputSha256);
      }
    }
  }, 120_000);

  it.skipIf(!existsSync(GOLDEN_LR))('the default model scores its stated urban100-val quality over HTTP (α = 0, and 0.5 with a GAN partner)', async () => {
    const m = manifest.models.find((e) => e.default)!;
    const images = [];
    for (const file of readdirSync(GOLDEN_LR).filter((f) => f.endsWith('.png')).sort()) {
      const lrBytes = new Uint8Array(readFileSync(join(GOLDEN_LR, file)));
      const hr = await rgbOf(new Uint8Array(readFileSync(join(DEFAULT_URBAN_DIR, file.replace(`x${m.scale}.png`, '.png')))));
      images.push({ lrBytes, hr: makeSrPair(hr, m.scale, await rgbOf(lrBytes)).hr });
    }
    for (const alpha of m.gan ? [0, 0.5] : [0]) {
      const stated = m.quality.find((q) => q.dataset.startsWith('urban100-val') && (q.alpha ?? 0) === alpha);
      expect(stated, `${m.name}: a urban100-val quality entry at α = ${alpha}`).toBeDefined();
      const query = `model=${m.name}${m.gan ? `&alpha=${alpha}` : ''}`;
      const rows = [];
      for (const { lrBytes, hr } of images) rows.push(compare(await upscale(lrBytes, query), hr, { yChannel: true, cropBorder: m.scale }));
      const mean = meanScores(rows);
      expect(mean.psnr, `α = ${alpha}`).toBeCloseTo(stated!.psnrY, 3);
      expect(mean.ssim, `α = ${alpha}`).toBeCloseTo(stated!.ssimY, 4);
    }
  }, 600_000);
});
