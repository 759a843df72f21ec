import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cropImage, type ImageU8 } from '@sr/metrics';
import { parseConfig } from '../src/config/load.ts';
import { applyDihedral, randomDihedral } from '../src/data/augment.ts';
import { BatchSource, Prefetcher } from '../src/data/batches.ts';
import { randomAlignedCrop } from '../src/data/crop.ts';
import { loadPairs, openTrainingSet, type TrainingSet } from '../src/data/dataset.ts';
import { Rng } from '../src/data/rng.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { writeImage } from '../src/io/image-io.ts';
import { addGaussianNoise, drawDegradation, jpegRoundTrip } from '../src/data/degrade.ts';
import { CliError } from '../src/cli-error.ts';

const ramp = (w: number, h: number): ImageU8 => {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([i % 251, (i * 7) % 253, (i * 13) % 255], i * 3);
  return { width: w, height: h, channels: 3, data };
};

describe('rng', () => {
  it('is reproducible from its state', () => {
    const a = Rng.fromSeed(1, 2);
    a.next();
    const b = new Rng(a.state());
    expect(Array.from({ length: 5 }, () => a.nextU32())).toEqual(Array.from({ length: 5 }, () => b.nextU32()));
    expect(Rng.fromSeed(1, 2).next()).not.toBe(Rng.fromSeed(1, 3).next());
  });
  it('draws integers in range and roughly normal samples', () => {
    const r = Rng.fromSeed(7);
    const xs = Array.from({ length: 4000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
    for (let i = 0; i < 100; i++) expect(r.int(3, 5)).toBeGreaterThanOrEqual(3);
  });
});

describe('crops and augmentation', () => {
  it('LR crop × scale is the HR crop region', () => {
    const hr = ramp(40, 32);
    const lr = ramp(10, 8);
    const rng = Rng.fromSeed(3);
    for (let i = 0; i < 20; i++) {
      const c = randomAlignedCrop(lr, hr, 4, 4, rng);
      expect(c.lr).toEqual(cropImage(lr, c.x, c.y, 4, 4));
      expect(c.hr).toEqual(cropImage(hr, c.x * 4, c.y * 4, 16, 16));
    }
  });

  it('dihedral transforms commute with nearest-neighbour upscaling (LR and HR stay aligned)', () => {
    const lr = ramp(3, 3);
    const up = (img: ImageU8, s: number): ImageU8 => {
      const out = new Uint8Array(img.data.length * s * s);
      for (let y = 0; y < img.height * s; y++)
        for (let x = 0; x < img.width * s; x++)
          for (let c = 0; c < 3; c++) out[(y * img.width * s + x) * 3 + c] = img.data[(Math.floor(y / s) * img.width + Math.floor(x / s)) * 3 + c];
      return { width: img.width * s, height: img.height * s, channels: 3, data: out };
    };
    for (const hflip of [false, true])
      for (const vflip of [false, true])
        for (const transpose of [false, true]) {
          const d = { hflip, vflip, transpose };
          expect(applyDihedral(up(lr, 2), d)).toEqual(up(applyDihedral(lr, d), 2));
        }
  });

  it('rot90 = hflip then transpose', () => {
    const img = ramp(2, 2); // pixels a b / c d
    const px = (im: ImageU8, i: number) => im.data[i * 3];
    const r = applyDihedral(img, { hflip: true, vflip: false, transpose: true });
    expect([px(r, 0), px(r, 1), px(r, 2), px(r, 3)]).toEqual([px(img, 1), px(img, 3), px(img, 0), px(img, 2)]);
    expect(randomDihedral(Rng.fromSeed(1), false, false)).toEqual({ hflip: false, vflip: false, transpose: false });
  });
});

describe('batches', () => {
  const cfg = parseConfig({
    scale: 2,
    data: {
      train: { synthetic: { count: 3, width: 24, height: 20 } },
      val: { synthetic: { count: 1, width: 16, height: 16 } },
      lrPatch: 4,
      batchSize: 2,
      degradations: { jpeg: { prob: 0.5, qualityMin: 30, qualityMax: 90 }, noise: { prob: 0.5, sigmaMax: 5 } },
    },
    generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 2 } },
    phases: { psnr: { iterations: 1, optimizer: { lr: 1e-3 } } },
  });
  const pairs = (): Promise<TrainingSet> => openTrainingSet(cfg.data, { scale: 2, seed: 1 });

  it('are deterministic, prefetched or not, and resumable from the batch index', async () => {
    const p = await pairs();
    const src = new BatchSource(p, cfg.data, 2, 9);
    const pre = new Prefetcher(new BatchSource(p, cfg.data, 2, 9), 0, 3);
    const direct = [];
    for (let i = 0; i < 5; i++) direct.push(await src.batch(i));
    for (let i = 0; i < 5; i++) expect(await pre.take()).toEqual(direct[i]);
    const resumed = new Prefetcher(new BatchSource(p, cfg.data, 2, 9), 3, 2);
    expect(await resumed.take()).toEqual(direct[3]);
    expect(direct[0].lr.length).toBe(2 * 4 * 4 * 3);
    expect(direct[0].hr.length).toBe(2 * 8 * 8 * 3);
    expect(direct[0].lr.every((v) => v >= 0 && v <= 1 && Number.isFinite(v))).toBe(true);
    expect(await new BatchSource(p, cfg.data, 2, 10).batch(0)).not.toEqual(direct[0]);
  });

  it('synthetic images are deterministic and varied', () => {
    expect(syntheticImage(1, 0, 16, 16)).toEqual(syntheticImage(1, 0, 16, 16));
    expect(syntheticImage(1, 0, 16, 16).data).not.toEqual(syntheticImage(1, 1, 16, 16).data);
  });
});

