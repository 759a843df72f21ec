/**
 * End to end in real workerd (`wrangler dev` on 127.0.0.1), with API_TOKEN set so every request also
 * passes the bearer check; the demo page is driven in headless Chromium when /usr/bin/chromium exists.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeApp } from '../src/node.ts';
import { decodeRgb, makeModelsDir, testImage, writeLpipsWeights, type ModelsDir } from './fixtures.ts';
import { BAD_ALPHAS, BAD_QUERIES, bodyErrorCases, expectError, maxAbsDiff } from './cases.ts';
import { startWorker, type RunningWorker } from '../scripts/workerd-dev.ts';

const TOKEN = 'e2e-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const CHROMIUM = '/usr/bin/chromium';

let models: ModelsDir;
let worker: RunningWorker;
let png: Uint8Array<ArrayBuffer>;

const post = (path: string, body: BodyInit, type = 'image/png') =>
  fetch(`${worker.url}${path}`, { method: 'POST', body, headers: { 'content-type': type, ...AUTH }, signal: AbortSignal.timeout(60_000) });
const get = (path: string, headers: Record<string, string> = AUTH) => fetch(`${worker.url}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

beforeAll(async () => {
  models = await makeModelsDir();
  png = await testImage(32, 24);
  await writeLpipsWeights(models.dir); // served to the worker as static assets under models/
  worker = await startWorker(models.dir, { API_TOKEN: TOKEN, LPIPS_WEIGHTS: 'models/lpips-alex.safetensors', LPIPS_BACKBONE: 'models/alexnet.safetensors' });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await rm(models.dir, { recursive: true, force: true });
});

describe('workerd: metadata endpoints', () => {
  it('/healthz self-checks every model and reports the broken one', async () => {
    const res = await get('/healthz', {});
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.runtime).toBe('workerd');
    for (const name of models.healthy) expect(body.models[name].state).toBe('ok');
    expect(body.models[models.broken].state).toBe('unhealthy');
  });

  it('/v1/models and /openapi.json', async () => {
    const list = (await (await get('/v1/models')).json()).models;
    expect(list.map((m: { name: string }) => m.name)).toEqual(['tiny-x4', 'tiny-rrdb-x2', 'broken']);
    const doc = await (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toContain('/v1/upscale');
  });

  it('serves the demo page as a static asset and hides the weight files', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Super-resolution demo');
    expect((await get('/demo.js')).status).toBe(200);
    await expectError(await get('/models/manifest.json'), 404, 'not_found');
    await expectError(await get('/no/such/page'), 404, 'not_found');
  });

  it('requires the bearer token on /v1/*', async () => {
    await expectError(await get('/v1/models', {}), 401, 'unauthorized');
  });
});

describe('workerd: upscale', () => {
  it('PNG, JPEG and WebP in and out, raw and multipart', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const res = await post(`/v1/upscale?format=${format}`, await testImage(32, 24, format), `image/${format}`);
      expect(res.status, await res.clone().text().then((t) => t.slice(0, 200))).toBe(200);
      expect(res.headers.get('content-type')).toBe(`image/${format}`);
      expect(res.headers.get('x-sr-model')).toBe('tiny-x4');
      expect(Number(res.headers.get('x-sr-consistency-psnr'))).toBeGreaterThan(10);
      expect(res.headers.get('server-timing')).toMatch(/infer;dur=/);
      const out = await decodeRgb(await bytesOf(res));
      expect([out.width, out.height]).toEqual([128, 96]);
    }
    const form = new FormData();
    form.set('image', new Blob([png as BlobPart], { type: 'image/png' }), 'in.png');
    const res = await fetch(`${worker.url}/v1/upscale?model=tiny-rrdb-x2`, { method: 'POST', body: form, headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sr-scale')).toBe('2');
  });

  it('20 concurrent requests all succeed with identical bytes', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => post('/v1/upscale?alpha=0.3', png)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = await Promise.all(results.map(bytesOf));
    for (const b of bodies.slice(1)) expect(Buffer.from(b).equals(Buffer.from(bodies[0]))).toBe(true);
  });

  it('tiled and untiled agree within one grey level', async () => {
    const img = await testImage(40, 36);
    const untiled = await post('/v1/upscale?tile=0', img);
    const tiled = await post('/v1/upscale?tile=16', img);
    expect([untiled.headers.get('x-sr-tiles'), tiled.headers.get('x-sr-tiles')]).toEqual(['1', '9']);
    const [a, b] = [await decodeRgb(await bytesOf(untiled)), await decodeRgb(await bytesOf(tiled))];
    expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1);
  });

  it('ensemble=8: 200 with X-SR-Ensemble, the same bytes as the Node app, tiled == untiled within 1', async () => {
    const img = await testImage(40, 36);
    const node = createNodeApp({ modelsDir: models.dir, env: {} });
    const nodeRes = await node.request('/v1/upscale?tile=16&ensemble=8', { method: 'POST', body: img, headers: { 'content-type': 'image/png' } });
    const tiled = await post('/v1/upscale?tile=16&ensemble=8', img);
    expect([tiled.status, tiled.headers.get('x-sr-ensemble')]).toEqual([200, '8']);
    const bytes = await bytesOf(tiled);
    expect(Buffer.from(bytes).equals(Buffer.from(await bytesOf(nodeRes))), 'workerd and Node bytes').toBe(true);
    const untiled = await decodeRgb(await bytesOf(await post('/v1/upscale?tile=0&ensemble=8', img)));
    expect(maxAbsDiff(untiled.data, (await decodeRgb(bytes)).data)).toBeLessThanOrEqual(1);
  });

  it.each(bodyErrorCases(20 * 1024 * 1024))('refuses $what with $status $code', async ({ body, type, status, code }) => {
    await expectError(await post('/v1/upscale', (await body()) as BodyInit, type), status, code);
  });

  it.each(BAD_ALPHAS)('refuses alpha=%j with 422', async (alpha) => {
    await expectError(await post(`/v1/upscale?alpha=${encodeURIComponent(alpha)}`, png as BodyInit), 422, 'invalid_query');
  });

  it.each(BAD_QUERIES)('refuses %s with 422', async (q, code) => {
    await expectError(await post(`/v1/upscale?${q}`, png as BodyInit), 422, code);
  });

  it('answers 503 for the model that failed its self-check', async () => {
    await expectError(await post('/v1/upscale?model=broken', png as BodyInit), 503, 'model_unhealthy');
  });
});

describe('workerd: evaluate', () => {
  it('scores the model against bicubic', async () => {
    const res = await post('/v1/evaluate?model=tiny-rrdb-x2', (await testImage(48, 40)) as BodyInit);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ model: 'tiny-rrdb-x2', scale: 2, yChannel: true, crop: 2 });
    expect(body.bicubic.psnr).toBeGreaterThan(25);
  });

  it('reports the same LPIPS as the Node app (weights from static assets, AlexNet, whole cropped image)', async () => {
    const image = await testImage(61, 52);
    const query = '/v1/evaluate?model=tiny-rrdb-x2&tile=0';
    const fromWorkerd = await (await post(query, image as BodyInit)).json();
    const env = { LPIPS_WEIGHTS: join(models.dir, 'lpips-alex.safetensors'), LPIPS_BACKBONE: join(models.dir, 'alexnet.safetensors'), LPIPS_MAX_SIDE: '256' };
    const node = createNodeApp({ modelsDir: models.dir, env });
    const fromNode = await (await node.request(query, { method: 'POST', body: image, headers: { 'content-type': 'image/png' } })).json();
    expect(fromWorkerd.lpipsInfo).toEqual({ net: 'alex', region: { x: 2, y: 2, width: 56, height: 48 } });
    expect(Math.abs(fromWorkerd.lpips - fromNode.lpips)).toBeLessThan(1e-5);
    expect(Math.abs(fromWorkerd.bicubic.lpips - fromNode.bicubic.lpips)).toBeLessThan(1e-5);
  });
});

/**
 * The demo page, loaded in a new tab. A load that stalls (seen once, in a full CI run on 2 busy cores; the cause is not
 * known yet) is reported with the requests still pending and the worker's log, then tried once more in a fresh tab.
 */
