/**
 * The hostile corpus, generated here, against both runtimes started once each: real workerd (wrangler dev) and the
 * Node server over real HTTP, both on 127.0.0.1 with the same models and limits. PNG kinds must give the same bytes in
 * both runtimes and the same bytes as the documented RGB version of the image; bombs, broken CRCs, CMYK, tiny or
 * costly requests are refused with the documented 4xx; a disconnected client's job stops; no case is ever a 5xx.
 */
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeApp } from '../src/node.ts';
import { startWorker, type RunningWorker } from '../scripts/workerd-dev.ts';
import { expectError } from './cases.ts';
import { makeModelsDir, testImage, type ModelsDir } from './fixtures.ts';
import { decodePng } from '../src/codecs/png/decode.ts';
import { CMYK_MESSAGE } from '../src/codecs/sniff.ts';
import { STALL_MS } from '../src/png-stream.ts';
import type { PixelImage } from '@sr/model';
import { checkKindOutput, imageKindCases } from '../../../libs/model/test/image-kind-cases.ts';
import { badCrc, fullInflateMs, inflateBomb, median, pngKindCases } from './png-corpus.ts';

/** tiny-x4 (9.6 kFLOP/px): 1024² at tile 128 ≈ 11.4 GFLOP passes, at tile 16 ≈ 22.8 is refused; tiny-rrdb-x2 on 65535x16 ≈ 29 is refused. */
const VARS = { MAX_WORK_GFLOP: '12', CORS_ORIGIN: 'https://example.test', DEFAULT_TILE: '128' };

let models: ModelsDir;
let worker: RunningWorker;
let server: ServerType;
const urls: Record<'workerd' | 'node', string> = { workerd: '', node: '' };
const RUNTIMES = ['workerd', 'node'] as const;

const post = (runtime: keyof typeof urls, path: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'image/png' }, signal?: AbortSignal) =>
  fetch(`${urls[runtime]}${path}`, { method: 'POST', body, headers, signal: signal ?? AbortSignal.timeout(60_000) });

async function ok(res: Response): Promise<Buffer> {
  const body = Buffer.from(await res.arrayBuffer());
  expect(res.status, body.toString('utf8', 0, 300)).toBe(200);
  return body;
}

/** An output as PixelImage: PNG through our decoder, JPEG/WebP through sharp (8-bit, their own channel count). */
async function pixelImageOf(bytes: Uint8Array, format: string): Promise<PixelImage> {
  if (format === 'png') return decodePng(bytes) as PixelImage;
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 3 | 4, bitDepth: 8, data: new Uint8Array(data) };
}

const rgbPng = async (data: Uint8Array, width: number, height: number) =>
  new Uint8Array(await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer());

beforeAll(async () => {
  models = await makeModelsDir(false, true);
  const app = createNodeApp({ modelsDir: models.dir, env: VARS });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  urls.node = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  worker = await startWorker(models.dir, VARS);
  urls.workerd = worker.url;
}, 180_000);

afterAll(async () => {
  server?.close();
  await worker?.stop();
  await rm(models.dir, { recursive: true, force: true });
});

describe('PNG colour types and bit depths', () => {
  it.each(pngKindCases())('$name: same bytes in both runtimes, same kind out; 8-bit RGB ones as their documented RGB', async ({ bytes, expected, width, height }) => {
    const outs = [];
    for (const runtime of RUNTIMES) outs.push(await ok(await post(runtime, '/v1/upscale', bytes)));
    expect(outs[0].equals(outs[1]), 'workerd and Node bytes').toBe(true);
    const input = decodePng(bytes);
    const out = decodePng(outs[0]);
    expect([out.width, out.height, out.channels, out.bitDepth]).toEqual([width * 4, height * 4, input.channels, input.bitDepth]);
    if (input.channels === 3 && input.bitDepth === 8) {
      const reference = await ok(await post('node', '/v1/upscale', await rgbPng(expected, width, height)));
      expect(outs[0].equals(reference), 'same as the RGB version').toBe(true);
    }
  });
});

describe('image kinds (shared cases): same size, channels and bit depth, alpha and orientation kept', async () => {
  const cases = await imageKindCases();
  it.each(cases.filter((k) => !k.cmyk))('$name', async (k) => {
    const outs = [];
    for (const runtime of RUNTIMES) {
      const res = await post(runtime, `/v1/upscale?model=edge-x4&format=${k.format}`, k.bytes as Uint8Array<ArrayBuffer>, { 'content-type': k.mime });
      const bytes = await ok(res);
      expect((await sharp(bytes).metadata()).orientation, `${runtime}: no orientation tag`).toBeUndefined();
      const out = await pixelImageOf(bytes, k.format);
      expect(checkKindOutput(k, 4, out), runtime).toEqual([]);
      outs.push(bytes);
    }
    if (k.format === 'png') expect(outs[0].equals(outs[1]), 'workerd and Node bytes').toBe(true);
  });
  it.each(cases.filter((k) => k.cmyk))('$name: 415 in both', async (k) => {
    for (const runtime of RUNTIMES) {
      const res = await post(runtime, '/v1/upscale?model=edge-x4', k.bytes as Uint8Array<ArrayBuffer>, { 'content-type': k.mime });
      const text = await res.clone().text();
      await expectError(res, 415, 'unsupported_media_type');
      expect(text).toContain(CMYK_MESSAGE);
    }
  });
});

