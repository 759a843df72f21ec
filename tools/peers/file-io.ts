/**
 * `file://` model loading for plain `@tensorflow/tfjs` in Node. tfjs-node registers this scheme; we run on the wasm
 * backend without tfjs-node, so UpscalerJS's Node model loader (which hands `tf.loadLayersModel` a `file://` URL into
 * the model's npm package) needs this router to read model.json and its weight shards from disk.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

/** A tfjs load handler reading a tfjs-format `model.json` (and the shards it lists, relative to it) from disk. */
export function fileModelHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load() {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (err) {
        throw new Error(`cannot read tfjs model ${modelJsonPath}: ${(err as Error).message}`);
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new Error(`${modelJsonPath} is not a tfjs model.json (needs modelTopology and weightsManifest)`);
      }
      const dir = dirname(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const shards: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const path of group.paths) {
            const bytes = await readFile(join(dir, path));
            shards.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [manifest.flatMap((group) => group.weights), tf.io.concatenateArrayBuffers(shards)];
      });
    },
  };
}

let registered = false;

/** Routes `file://` URLs given to `tf.loadLayersModel`/`loadGraphModel` to {@link fileModelHandler}. Idempotent. */
export function registerFileRouter(): void {
  if (registered) return;
  registered = true;
  const router = (url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? fileModelHandler(fileURLToPath(url)) : null;
  // IORouter is typed as always returning a handler, but the registry skips routers that return null (as tfjs-node's do).
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
}
