/** What the peer benchmark reads: our model files (arguments or the edge manifest) and the evaluation images. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downscaleBicubic, modCrop } from '@sr/metrics';
import { writeImage } from '../../apps/trainer/src/io/image-io.ts';
import { loadEvalImages } from '../peers/dataset.ts';
import { noiseImage } from '../peers/measure.ts';
import { findOurModels } from '../peers/our-models.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peers-inputs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const entry = (name: string, file: string, isDefault: boolean) => ({
  name,
  file,
  sha256: 'a'.repeat(64),
  default: isDefault,
  arch: 'SRVGGNetCompact',
  scale: 4,
  params: 1000,
  selfCheck: { probe: 'grid16-v1', psnr: [1, 2] },
});

async function modelsDir(name: string, manifest: unknown, files: string[]): Promise<string> {
  const d = join(dir, name);
  await mkdir(d, { recursive: true });
  await writeFile(join(d, 'manifest.json'), JSON.stringify(manifest));
  for (const f of files) await writeFile(join(d, f), 'weights');
  return d;
}

describe('findOurModels', () => {
  it('takes the manifest models, the default one first', async () => {
    const d = await modelsDir('ok', { version: 1, models: [entry('small', 'small.safetensors', false), entry('main', 'main.safetensors', true)] }, [
      'small.safetensors',
      'main.safetensors',
    ]);
    expect(await findOurModels([], d)).toEqual([
      { name: 'main', path: join(d, 'main.safetensors'), from: 'manifest' },
      { name: 'small', path: join(d, 'small.safetensors'), from: 'manifest' },
    ]);
  });

  it('prefers --model files over the manifest, and checks they exist', async () => {
    const d = await modelsDir('args', { version: 1, models: [entry('main', 'main.safetensors', true)] }, ['main.safetensors']);
    const file = join(d, 'mine.safetensors');
    await writeFile(file, 'weights');
    expect(await findOurModels([file], d)).toEqual([{ name: 'mine', path: file, from: 'argument' }]);
    await expect(findOurModels([join(d, 'missing.safetensors')], d)).rejects.toThrow(/--model .*missing\.safetensors: no such file/);
  });

  it('is empty without a manifest; a bad manifest or a missing file is an error', async () => {
    expect(await findOurModels([], join(dir, 'nothing-here'))).toEqual([]);
    const missing = await modelsDir('missing', { version: 1, models: [entry('main', 'main.safetensors', true)] }, []);
    await expect(findOurModels([], missing)).rejects.toThrow(/model 'main' names main\.safetensors, which does not exist/);
    const invalid = await modelsDir('invalid', { version: 1, models: [] }, []);
    await expect(findOurModels([], invalid)).rejects.toThrow(/invalid models manifest/);
    const d = join(dir, 'garbled');
    await mkdir(d);
    await writeFile(join(d, 'manifest.json'), '{');
    await expect(findOurModels([], d)).rejects.toThrow(/cannot read .*manifest\.json/);
  });
});

describe('loadEvalImages', () => {
  it('mod-crops the HR, uses the LR file when there is one and bicubic otherwise, in name order, limited', async () => {
    const hrDir = join(dir, 'hr');
    const lrDir = join(dir, 'lr');
    const a = noiseImage(18, 13, 1);
    const b = noiseImage(12, 9, 2);
    await writeImage(join(hrDir, 'b.png'), b);
    await writeImage(join(hrDir, 'a.png'), a);
    const givenLr = noiseImage(4, 3, 3); // deliberately not the bicubic LR of a
    await writeImage(join(lrDir, 'ax4.png'), givenLr);

    const images = await loadEvalImages({ hrDir, lrDir, scale: 4 });
    expect(images.map((i) => [i.name, i.lrSource])).toEqual([
      ['a.png', 'file'],
      ['b.png', 'bicubic'],
    ]);
    expect(images[0].hr).toEqual(modCrop(a, 4));
    expect(images[0].lr.data).toEqual(givenLr.data);
    expect(images[1].lr).toEqual(downscaleBicubic(b, 4));
    expect((await loadEvalImages({ hrDir, lrDir, scale: 4, limit: 1 })).map((i) => i.name)).toEqual(['a.png']);
    expect((await loadEvalImages({ hrDir, scale: 4 }))[0].lrSource).toBe('bicubic');
  });

  it('names the image whose LR file has the wrong size', async () => {
    const hrDir = join(dir, 'hr2');
    const lrDir = join(dir, 'lr2');
    await writeImage(join(hrDir, 'c.png'), noiseImage(16, 16, 4));
    await writeImage(join(lrDir, 'cx4.png'), noiseImage(5, 4, 5));
    await expect(loadEvalImages({ hrDir, lrDir, scale: 4 })).rejects.toThrow(/^c\.png: LR is 5x4x3/);
  });
});
