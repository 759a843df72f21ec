import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseConfig } from '../src/config/load.ts';
import { BatchSource } from '../src/data/batches.ts';
import { openTrainingSet } from '../src/data/dataset.ts';
import { ByteLru } from '../src/data/image-cache.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { CliError } from '../src/cli-error.ts';
import { writeImage } from '../src/io/image-io.ts';

const config = (dir: string, cacheMB: number, extra: Record<string, unknown> = {}) =>
  parseConfig({
    scale: 2,
    data: { train: { hr: dir }, val: { hr: dir }, lrPatch: 6, batchSize: 3, cacheMB, ...extra },
    generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 2 } },
    phases: { psnr: { iterations: 1, optimizer: { lr: 1e-3 } } },
  });

describe('ByteLru', () => {
  it('evicts least recently used entries beyond the byte budget and shares concurrent loads', async () => {
    const loads: number[] = [];
    const lru = new ByteLru<Uint8Array>(10, (v) => v.length, async (k) => (loads.push(k), new Uint8Array(4)));
    await Promise.all([lru.get(1), lru.get(1)]);
    await lru.get(2);
    await lru.get(1); // 1 is now the most recent
    await lru.get(3); // 12 bytes > 10: evicts 2
    expect(lru.bytes).toBe(8);
    await lru.get(1);
    await lru.get(2);
    expect(loads).toEqual([1, 2, 3, 2]);
    const tiny = new ByteLru<Uint8Array>(3, (v) => v.length, async () => new Uint8Array(4));
    expect((await tiny.get(0)).length).toBe(4);
    expect(tiny.bytes).toBe(0);
  });
});

describe('streamed training set', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sr-stream-'));
    for (let i = 0; i < 6; i++) await writeImage(join(dir, `img-${i}.png`), syntheticImage(3, i, 30 + 2 * i, 26));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const degradation of [undefined, { type: 'realesrgan' }]) {
    it(`gives the same batches cached or not (${degradation ? 'realesrgan' : 'bicubic LR'})`, async () => {
      const extra = degradation ? { degradation } : {};
      const big = config(dir, 64, extra).data;
      const small = config(dir, 0.004, extra).data; // ~4 KiB: about one decoded image
      const cached = await openTrainingSet(big, { scale: 2, seed: 0 });
      const uncached = await openTrainingSet(small, { scale: 2, seed: 0 });
      const a = new BatchSource(cached, big, 2, 5);
      const b = new BatchSource(uncached, small, 2, 5);
      for (let i = 0; i < 5; i++) expect(await b.batch(i)).toEqual(await a.batch(i));
      expect(cached.cache.misses).toBe(6); // each image decoded once
      expect(uncached.cache.misses).toBeGreaterThan(10);
      expect(uncached.cache.bytes).toBeLessThanOrEqual(0.004 * 2 ** 20);
    });
  }

  it('checks headers up front: a bad or too small file is named, fatal or skipped', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'sr-stream-bad-'));
    await writeImage(join(bad, 'ok.png'), syntheticImage(1, 0, 20, 20));
    await writeImage(join(bad, 'small.png'), syntheticImage(1, 1, 8, 8));
    writeFileSync(join(bad, 'junk.png'), 'not a png');
    await expect(openTrainingSet(config(bad, 8).data, { scale: 2, seed: 0 })).rejects.toThrow(/junk\.png/);
    const warnings: string[] = [];
    const set = await openTrainingSet(config(bad, 8, { onBadImage: 'skip' }).data, { scale: 2, seed: 0, warn: (m) => warnings.push(m) });
    expect(set.size).toBe(1);
    expect(warnings.join('\n')).toMatch(/junk\.png[^]*small\.png.*smaller than the 6px patch/);
    await expect(openTrainingSet(config(join(bad, 'none'), 8).data, { scale: 2, seed: 0 })).rejects.toBeInstanceOf(CliError);
    rmSync(bad, { recursive: true, force: true });
  });
});

/**
 * Peak RSS of a child that streams 96 noise PNGs of 1024×768 (2.25 MiB decoded each, 216 MiB in all) through a
 * 24 MiB cache. The fixed overhead is measured in the same run: the same child on the same set with a ~0 cache (node,
 * tsx, sharp, the modules and the decode buffers in flight). On top of it come the cache and the decode garbage not yet
 * collected, whose amount depends on GC timing: V8 collects external (ArrayBuffer) memory after about 64 MiB of new
 * allocations, so the slack is 64 MiB. Bound: overhead + cacheMB + 64 MiB. Holding every decoded image (216 MiB)
 * breaks that bound (asserted), so the test fails if the cache stops evicting.
 */
describe('peak RSS with a set larger than data.cacheMB', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sr-rss-'));
    const noise = (i: number) => sharp({ create: { width: 1024, height: 768, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 30 + (i % 20) } } }).png({ compressionLevel: 1 });
    for (let i = 0; i < 96; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => noise(i + k).toFile(join(dir, `n-${String(i + k).padStart(2, '0')}.png`))));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (cacheMB: number) =>
    JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'scripts/stream-rss.ts'), dir, String(cacheMB), '30'], {
        encoding: 'utf8',
        env: { ...process.env, UV_THREADPOOL_SIZE: '2' },
      }),
    ) as { maxRssMB: number; cachedMB: number; misses: number; images: number };

  it('stays below the measured overhead + cacheMB + slack', () => {
    const overhead = run(0.01);
    const streamed = run(24); // 120 samples of 96 images: some drawn twice
    const held = run(1024); // everything fits: what holding the whole set costs
    console.log(JSON.stringify({ overhead, streamed, held }));
    const bound = overhead.maxRssMB + 24 + 64;
    expect(streamed.images).toBe(96);
    expect(streamed.misses).toBeGreaterThan(96); // evicted images were decoded again
    expect(streamed.cachedMB).toBeLessThanOrEqual(24);
    expect(streamed.maxRssMB).toBeLessThan(bound);
    expect(held.maxRssMB).toBeGreaterThan(bound);
  }, 180_000);
});
