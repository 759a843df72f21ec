import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropImage, downscaleBicubic, imresize, modCrop, toU8 } from '@sr/metrics';
import { parseConfig } from '../src/config/load.ts';
import { valSetName, valSources } from '../src/config/schema.ts';
import { BatchSource, drawFromSources } from '../src/data/batches.ts';
import { Rng } from '../src/data/rng.ts';
import { openTrainingSet } from '../src/data/dataset.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { readImageRgb, writeImage } from '../src/io/image-io.ts';

const base = (data: Record<string, unknown>) =>
  parseConfig({
    scale: 2,
    data: { lrPatch: 6, batchSize: 3, ...data },
    generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 2 } },
    phases: { psnr: { iterations: 1, optimizer: { lr: 1e-3 } } },
  });

/** sha256 of the first `n` batches (LR then HR floats of each). */
async function digest(data: ReturnType<typeof base>['data'], n: number, seed = 5): Promise<string> {
  const source = new BatchSource(await openTrainingSet(data, { scale: 2, seed }), data, 2, seed);
  const h = createHash('sha256');
  for (let i = 0; i < n; i++) {
    const b = await source.batch(i);
    h.update(new Uint8Array(b.lr.buffer)).update(new Uint8Array(b.hr.buffer));
  }
  return h.digest('hex');
}

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sr-sources-'));
  for (let i = 0; i < 5; i++) await writeImage(join(root, 'a', `a-${i}.png`), syntheticImage(11, i, 30 + 2 * i, 28));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('single-source configs (backward compatible)', () => {
  // Digests from the code before multi-source data existed (same images, seed and config).
  it('a folder object gives the same batches as before', async () => {
    const data = base({ train: { hr: join(root, 'a') }, val: { hr: join(root, 'a') }, degradations: { jpeg: { prob: 0.5, qualityMin: 30, qualityMax: 90 }, noise: { prob: 0.5, sigmaMax: 5 } } }).data;
    expect(await digest(data, 6)).toBe('dd5090d1c26d1a8d78b0f112c0e88cca188caf79d6cbc49ffb2fd7d6232e082a');
  });
  it('a synthetic object gives the same batches as before', async () => {
    const data = base({ train: { synthetic: { count: 4, width: 24, height: 20 }, maxImages: 3 }, val: { synthetic: { count: 1, width: 16, height: 16 } } }).data;
    expect(await digest(data, 6)).toBe('2f4c5c9628d02d70fba639e1b54fc57b24cd8399aa7c5dcfad0a8873833e896d');
  });
});

const list = (train: unknown, val: unknown = { synthetic: { count: 1, width: 16, height: 16 } }) => base({ train, val }).data;
const synth = (count: number, width: number, extra: Record<string, unknown> = {}) => ({ synthetic: { count, width, height: 24 }, ...extra });

