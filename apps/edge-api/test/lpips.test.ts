/**
 * /v1/evaluate with LPIPS weights configured (Node deps, `app.request`): random AlexNet LPIPS weights split like the
 * official files (lin layers + torchvision features) in temp safetensors, checked against the library's LPIPS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { cropImage, makeSrPair, upscaleBicubic, type ImageU8 } from '@sr/metrics';
import { lpipsDistance, lpipsParamsFromStateDicts, type ParamMap } from '@sr/model';
import { createNodeApp } from '../src/node.ts';
import { expectError } from './cases.ts';
import sharp from 'sharp';
import { decodeRgb, makeModelsDir, randomLpipsStateDict, testImage, testPixels, writeLpipsWeights, type ModelsDir } from './fixtures.ts';

let models: ModelsDir;
let weightsDir: string;
let lins: string;
let backbone: string;
let params: ParamMap;

const evaluate = (app: OpenAPIHono, query: string, body: Uint8Array<ArrayBuffer>) =>
  app.request(`/v1/evaluate?${query}`, { method: 'POST', body, headers: { 'content-type': 'image/png' } });

const lpipsApp = (env: Record<string, string> = {}) =>
  createNodeApp({ modelsDir: models.dir, env: { LPIPS_WEIGHTS: lins, LPIPS_BACKBONE: backbone, LPIPS_MAX_SIDE: '40', ...env } });

async function libraryLpips(a: ImageU8, b: ImageU8, r: { x: number; y: number; width: number; height: number }): Promise<number> {
  const t = (img: ImageU8) => {
    const c = cropImage(img, r.x, r.y, r.width, r.height);
    return tf.tensor4d(Float32Array.from(c.data, (v) => v / 255), [1, c.height, c.width, 3]);
  };
  const [x0, x1] = [t(a), t(b)];
  const d = lpipsDistance(params, 'alex', x0, x1);
  const [value] = await d.data();
  tf.dispose([x0, x1, d]);
  return value;
}

beforeAll(async () => {
  models = await makeModelsDir(false);
  weightsDir = await mkdtemp(join(tmpdir(), 'sr-edge-lpips-'));
  ({ lins, backbone } = await writeLpipsWeights(weightsDir));
  params = lpipsParamsFromStateDicts('alex', randomLpipsStateDict());
});
afterAll(async () => {
  tf.dispose(Object.values(params ?? {}));
  await rm(models.dir, { recursive: true, force: true });
  await rm(weightsDir, { recursive: true, force: true });
});

describe('/v1/evaluate with LPIPS_WEIGHTS', () => {
  it('reports the library LPIPS of model and bicubic output on the centred window', async () => {
    const [w, h] = [61, 52];
    const app = lpipsApp();
    const res = await evaluate(app, 'model=tiny-rrdb-x2&tile=0', await testImage(w, h));
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/lpips;dur=[\d.]+/);
    const body = await res.json();
    // HR 60x52 after the mod-crop, 2 border pixels off each side → 56x48, centred 40x40 window.
    const region = { x: 10, y: 6, width: 40, height: 40 };
    expect(body.lpipsInfo).toEqual({ net: 'alex', region });

    const { hr, lr } = makeSrPair({ width: w, height: h, channels: 3, data: testPixels(w, h) }, 2);
    const lrPng = await testImageFrom(lr);
    const up = await app.request('/v1/upscale?model=tiny-rrdb-x2&tile=0', { method: 'POST', body: lrPng, headers: { 'content-type': 'image/png' } });
    const sr = { ...(await decodeRgb(new Uint8Array(await up.arrayBuffer()))), channels: 3 } as ImageU8;
    const expectedModel = await libraryLpips(sr, hr, region);
    const expectedBicubic = await libraryLpips(upscaleBicubic(lr, 2), hr, region);
    expect(expectedModel).toBeGreaterThan(1e-3); // random weights still tell the images apart
    expect(Math.abs(body.lpips - expectedModel)).toBeLessThan(1e-5);
    expect(Math.abs(body.bicubic.lpips - expectedBicubic)).toBeLessThan(1e-5);
    expect(body.lpips).not.toBeCloseTo(body.bicubic.lpips, 4);
    expect(body.psnr).toBeGreaterThan(0);
  });

  it('is null with the reason when the window is smaller than AlexNet needs', async () => {
    const body = await (await evaluate(lpipsApp(), 'model=tiny-rrdb-x2', await testImage(32, 32))).json();
    expect(body.lpips).toBeNull();
    expect(body.bicubic.lpips).toBeNull();
    expect(body.lpipsInfo.skipped).toMatch(/LPIPS \(alex\) needs at least 31x31 pixels after cropping 2 border pixels, got 28x28/);
    expect(body.psnr).toBeGreaterThan(0);
  });

  it('answers 503 when the configured weights do not load, and start-up refuses bad LPIPS settings', async () => {
    const missing = createNodeApp({ modelsDir: models.dir, env: { LPIPS_WEIGHTS: join(weightsDir, 'none.safetensors') } });
    await expectError(await evaluate(missing, 'model=tiny-rrdb-x2', await testImage(61, 52)), 503, 'model_unhealthy');
    const noBackbone = createNodeApp({ modelsDir: models.dir, env: { LPIPS_WEIGHTS: lins } });
    const res = await evaluate(noBackbone, 'model=tiny-rrdb-x2', await testImage(61, 52));
    await expectError(res, 503, 'model_unhealthy');
    expect(() => lpipsApp({ LPIPS_NET: 'squeeze' })).toThrow(/LPIPS_NET must be one of alex, vgg, got 'squeeze'/);
    expect(() => createNodeApp({ modelsDir: models.dir, env: { LPIPS_BACKBONE: backbone } })).toThrow(/LPIPS_BACKBONE set without LPIPS_WEIGHTS/);
    expect(() => lpipsApp({ LPIPS_MAX_SIDE: '0' })).toThrow(/LPIPS_MAX_SIDE/);
  });

  it('leaves the LPIPS fields out when no weights are configured', async () => {
    const plain = createNodeApp({ modelsDir: models.dir, env: {} });
    const body = await (await evaluate(plain, 'model=tiny-rrdb-x2', await testImage(61, 52))).json();
    expect(body.psnr).toBeGreaterThan(0);
    expect(body).not.toHaveProperty('lpips');
    expect(body).not.toHaveProperty('lpipsInfo');
    expect(body.bicubic).not.toHaveProperty('lpips');
  });

  it('documents the LPIPS fields in the OpenAPI schema', async () => {
    const doc = await (await lpipsApp().request('/openapi.json')).json();
    const result = doc.components.schemas.EvaluateResult.properties;
    expect(result.lpips.description).toMatch(/only when the deployment configures LPIPS weights/);
    expect(Object.keys(doc.components.schemas.LpipsInfo.properties).sort()).toEqual(['net', 'region', 'skipped']);
  });
});

async function testImageFrom(img: ImageU8): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer());
}
