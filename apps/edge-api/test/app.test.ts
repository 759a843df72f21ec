/** Every endpoint and every documented error through `app.request` (no server), Node runtime deps. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createNodeApp } from '../src/node.ts';
import { decodeRgb, makeModelsDir, testImage, type ModelsDir } from './fixtures.ts';
import { BAD_ALPHAS, BAD_QUERIES, bodyErrorCases, expectError, maxAbsDiff } from './cases.ts';

let models: ModelsDir;
let app: OpenAPIHono;
let png: Uint8Array<ArrayBuffer>;

const post = (a: OpenAPIHono, path: string, body: BodyInit | null, type = 'image/png', headers: Record<string, string> = {}) =>
  a.request(path, { method: 'POST', body, headers: type ? { 'content-type': type, ...headers } : headers });

beforeAll(async () => {
  models = await makeModelsDir();
  app = createNodeApp({ modelsDir: models.dir, env: { MAX_BODY_BYTES: String(2 * 1024 * 1024), MAX_INPUT_PIXELS: String(200 * 200) } });
  png = await testImage(24, 20);
});
afterAll(() => rm(models.dir, { recursive: true, force: true }));

describe('POST /v1/upscale', () => {
  it('returns the x4 image with the SR headers', async () => {
    const res = await post(app, '/v1/upscale', png);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-sr-model')).toBe('tiny-x4');
    expect(res.headers.get('x-sr-scale')).toBe('4');
    expect(res.headers.get('x-sr-alpha')).toBe('0.5');
    expect(Number(res.headers.get('x-sr-tiles'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('x-sr-consistency-psnr'))).toBeGreaterThan(10);
    expect(Number(res.headers.get('x-sr-consistency-ssim'))).toBeGreaterThan(0);
    expect(res.headers.get('server-timing')).toMatch(/infer;dur=[\d.]+/);
    const out = await decodeRgb(new Uint8Array(await res.arrayBuffer()));
    expect([out.width, out.height]).toEqual([96, 80]);
  });

  it('accepts multipart, jpeg and webp in, and encodes each output format', async () => {
    const form = new FormData();
    form.set('image', new Blob([png as BlobPart], { type: 'image/png' }), 'a.png');
    const multi = await app.request('/v1/upscale?model=tiny-rrdb-x2', { method: 'POST', body: form });
    expect(multi.status).toBe(200);
    expect(multi.headers.get('x-sr-scale')).toBe('2');
    expect(multi.headers.get('x-sr-alpha')).toBe('none');
    expect((await decodeRgb(new Uint8Array(await multi.arrayBuffer()))).width).toBe(48);
    for (const format of ['jpeg', 'webp'] as const) {
      const res = await post(app, `/v1/upscale?format=${format}&quality=80`, await testImage(24, 20, format), `image/${format}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(`image/${format}`);
      expect((await decodeRgb(new Uint8Array(await res.arrayBuffer()))).width).toBe(96);
    }
  });

  it('gives different outputs along α and the same bytes for the same α', async () => {
    const at = async (alpha: string) => new Uint8Array(await (await post(app, `/v1/upscale?alpha=${alpha}`, png)).arrayBuffer());
    const [a0, a1, a05, a05again] = [await at('0'), await at('1'), await at('0.5'), await at('0.5')];
    expect(Buffer.from(a05).equals(Buffer.from(a05again))).toBe(true);
    expect(Buffer.from(a0).equals(Buffer.from(a1))).toBe(false);
    expect(Buffer.from(a0).equals(Buffer.from(a05))).toBe(false);
  });

  it('tiled and untiled agree within one grey level', async () => {
    const img = await testImage(40, 36);
    // A streamed body holds the inference slot until it is read, so each one is read before the next request.
    const untiled = await post(app, '/v1/upscale?tile=0', img);
    const a = await decodeRgb(new Uint8Array(await untiled.arrayBuffer()));
    const tiled = await post(app, '/v1/upscale?tile=16', img);
    const b = await decodeRgb(new Uint8Array(await tiled.arrayBuffer()));
    expect(untiled.headers.get('x-sr-tiles')).toBe('1');
    expect(Number(tiled.headers.get('x-sr-tiles'))).toBe(9);
    expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1);
  });

  it('runs a small image as one window by default, even over MAX_TILE, which bounds only a named tile', async () => {
    const small = createNodeApp({ modelsDir: models.dir, env: { MAX_TILE: '32', DEFAULT_TILE: '32' } });
    const img = await testImage(40, 36);
    const res = await post(small, '/v1/upscale', img);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sr-tiles')).toBe('1');
    await res.arrayBuffer();
    expect((await post(small, '/v1/upscale?tile=40', img)).status).toBe(422);
  });

  it('ensemble=8: reported in X-SR-Ensemble, differs from plain, tiled == untiled within 1 (streamed and buffered paths)', async () => {
    const img = await testImage(40, 36);
    const read = async (query: string) => {
      const res = await post(app, `/v1/upscale?${query}`, img);
      expect(res.status).toBe(200);
      return { ensemble: res.headers.get('x-sr-ensemble'), image: await decodeRgb(new Uint8Array(await res.arrayBuffer())) };
    };
    const [plain, untiled, tiled] = [await read('tile=0'), await read('tile=0&ensemble=8'), await read('tile=16&ensemble=8')];
    expect([plain.ensemble, untiled.ensemble, tiled.ensemble]).toEqual(['1', '8', '8']);
    expect(maxAbsDiff(untiled.image.data, tiled.image.data)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(untiled.image.data, plain.image.data)).toBeGreaterThan(1);
    const webp = await read('tile=16&ensemble=8&format=webp');
    expect([webp.image.width, webp.ensemble]).toEqual([160, '8']);
  });

  it.each(bodyErrorCases(3 * 1024 * 1024))('refuses $what with $status $code', async ({ body, type, status, code }) => {
    await expectError(await post(app, '/v1/upscale', await body(), type), status, code);
  });

  it('refuses a multipart body without an image field', async () => {
    const form = new FormData();
    form.set('file', 'x');
    await expectError(await app.request('/v1/upscale', { method: 'POST', body: form }), 400, 'bad_request');
  });

  it.each(BAD_ALPHAS)('refuses alpha=%j with 422', async (alpha) => {
    await expectError(await post(app, `/v1/upscale?alpha=${encodeURIComponent(alpha)}`, png), 422, 'invalid_query');
  });

  it.each(BAD_QUERIES)('refuses %s with 422', async (q, code) => {
    await expectError(await post(app, `/v1/upscale?${q}`, png), 422, code);
  });

  it('answers 503 for a model that failed its self-check', async () => {
    await expectError(await post(app, `/v1/upscale?model=${models.broken}`, png), 503, 'model_unhealthy');
  });
});

describe('POST /v1/evaluate', () => {
  it('scores model and bicubic on the Y channel with the scale cropped', async () => {
    const res = await post(app, '/v1/evaluate?model=tiny-rrdb-x2', await testImage(50, 41));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ model: 'tiny-rrdb-x2', scale: 2, yChannel: true, crop: 2, hr: { width: 50, height: 40 }, alpha: null });
    expect(body.bicubic.psnr).toBeGreaterThan(25);
    expect(body.psnr).toBeGreaterThan(0);
    expect(body.ssim).toBeLessThanOrEqual(1);
    expect(body.ensemble).toBe(1);
  });

  it('ensemble=8 scores the ensemble output and says so', async () => {
    const img = await testImage(50, 41);
    const [plain, ens] = await Promise.all(['', '&ensemble=8'].map(async (q) => (await post(app, `/v1/evaluate?tile=0${q}`, img)).json()));
    expect(ens.ensemble).toBe(8);
    expect(ens.psnr).not.toBe(plain.psnr);
    expect(ens.bicubic).toEqual(plain.bicubic);
    await expectError(await post(app, '/v1/evaluate?ensemble=4', img), 422, 'invalid_query');
  });

  it('refuses an HR image too small to score', async () => {
    await expectError(await post(app, '/v1/evaluate', await testImage(16, 16)), 422, 'invalid_image');
  });
});

describe('GET endpoints', () => {
  it('/v1/models lists the manifest', async () => {
    const res = await app.request('/v1/models');
    expect(res.status).toBe(200);
    const { models: list } = await res.json();
    const tiny = list.find((m: { name: string }) => m.name === 'tiny-x4');
    expect(tiny).toMatchObject({ default: true, architecture: 'SRVGGNetCompact', scale: 4, alphaSupported: true, defaultAlpha: 0.5 });
    expect(tiny.parameters).toBeGreaterThan(1000);
    expect(tiny.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(list.find((m: { name: string }) => m.name === 'tiny-rrdb-x2').quality[0]).toMatchObject({ dataset: 'random' });
  });

  it('/healthz reports the broken model and 503', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.status).toBe('degraded');
    expect(body.models[models.broken]).toMatchObject({ state: 'unhealthy' });
    expect(body.models[models.broken].error).toMatch(/sha256/);
    for (const name of models.healthy) expect(body.models[name].state).toBe('ok');
    expect(body.backend).toMatch(/^wasm \(simd/);
  });

  it('SR_BACKEND chooses the backend and a bad value is refused at start', () => {
    expect(() => createNodeApp({ modelsDir: models.dir, env: { SR_BACKEND: 'metal' } })).toThrow(/SR_BACKEND must be one of auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('/openapi.json documents every route', async () => {
    const doc = await (await app.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/v1/evaluate', '/v1/models', '/v1/upscale']);
    expect(doc.paths['/v1/upscale'].post.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['alpha', 'ensemble', 'format', 'model', 'quality', 'tile']);
    const ensemble = doc.paths['/v1/upscale'].post.parameters.find((p: { name: string }) => p.name === 'ensemble');
    expect(ensemble.schema).toMatchObject({ type: 'integer', enum: [1, 8] });
    expect(doc.paths['/v1/upscale'].post.responses['200'].headers['X-SR-Ensemble'].schema).toEqual({ type: 'integer' });
  });

  it('/ serves the demo page and /models/* is hidden', async () => {
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Super-resolution demo');
    expect((await app.request('/demo.js')).status).toBe(200);
    expect((await app.request('/models/README.md')).status).toBe(404);
    await expectError(await app.request('/nope'), 404, 'not_found');
  });
});

describe('configuration', () => {
  it('requires the bearer token when API_TOKEN is set', async () => {
    const secured = createNodeApp({ modelsDir: models.dir, env: { API_TOKEN: 's3cret' } });
    await expectError(await secured.request('/v1/models'), 401, 'unauthorized');
    await expectError(await secured.request('/v1/models', { headers: { authorization: 'Bearer wrong' } }), 401, 'unauthorized');
    expect((await secured.request('/v1/models', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await secured.request('/healthz')).status).toBe(503); // health stays public
  });

  it('sends CORS headers for the configured origin', async () => {
    const open = createNodeApp({ modelsDir: models.dir, env: { CORS_ORIGIN: 'https://example.test' } });
    const res = await open.request('/v1/models', { headers: { origin: 'https://example.test' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://example.test');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-SR-Consistency-PSNR');
  });

  it('answers 503 with Retry-After when the queue is full', async () => {
    const tight = createNodeApp({ modelsDir: models.dir, env: { CONCURRENCY: '1', MAX_QUEUE: '0' } });
    const img = await testImage(64, 64);
    const results = await Promise.all([1, 2, 3].map(() => post(tight, '/v1/upscale?tile=0', img)));
    await Promise.all(results.filter((r) => r.status === 200).map((r) => r.arrayBuffer()));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    const refused = results.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].headers.get('retry-after')).toBe('2');
    await expectError(refused[0], 503, 'queue_full');
  });

  it('reports a missing manifest as 503', async () => {
    const empty = createNodeApp({ modelsDir: '/nonexistent-models-dir', env: {} });
    await expectError(await empty.request('/v1/models'), 503, 'model_unhealthy');
  });
});
