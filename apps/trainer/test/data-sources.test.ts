import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.ts';
import { BatchSource } from '../src/data/batches.ts';
import { openTrainingSet } from '../src/data/dataset.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { writeImage } from '../src/io/image-io.ts';

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
