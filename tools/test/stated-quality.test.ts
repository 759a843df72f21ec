import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../apps/edge-api/src/models/manifest.ts';
import { makeModelsDir, type ModelsDir } from '../../apps/edge-api/test/fixtures.ts';
import { syntheticImage } from '../../apps/trainer/src/data/synthetic.ts';
import { writeImage } from '../../apps/trainer/src/io/image-io.ts';
import { writeStatedQuality } from '../metrics-regression/stated-quality.ts';

describe('stated quality (manifest.json quality entries)', () => {
  let models: ModelsDir;
  const hrDir = mkdtempSync(join(tmpdir(), 'sr-stated-'));

  beforeAll(async () => {
    models = await makeModelsDir(false);
    mkdirSync(hrDir, { recursive: true });
    await writeImage(join(hrDir, 'a.png'), syntheticImage(3, 0, 64, 48));
    await writeImage(join(hrDir, 'b.png'), syntheticImage(4, 0, 40, 40));
  });
  afterAll(() => {
    rmSync(models.dir, { recursive: true, force: true });
    rmSync(hrDir, { recursive: true, force: true });
  });

  const manifest = () => parseManifest(JSON.parse(readFileSync(join(models.dir, 'manifest.json'), 'utf8')));

  it('measures a model with a GAN partner at every α, and leaves the other fields and entries alone', async () => {
    const before = manifest();
    const quality = await writeStatedQuality({ dir: models.dir, name: 'tiny-x4', hrDir, dataset: 'two synthetic', alphas: [0, 0.5, 1] });
    expect(quality.map((q) => q.alpha)).toEqual([0, 0.5, 1]);
    expect(new Set(quality.map((q) => JSON.stringify(q.bicubic))).size).toBe(1);
    expect(quality[0].psnrY).not.toBe(quality[2].psnrY);
    const after = manifest();
    expect(after.models[0].quality).toEqual(quality);
    expect({ ...after.models[0], quality: [] }).toEqual({ ...before.models[0], quality: [] });
    expect(after.models[1]).toEqual(before.models[1]);
  });

  it('measures a model without a partner once, without α; an unknown name is an error', async () => {
    const fixtureQuality = manifest().models[1].quality;
    expect(fixtureQuality.map((q) => q.dataset)).toEqual(['random']);
    const [q] = await writeStatedQuality({ dir: models.dir, name: 'tiny-rrdb-x2', hrDir, dataset: 'two synthetic', alphas: [0, 1] });
    expect(q.alpha).toBeUndefined();
    expect(q.psnrY).toBeGreaterThan(0);
    expect(manifest().models[1].quality).toEqual([...fixtureQuality, q]);
    await expect(writeStatedQuality({ dir: models.dir, name: 'nope', hrDir, dataset: 'x', alphas: [0] })).rejects.toThrow("no model 'nope'");
  });

  it('keeps the entries of other datasets and replaces those of the same one', async () => {
    const [random, synthetic] = manifest().models[1].quality;
    const [other] = await writeStatedQuality({ dir: models.dir, name: 'tiny-rrdb-x2', hrDir, dataset: 'second set', alphas: [0] });
    expect(manifest().models[1].quality).toEqual([random, synthetic, other]);
    const [again] = await writeStatedQuality({ dir: models.dir, name: 'tiny-rrdb-x2', hrDir, dataset: 'two synthetic', alphas: [0] });
    expect(manifest().models[1].quality).toEqual([random, other, again]);
  });
});
