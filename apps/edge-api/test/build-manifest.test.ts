import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, parseSpec } from '../src/models/build-manifest.ts';
import { makeModelsDir, RRDB, writeModel, type ModelsDir } from './fixtures.ts';

let models: ModelsDir;
beforeAll(async () => {
  models = await makeModelsDir(false);
});
afterAll(() => rm(models.dir, { recursive: true, force: true }));

describe('buildManifest', () => {
  it('records file facts and probe outputs, keeping hand-written fields of the previous manifest', async () => {
    const m = await buildManifest(models.dir, [parseSpec('tiny-rrdb-x2=tiny-rrdb-x2.safetensors:default'), parseSpec('tiny-x4=tiny-x4-psnr.safetensors+tiny-x4-gan.safetensors')]);
    const [rrdb, x4] = m.models;
    expect(rrdb).toMatchObject({ arch: 'RRDBNet', scale: 2, default: true, quality: [{ dataset: 'random' }] });
    expect(rrdb.selfCheck.psnr).toHaveLength(48);
    expect(x4).toMatchObject({ scale: 4, defaultAlpha: 0.5, gan: { file: 'tiny-x4-gan.safetensors' } });
    expect(x4.selfCheck.gan).not.toEqual(x4.selfCheck.psnr);
  });

  it('drops the stated description and quality when a name gets another network (RGB → luma)', async () => {
    await writeModel(models.dir, 'luma-x2.safetensors', 'RRDBNet', { ...RRDB, num_in_ch: 1, num_out_ch: 1 }, 9);
    const [rrdb] = (await buildManifest(models.dir, [parseSpec('tiny-rrdb-x2=luma-x2.safetensors')])).models;
    expect(rrdb).toMatchObject({ arch: 'RRDBNet', channels: 'luma', quality: [] });
    expect(rrdb.selfCheck.psnr).toHaveLength(16);
  });

  it('refuses a GAN partner of another architecture', async () => {
    await expect(buildManifest(models.dir, [parseSpec('mixed=tiny-x4-psnr.safetensors+tiny-rrdb-x2.safetensors')])).rejects.toThrow(/not the same network/);
  });

  it('parses name=file[+gan][:default]', () => {
    expect(parseSpec('a=b.safetensors+c.safetensors:default')).toEqual({ name: 'a', file: 'b.safetensors', gan: 'c.safetensors', default: true });
    expect(() => parseSpec('no-equals')).toThrow(/expected/);
  });
});
