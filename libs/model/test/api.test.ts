import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, interpolate, loadModel, saveModelFile, upscale, type SrModel } from '../src/index.ts';

const CONFIG = { num_in_ch: 3, num_out_ch: 3, num_feat: 8, num_conv: 2, upscale: 2, act_type: 'prelu' };
let dir: string;
const models: SrModel[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-api-'));
  const { initBackend } = await import('../src/index.ts');
  await initBackend({ prefer: 'wasm', log: null });
  for (const [name, seed] of [['a', 1], ['b', 2]] as const) {
    const g = createGenerator('SRVGGNetCompact', CONFIG, seed);
    await saveModelFile(join(dir, `${name}.safetensors`), g);
    disposeParams(g.params);
  }
});
afterAll(async () => {
  for (const m of models) m.dispose();
  await rm(dir, { recursive: true, force: true });
});

const keep = (m: SrModel) => (models.push(m), m);
const rgb = { width: 5, height: 4, channels: 3, data: new Uint8Array(60).map((_, i) => (i * 41) & 255) };

describe('high-level API', () => {
  it('loadModel from a path, a file: URL and bytes gives the same model', async () => {
    const path = join(dir, 'a.safetensors');
    const [p, u, b] = await Promise.all([
      loadModel(path, { backend: { prefer: 'wasm' } }),
      loadModel(pathToFileURL(path)),
      loadModel(new Uint8Array(await readFile(path)), { backend: false }),
    ]).then((ms) => ms.map(keep));
    expect(p).toMatchObject({ scale: 2, arch: 'SRVGGNetCompact' });
    expect(u.sha256).toBe(p.sha256);
    expect(b.sha256).toBe(p.sha256);
    expect((await upscale(b, rgb)).data).toEqual((await upscale(p, rgb)).data);
  });

  it('upscale keeps the kind (ImageU8 RGB → RGB, ImageData → RGBA), tile/overlap/onProgress/outscale', async () => {
    const m = keep(await loadModel(join(dir, 'a.safetensors')));
    const out = await upscale(m, rgb);
    expect(out).toMatchObject({ width: 10, height: 8, channels: 3, bitDepth: 8 });
    const seen: number[] = [];
    const tiled = await upscale(m, rgb, { tile: 2, overlap: 4, onProgress: (d) => seen.push(d) });
    expect(tiled.data).toEqual(out.data);
    expect(seen.at(-1)).toBe(m.upscaler.plan(5, 4, { tile: 2, overlap: 4 }).tiles.length);
    const imageData = { width: 2, height: 2, data: new Uint8ClampedArray([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 128, 9, 9, 9, 255]) };
    const rgba = await upscale(m, imageData, { outscale: 3 });
    expect(rgba).toMatchObject({ width: 6, height: 6, channels: 4 });
    expect(rgba.data[3]).toBe(0);
  });

  it('honours an abort signal', async () => {
    const m = keep(await loadModel(join(dir, 'a.safetensors')));
    const ac = new AbortController();
    ac.abort();
    await expect(upscale(m, rgb, { signal: ac.signal })).rejects.toThrow();
  });

  it('interpolate: α = 0 and 1 reproduce A and B', async () => {
    const [a, b] = (await Promise.all(['a', 'b'].map((n) => loadModel(join(dir, `${n}.safetensors`))))).map(keep);
    const [a0, b1] = [keep(interpolate(a, b, 0)), keep(interpolate(a, b, 1))];
    expect((await upscale(a0, rgb)).data).toEqual((await upscale(a, rgb)).data);
    expect((await upscale(b1, rgb)).data).toEqual((await upscale(b, rgb)).data);
    expect(a0.sha256).toBe(`${a.sha256}+${b.sha256}@0`);
  });
});
