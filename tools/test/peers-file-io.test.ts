import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileModelHandler, registerFileRouter } from '../peers/file-io.ts';

let dir: string;

/** Saves `model` as model.json plus two weight shards (split mid-way), the layout tfjs converters write. */
async function saveSharded(model: tf.LayersModel, into: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const cut = Math.floor(data.length / 2);
      await writeFile(join(into, 'group1-shard1of2.bin'), data.subarray(0, cut));
      await writeFile(join(into, 'group1-shard2of2.bin'), data.subarray(cut));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(into, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'peers-file-io-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('file:// model loading for plain tfjs', () => {
  it('loads a sharded layers model that predicts exactly like the original', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [null, null, 3] as unknown as number[], filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.conv2d({ filters: 3, kernelSize: 1 }),
      ],
    });
    await saveSharded(model, dir);
    registerFileRouter();
    registerFileRouter(); // idempotent
    const loaded = await tf.loadLayersModel(pathToFileURL(join(dir, 'model.json')).href);
    const x = tf.randomUniform([1, 6, 7, 3], 0, 1, 'float32', 3);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(b.shape).toEqual([1, 6, 7, 3]);
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('names the file when it is missing or not a tfjs model.json', async () => {
    await expect(fileModelHandler(join(dir, 'nope.json')).load!()).rejects.toThrow(/cannot read tfjs model .*nope\.json/);
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    await expect(fileModelHandler(join(dir, 'other.json')).load!()).rejects.toThrow(/other\.json is not a tfjs model\.json/);
  });
});