describe.each(RUNTIMES)('%s: refusals', (runtime) => {
  it('a 1x1 PNG whose IDAT inflates to 64 MiB: 400 in under half the time of inflating it, no memory growth', async () => {
    const bomb = inflateBomb(64 * 1024 * 1024);
    await expectError(await post(runtime, '/v1/upscale', bomb), 400, 'undecodable'); // warm
    const before = runtime === 'workerd' ? worker.memory().rss : process.memoryUsage().rss;
    const refusals: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await post(runtime, '/v1/upscale', bomb);
      refusals.push(performance.now() - t0);
      await expectError(res, 400, 'undecodable');
    }
    const after = runtime === 'workerd' ? worker.memory().rss : process.memoryUsage().rss;
    expect(after - before).toBeLessThan(32 * 1024 * 1024);
    const inflates = refusals.map(() => fullInflateMs(bomb)); // after the memory reading: it allocates the 64 MiB here
    expect(median(refusals), `refusals ${refusals.map(Math.round)} ms, full inflates ${inflates.map(Math.round)} ms`).toBeLessThan(median(inflates) / 2);
  });

  it('CRC errors in IHDR and IDAT: 400', async () => {
    await expectError(await post(runtime, '/v1/upscale', badCrc('IHDR')), 400, 'undecodable');
    await expectError(await post(runtime, '/v1/upscale', badCrc('IDAT')), 400, 'undecodable');
  });

  it('a CMYK JPEG: 415', async () => {
    const px = new Uint8Array(16 * 16 * 3).fill(120);
    const cmyk = await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer();
    await expectError(await post(runtime, '/v1/upscale', new Uint8Array(cmyk), { 'content-type': 'image/jpeg' }), 415, 'unsupported_media_type');
  });

  it('/v1/evaluate on 19x19: 422 invalid_image', async () => {
    await expectError(await post(runtime, '/v1/evaluate', await testImage(19, 19)), 422, 'invalid_image');
  });

  it('tiles under the minimum: 422; too much work (tiny tiles, extreme aspect): 422 with the numbers; cheap extreme aspect: 200', async () => {
    const big = await testImage(1024, 1024);
    await expectError(await post(runtime, '/v1/upscale?tile=8', big), 422, 'invalid_query');
    const tiny = await post(runtime, '/v1/upscale?tile=16', big);
    expect(await tiny.clone().text()).toMatch(/GFLOP/);
    await expectError(tiny, 422, 'too_much_work');
    const strip = await testImage(65535, 16);
    await expectError(await post(runtime, '/v1/upscale?model=tiny-rrdb-x2', strip), 422, 'too_much_work');
    const line = await ok(await post(runtime, '/v1/upscale', await testImage(65535, 1)));
    expect((await sharp(line).metadata()).width).toBe(65535 * 4);
  });

  it('ensemble=8 is counted 8x by MAX_WORK_GFLOP: exactly 8x the pixels of the plain estimate; 1024² at tile 128 refused (11.4 GFLOP plain is allowed); ensemble=3 is 422', async () => {
    const big = await testImage(1024, 1024);
    const pixels = async (res: Response) => {
      const text = await res.clone().text();
      await expectError(res, 422, 'too_much_work');
      return Number(/= (\d+) LR pixels/.exec(text)![1]);
    };
    const plain = await pixels(await post(runtime, '/v1/upscale?tile=16', big));
    expect(await pixels(await post(runtime, '/v1/upscale?tile=16&ensemble=8', big))).toBe(8 * plain);
    // tile 128: ≈ 11.4 GFLOP plain (run above in the disconnect case), ≈ 91 with the ensemble.
    const refused = await post(runtime, '/v1/upscale?tile=128&ensemble=8', big);
    expect(await refused.clone().text()).toMatch(/× 8 ensemble passes .*use ensemble=1/);
    await expectError(refused, 422, 'too_much_work');
    await expectError(await post(runtime, '/v1/upscale?ensemble=3', big), 422, 'invalid_query');
  });

  it('a multipart part without Content-Type is sniffed: 200', async () => {
    const png = await testImage(20, 16);
    const boundary = 'sr-corpus-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head), png, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    await ok(await post(runtime, '/v1/upscale', body, { 'content-type': `multipart/form-data; boundary=${boundary}` }));
  });

  it('the CORS preflight lists only real methods', async () => {
    const res = await fetch(`${urls[runtime]}/v1/upscale`, {
      method: 'OPTIONS',
      headers: { origin: 'https://example.test', 'access-control-request-method': 'POST' },
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD,POST,OPTIONS');
  });

  it('a client that disconnects mid-body does not hold up the next request (workerd: within the stall timeout)', async () => {
    const big = await testImage(1024, 1024);
    const small = await testImage(32, 24);
    const t1 = performance.now();
    await ok(await post(runtime, '/v1/upscale', small));
    const alone = performance.now() - t1;
    const abort = new AbortController();
    const res = await post(runtime, '/v1/upscale', big, undefined, abort.signal);
    await res.body!.getReader().read();
    abort.abort();
    const t0 = performance.now();
    await ok(await post(runtime, '/v1/upscale', small));
    const next = performance.now() - t0;
    // The whole 1024² job takes seconds; Node cancels it at the next tile. Under wrangler dev the worker is not told
    // (see STALL_MS), so the job stops once its body has not been read for STALL_MS.
    const bound = runtime === 'node' ? alone + 800 : STALL_MS + alone + 3000;
    expect(next, `next request ${next.toFixed(0)} ms (alone ${alone.toFixed(0)} ms)`).toBeLessThan(bound);
  }, 60_000);
});
