/** A luma-only default model (num_in_ch = num_out_ch = 1) through the Node app: manifest, self-check, every image kind, evaluate. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { compare, makeSrPair, type ImageU8 } from '@sr/metrics';
import { initBackend, loadModelFile, upscaleImage, Upscaler, type PixelImage } from '@sr/model';
import { createNodeApp } from '../src/node.ts';
import { buildManifest, writeManifest } from '../src/models/build-manifest.ts';
import { LUMA_SRVGG, SRVGG, testPixels, writeModel } from './fixtures.ts';

const [W, H] = [24, 20];
let dir: string;
let engine: Upscaler;
let app: ReturnType<typeof createNodeApp>;

const post = (path: string, body: Uint8Array<ArrayBuffer>) => app.request(path, { method: 'POST', body, headers: { 'content-type': 'image/png' } });

async function png(data: Uint8Array, channels: 1 | 3 | 4): Promise<Uint8Array<ArrayBuffer>> {
  const image = sharp(data, { raw: { width: W, height: H, channels } });
  return new Uint8Array(await (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer());
}

/** 8-bit PNG pixels with the channels its IHDR colour type says (sharp alone would hand gray back as RGB). */
async function decodePng(bytes: Uint8Array): Promise<PixelImage> {
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as const)[bytes[25] as 0 | 2 | 4 | 6];
  const image = channels === 1 ? sharp(bytes).toColourspace('b-w') : sharp(bytes);
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(channels);
  return { width: info.width, height: info.height, channels, bitDepth: 8, data: new Uint8Array(data) };
}

const rgb = testPixels(W, H);
const gray = Uint8Array.from({ length: W * H }, (_, i) => rgb[3 * i + 1]);
const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? (i * 7) % 256 : rgb[3 * Math.floor(i / 4) + (i % 4)]));

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', log: null });
  dir = await mkdtemp(join(tmpdir(), 'sr-edge-luma-'));
  await writeModel(dir, 'luma-x4.safetensors', 'SRVGGNetCompact', LUMA_SRVGG, 7);
  await writeModel(dir, 'rgb-x4.safetensors', 'SRVGGNetCompact', SRVGG, 8);
  await writeManifest(
    dir,
    await buildManifest(dir, [
      { name: 'luma-x4', file: 'luma-x4.safetensors', default: true },
      { name: 'rgb-x4', file: 'rgb-x4.safetensors' },
    ]),
  );
  engine = Upscaler.forGenerator((await loadModelFile(join(dir, 'luma-x4.safetensors'))).generator);
  app = createNodeApp({ modelsDir: dir, env: {} });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a luma model in the manifest', () => {
  it('is recorded as luma with a one-channel probe and listed as luma with bicubic chroma', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.models[0]).toMatchObject({ channels: 'luma' });
    expect(manifest.models[0].selfCheck.psnr).toHaveLength(16);
    expect(manifest.models[1]).toMatchObject({ channels: 'rgb' });
    expect(manifest.models[1].selfCheck.psnr).toHaveLength(48);
    const { models } = await (await app.request('/v1/models')).json();
    expect(models[0]).toMatchObject({ name: 'luma-x4', default: true, channels: 'luma', chroma: 'bicubic' });
    expect(models[1]).toMatchObject({ name: 'rgb-x4', channels: 'rgb', chroma: 'network' });
  });

  it('passes its self-check', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect((await res.json()).models['luma-x4']).toMatchObject({ state: 'ok' });
  });

  it('fails its self-check when the manifest says rgb', async () => {
    const other = await mkdtemp(join(tmpdir(), 'sr-edge-luma-'));
    try {
      await writeFile(join(other, 'luma-x4.safetensors'), await readFile(join(dir, 'luma-x4.safetensors')));
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      manifest.models = [{ ...manifest.models[0], channels: 'rgb' }];
      await writeFile(join(other, 'manifest.json'), JSON.stringify(manifest));
      const res = await createNodeApp({ modelsDir: other, env: {} }).request('/healthz');
      expect(res.status).toBe(503);
      expect((await res.json()).models['luma-x4'].error).toMatch(/a luma network, the manifest says rgb/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('POST /v1/upscale with a luma model', () => {
  it('streams an RGB PNG equal to the engine output', async () => {
    const res = await post('/v1/upscale', await png(rgb, 3));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sr-model')).toBe('luma-x4');
    expect(Number(res.headers.get('x-sr-consistency-psnr'))).toBeGreaterThan(10);
    const out = await decodePng(new Uint8Array(await res.arrayBuffer()));
    const expected = await engine.upscale({ width: W, height: H, channels: 3, data: rgb }, { tile: 0 });
    expect([out.width, out.height, out.channels]).toEqual([4 * W, 4 * H, 3]);
    expect(out.data).toEqual(expected.data);
  });

  it('keeps a gray image gray, its values the network run on the gray plane (within the double rounding)', async () => {
    const res = await post('/v1/upscale', await png(gray, 1));
    expect(res.status).toBe(200);
    const out = await decodePng(new Uint8Array(await res.arrayBuffer()));
    expect([out.width, out.height, out.channels]).toEqual([4 * W, 4 * H, 1]);
    const network = await engine.upscale({ width: W, height: H, channels: 1, data: gray }, { tile: 0 });
    let worst = 0;
    for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i] - network.data[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('keeps the alpha of an RGBA image, equal to upscaleImage on the engine', async () => {
    const res = await post('/v1/upscale', await png(rgba, 4));
    expect(res.status).toBe(200);
    const out = await decodePng(new Uint8Array(await res.arrayBuffer()));
    expect([out.width, out.height, out.channels]).toEqual([4 * W, 4 * H, 4]);
    const expected = await upscaleImage(engine, { width: W, height: H, channels: 4, bitDepth: 8, data: rgba }, { tile: 0 });
    expect(out.data).toEqual(expected.data);
  });
});

describe('POST /v1/evaluate with a luma model', () => {
  it('scores the engine output of the bicubic LR', async () => {
    const [hrW, hrH] = [52, 44];
    const hrPixels = testPixels(hrW, hrH);
    const body = new Uint8Array(await sharp(hrPixels, { raw: { width: hrW, height: hrH, channels: 3 } }).png().toBuffer());
    const res = await app.request('/v1/evaluate', { method: 'POST', body, headers: { 'content-type': 'image/png' } });
    expect(res.status).toBe(200);
    const scores = await res.json();
    const { hr, lr } = makeSrPair({ width: hrW, height: hrH, channels: 3, data: hrPixels }, 4);
    const sr = (await engine.upscale(lr, { tile: 0 })) as ImageU8;
    const expected = compare(sr, hr, { yChannel: true, cropBorder: 4 });
    expect(scores).toMatchObject({ model: 'luma-x4', scale: 4, alpha: null, hr: { width: hrW, height: hrH } });
    expect(scores.psnr).toBeCloseTo(expected.psnr, 9);
    expect(scores.ssim).toBeCloseTo(expected.ssim, 9);
  });
});
