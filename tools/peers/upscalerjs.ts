/**
 * UpscalerJS (npm `upscaler`) on OUR tfjs: plain `@tensorflow/tfjs` with whatever backend is active (the benchmark
 * selects wasm, one thread).
 *
 * `upscaler/node` is `getUpscaler({ tf: require('@tensorflow/tfjs-node'), ...its Node helpers })`; tfjs-node cannot be
 * installed here (its native library is downloaded at install time) and would bring its own backend. So we build the
 * same class from the same parts of the package with `tf` = our tfjs. Models come from the `@upscalerjs/esrgan-*`
 * packages: the Node loader resolves the package folder and loads `file://<package>/models/x4/model.json`
 * (see file-io.ts); nothing is fetched over the network.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageU8 } from '@sr/metrics';
import { registerFileRouter } from './file-io.ts';

const require = createRequire(import.meta.url);

export const UPSCALERJS_MODELS = ['esrgan-slim', 'esrgan-medium', 'esrgan-thick'] as const;
export type UpscalerJsModelName = (typeof UPSCALERJS_MODELS)[number];

/** The parts of an UpscalerJS model definition the benchmark reports. */
export interface UpscalerJsModelDefinition {
  scale: number;
  modelType: string;
  inputRange?: [number, number];
  outputRange?: [number, number];
  meta?: Record<string, unknown>;
  _internals?: { name: string; version: string; path: string };
  /** Registers the model's custom layers (thick: MultiplyBeta, PixelShuffle4x) with the given tfjs. */
  setup?: (tfjs: typeof tf) => void | Promise<void>;
}

interface UpscalerInstance {
  upscale(input: tf.Tensor3D, options: { output: 'tensor'; patchSize?: number; padding?: number }): Promise<tf.Tensor3D>;
  getModel(): Promise<{ model: tf.LayersModel; modelDefinition: UpscalerJsModelDefinition }>;
  dispose(): Promise<void>;
}
type UpscalerClass = new (opts: { model: UpscalerJsModelDefinition }) => UpscalerInstance;

/** `upscaler/node`'s class, assembled with our tfjs instead of tfjs-node. */
function upscalerClass(): UpscalerClass {
  // The package's export map only exposes entry points; the parts live next to the Node entry's directory.
  const nodeDir = dirname(dirname(require.resolve('upscaler/node')));
  const part = (path: string) => require(join(nodeDir, path));
  const { getUpscaler } = part('../shared/index.js');
  const { getUpscaleOptions } = part('args.node.js');
  const { loadModel } = part('loadModel.node.js');
  const { getImageAsTensor, tensorAsBase64, checkValidEnvironment } = part('image.node.js');
  return getUpscaler({ tf, getUpscaleOptions, loadModel, getImageAsTensor, tensorAsBase64, checkValidEnvironment });
}

/** The x4 model definition shipped in `@upscalerjs/<name>` (its weights are files inside that package). */
export function upscalerJsModel(name: UpscalerJsModelName): UpscalerJsModelDefinition {
  return require(`@upscalerjs/${name}/4x`) as UpscalerJsModelDefinition;
}

export interface LoadedUpscalerJs {
  definition: UpscalerJsModelDefinition;
  params: number;
  /** Whole image (no patches): 8-bit RGB in, 8-bit RGB at 4x out, through `upscaler.upscale`. */
  upscale(lr: ImageU8): Promise<ImageU8>;
  dispose(): Promise<void>;
}

export async function loadUpscalerJs(name: UpscalerJsModelName): Promise<LoadedUpscalerJs> {
  registerFileRouter();
  const Upscaler = upscalerClass();
  const upscaler = new Upscaler({ model: upscalerJsModel(name) });
  const { model, modelDefinition } = await upscaler.getModel();
  return {
    definition: modelDefinition,
    params: model.countParams(),
    async upscale(lr) {
      if (lr.channels !== 3) throw new Error(`UpscalerJS needs RGB input, got ${lr.channels} channels`);
      // UpscalerJS takes pixels on the 0..255 scale and rescales them to the model's inputRange itself.
      const input = tf.tensor3d(Float32Array.from(lr.data), [lr.height, lr.width, 3]);
      let output: tf.Tensor3D;
      try {
        output = await upscaler.upscale(input, { output: 'tensor' });
      } finally {
        input.dispose();
      }
      try {
        const [height, width, channels] = output.shape;
        // Output is clipped to 0..255 (outputRange scaled) but not rounded.
        const data = Uint8Array.from(await output.data(), (v) => Math.round(v));
        return { width, height, channels, data };
      } finally {
        output.dispose();
      }
    },
    dispose: () => upscaler.dispose(),
  };
}