describe('multi-source training data', () => {
  it('draws sources by weight (seeded) and images uniformly within a source', () => {
    const sources = [
      { name: 'a', start: 0, size: 2, weight: 0.7 },
      { name: 'b', start: 2, size: 3, weight: 0.2 },
      { name: 'c', start: 5, size: 1, weight: 0.1 },
    ];
    const n = 20000;
    const counts = new Array(6).fill(0);
    for (let k = 0; k < n; k++) counts[drawFromSources(sources, Rng.fromSeed(3, k))]++;
    const share = (from: number, to: number) => counts.slice(from, to).reduce((s, c) => s + c, 0) / n;
    expect(share(0, 2)).toBeCloseTo(0.7, 1);
    expect(Math.abs(share(0, 2) - 0.7)).toBeLessThan(0.015);
    expect(Math.abs(share(2, 5) - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(share(5, 6) - 0.1)).toBeLessThan(0.015);
    for (const i of [2, 3, 4]) expect(Math.abs(counts[i] / n - 0.2 / 3)).toBeLessThan(0.01);
    expect(drawFromSources(sources, Rng.fromSeed(3, 17))).toBe(drawFromSources(sources, Rng.fromSeed(3, 17)));
  });

  it('numbers the sources consecutively; default weights are the image counts; maxImages keeps the first images', async () => {
    const set = await openTrainingSet(list([synth(4, 24, { maxImages: 2 }), { hr: join(root, 'a'), maxImages: 3 }]), { scale: 2, seed: 5 });
    expect(set.size).toBe(5);
    expect(set.sources.map(({ start, size, weight }) => ({ start, size, weight }))).toEqual([
      { start: 0, size: 2, weight: 2 },
      { start: 2, size: 3, weight: 3 },
    ]);
    expect((await set.get(1)).name).toBe('synthetic-1');
    expect((await set.get(4)).name).toBe(join(root, 'a', 'a-2.png'));
  });

  it('follows the weights in the batches it makes, deterministically for a seed', async () => {
    // Two sources told apart by their image size: 40 px wide (weight 3) and 24 px (weight 1).
    const data = list([synth(2, 40, { weight: 3 }), synth(2, 24, { weight: 1 })]);
    const set = await openTrainingSet(data, { scale: 2, seed: 5 });
    const seen: number[] = [];
    const spy = { ...set, get: (i: number) => (seen.push(i), set.get(i)) };
    const source = new BatchSource(spy, data, 2, 5);
    const first = await source.batch(0);
    for (let i = 1; i < 100; i++) await source.batch(i);
    const fromFirst = seen.filter((i) => i < 2).length / seen.length;
    expect(Math.abs(fromFirst - 0.75)).toBeLessThan(0.06);
    expect(await new BatchSource(set, data, 2, 5).batch(0)).toEqual(first);
  });

  it('pre-resizes the HR with the MATLAB bicubic before cropping and LR generation (LR cache keyed by the factor)', async () => {
    const cacheDir = join(root, 'lr-cache');
    const data = { ...list([{ hr: join(root, 'a'), downscale: 0.5 }, synth(1, 24)]), flip: false, rot90: false, lrCacheDir: cacheDir };
    const set = await openTrainingSet(data, { scale: 2, seed: 5 });
    const original = await readImageRgb(join(root, 'a', 'a-4.png')); // 38x28
    const resized = modCrop(toU8(imresize(original, 0.5)), 2);
    const img = await set.get(4);
    expect([img.hr.width, img.hr.height]).toEqual([18, 14]);
    expect(img.hr).toEqual(resized);
    expect(img.lr).toEqual(downscaleBicubic(resized, 2));
    const plain = await openTrainingSet({ ...data, train: [{ hr: join(root, 'a') }, synth(1, 24)] }, { scale: 2, seed: 5 });
    expect((await plain.get(4)).hr.width).toBe(38); // the cached LR of the resized image is not reused at full size
    expect((await plain.get(4)).lr).toEqual(downscaleBicubic(modCrop(original, 2), 2));
    // A batch's HR patches are windows of the resized images.
    const batch = await new BatchSource(set, data, 2, 5).batch(0);
    const patch = (b: number) => Uint8Array.from(batch.hr.subarray(b * 12 * 12 * 3, (b + 1) * 12 * 12 * 3), (v) => Math.round(v * 255));
    const windows = async (i: number) => {
      const hr = (await set.get(i)).hr;
      const out: string[] = [];
      for (let y = 0; y + 12 <= hr.height; y += 2) for (let x = 0; x + 12 <= hr.width; x += 2) out.push(Buffer.from(cropImage(hr, x, y, 12, 12).data).toString('hex'));
      return out;
    };
    const all = new Set((await Promise.all([0, 1, 2, 3, 4, 5].map(windows))).flat());
    for (let b = 0; b < 3; b++) expect(all.has(Buffer.from(patch(b)).toString('hex'))).toBe(true);
  });

  it('rejects a missing or empty folder with a one-line error', async () => {
    mkdirSync(join(root, 'empty'), { recursive: true });
    await expect(openTrainingSet(list([{ hr: join(root, 'none') }, synth(1, 24)]), { scale: 2, seed: 0 })).rejects.toThrow(/cannot list .*none: no such folder/);
    await expect(openTrainingSet(list([synth(1, 24), { hr: join(root, 'empty') }]), { scale: 2, seed: 0 })).rejects.toThrow(/no images .* in .*empty/);
  });
});

describe('multi-source config validation', () => {
  const error = (train: unknown, val?: unknown) => {
    try {
      list(train, val);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  it('gives a one-line message naming the field', () => {
    expect(error([])).toBe('config field "data.train": give at least one training source');
    expect(error([synth(1, 24), synth(1, 24, { weight: 0 })])).toBe('config field "data.train.1.weight": weight must be > 0');
    expect(error([synth(1, 24, { downscale: 1.5 })])).toBe('config field "data.train.0.downscale": downscale must be in (0, 1]');
    expect(error({ ...synth(1, 24), downscale: 0 })).toBe('config field "data.train.downscale": downscale must be in (0, 1]');
    expect(error([synth(1, 24, { weight: 1 }), synth(1, 24)])).toMatch(/^config field "data.train": give "weight" on every source or on none/);
    expect(error([{ hr: 'x', synthetic: { count: 1, width: 8, height: 8 } }])).toBe('config field "data.train.0": give exactly one of "hr" (a folder) or "synthetic"');
    expect(error([synth(1, 24), { hr: 'x', bogus: 1 }])).toMatch(/^config field "data.train.1": Unrecognized key/);
    expect(error(synth(1, 24), [])).toBe('config field "data.val": give at least one validation source');
    expect(error(synth(1, 24), [{ hr: '/a/set' }, { hr: '/b/set' }])).toBe('config field "data.val": two validation sets are named "set"; give each a distinct "name"');
    expect(error(synth(1, 24), [{ hr: '/a/set' }, { hr: '/b/set', name: 'other' }])).toBe('accepted');
    expect(valSources(list(synth(1, 24), [{ hr: '/a/urban' }, { synthetic: { count: 1, width: 8, height: 8 } }])).map(valSetName)).toEqual(['urban', 'synthetic']);
  });
});