describe('degradations', () => {
  const img = syntheticImage(2, 0, 32, 24);
  it('JPEG round trip keeps the size and loses detail, more at low quality', async () => {
    const diff = (a: ImageU8) => a.data.reduce((s, v, i) => s + Math.abs(v - img.data[i]), 0) / a.data.length;
    const q90 = await jpegRoundTrip(img, 90);
    const q10 = await jpegRoundTrip(img, 10);
    expect([q10.width, q10.height, q10.channels]).toEqual([32, 24, 3]);
    expect(diff(q90)).toBeGreaterThan(0);
    expect(diff(q10)).toBeGreaterThan(diff(q90));
  });
  it('Gaussian noise has the requested spread and is reproducible', () => {
    const flat: ImageU8 = { width: 64, height: 64, channels: 3, data: new Uint8Array(64 * 64 * 3).fill(128) };
    const a = addGaussianNoise(flat, 10, Rng.fromSeed(4));
    expect(addGaussianNoise(flat, 10, Rng.fromSeed(4))).toEqual(a);
    const sd = Math.sqrt(a.data.reduce((s, v) => s + (v - 128) ** 2, 0) / a.data.length);
    expect(sd).toBeGreaterThan(9);
    expect(sd).toBeLessThan(11);
  });
  it('draws nothing when no degradation is configured', () => {
    const d = drawDegradation(Rng.fromSeed(1), {});
    expect(d.jpegQuality).toBeUndefined();
    expect(d.noiseSigma).toBeUndefined();
  });
});

describe('bad images', () => {
  it('names the file; fatal or skipped as configured; LR cache round-trips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-data-'));
    await writeImage(join(dir, 'a.png'), syntheticImage(1, 0, 32, 32));
    writeFileSync(join(dir, 'b.png'), 'not a png');
    const source = { hr: dir };
    await expect(loadPairs(source, { scale: 4, seed: 0, onBadImage: 'fatal' })).rejects.toThrow(/b\.png/);
    await expect(loadPairs(source, { scale: 4, seed: 0, onBadImage: 'fatal' })).rejects.toBeInstanceOf(CliError);
    const warnings: string[] = [];
    const cacheDir = join(dir, 'cache');
    const opts = { scale: 4, seed: 0, onBadImage: 'skip' as const, lrCacheDir: cacheDir, warn: (m: string) => warnings.push(m) };
    const first = await loadPairs(source, opts);
    expect(first.map((p) => p.name)).toEqual([join(dir, 'a.png')]);
    expect(warnings[0]).toMatch(/b\.png.*skipped/);
    expect((await loadPairs(source, opts))[0].lr).toEqual(first[0].lr);
  });
});
