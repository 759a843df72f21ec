/** The methods the peer benchmark compares, as plain data (sent to a worker process) and as loaded upscalers. */
import { basename } from 'node:path';
import { upscaleBicubic } from '@sr/metrics';
import { countParams, disposeParams, isLumaGenerator, loadModelFile, Upscaler } from '@sr/model';
import type { UpscaleFn } from './measure.ts';
import { loadUpscalerJs, type UpscalerJsModelName } from './upscalerjs.ts';

export type MethodSpec =
  | { kind: 'bicubic'; name: 'bicubic' }
  | { kind: 'upscalerjs'; name: UpscalerJsModelName }
  | { kind: 'ours'; name: string; path: string };

export interface LoadedMethod {
  upscale: UpscaleFn;
  /** Network parameters; null for bicubic. */
  params: number | null;
  /** Where the method comes from: package@version or file and sha256, and its input/output conventions. */
  source: Record<string, unknown>;
  dispose(): Promise<void>;
}

export const SCALE = 4;

async function loadOurs(path: string): Promise<LoadedMethod> {
  const { generator: g, sha256, metadata } = await loadModelFile(path);
  if (g.scale !== SCALE) {
    disposeParams(g.params);
    throw new Error(`${path} is a x${g.scale} model; the peer benchmark compares x${SCALE} models`);
  }
  const luma = isLumaGenerator(g);
  // The engine every app uses; tile 0 with overlap 0 runs the plain whole-image forward (no valid-convolution windows).
  const engine = Upscaler.forGenerator(g);
  return {
    // Whole image, no context padding: the same work as UpscalerJS without patches.
    upscale: (lr) => engine.upscale(lr, { tile: 0, overlap: 0 }),
    params: countParams(g.params),
    source: {
      file: basename(path),
      sha256,
      arch: g.arch,
      config: g.config,
      phase: metadata.phase ?? null,
      ...(luma && { colour: 'network on BT.601 luma, R - Y and B - Y MATLAB bicubic' }),
    },
    dispose: async () => disposeParams(g.params),
  };
}

export async function loadMethod(spec: MethodSpec): Promise<LoadedMethod> {
  switch (spec.kind) {
    case 'bicubic':
      return {
        upscale: async (lr) => upscaleBicubic(lr, SCALE),
        params: null,
        source: { implementation: '@sr/metrics upscaleBicubic (MATLAB imresize)' },
        dispose: async () => {},
      };
    case 'upscalerjs': {
      const m = await loadUpscalerJs(spec.name);
      const { _internals, meta, inputRange, outputRange } = m.definition;
      return {
        upscale: m.upscale,
        params: m.params,
        source: {
          package: `${_internals?.name}@${_internals?.version}`,
          modelPath: _internals?.path,
          architecture: meta?.architecture,
          inputRange,
          outputRange,
        },
        dispose: m.dispose,
      };
    }
    case 'ours':
      return loadOurs(spec.path);
  }
}