async function openDemoPage(browser: Browser): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    const page = await browser.newPage();
    const pending = new Set<string>();
    page.on('request', (r) => pending.add(r.url()));
    page.on('requestfinished', (r) => pending.delete(r.url()));
    page.on('requestfailed', (r) => pending.delete(r.url()));
    try {
      await page.goto(worker.url, { timeout: 30_000 });
      return page;
    } catch (err) {
      if (attempt === 2) throw err;
      console.warn(`demo page load stalled (${(err as Error).message.split('\n')[0]}); pending: ${[...pending].join(', ') || 'none'}; worker log:\n${worker.logs()}`);
      await page.close();
    }
  }
}

describe.skipIf(!existsSync(CHROMIUM))('demo page in headless Chromium', () => {
  it('uploads an image and shows the result and its metrics', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      timeout: 30_000,
    });
    try {
      const page = await openDemoPage(browser);
      await page.fill('#token', TOKEN);
      await page.dispatchEvent('#token', 'change');
      await page.waitForSelector('#model option[value="tiny-x4"]', { state: 'attached', timeout: 20_000 });
      await page.setInputFiles('#file', { name: 'in.png', mimeType: 'image/png', buffer: Buffer.from(png) });
      await page.click('#upscale');
      await page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
      const psnr = await page.textContent('[data-metric="Consistency PSNR (dB)"]');
      expect(Number(psnr)).toBeGreaterThan(10);
      expect(await page.textContent('[data-metric="Model"]')).toBe('tiny-x4');
      const width = await page.$eval('#after', (img) => (img as HTMLImageElement).naturalWidth);
      expect(width).toBe(128);
      await page.click('#evaluate');
      await page.waitForSelector('[data-metric="PSNR-Y (dB)"]', { timeout: 60_000 });
      expect(Number(await page.textContent('[data-metric="Bicubic PSNR-Y (dB)"]'))).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
  });
});

if (!existsSync(CHROMIUM)) console.warn(`demo page test skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
