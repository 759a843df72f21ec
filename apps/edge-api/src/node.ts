/**
 * Node entry: models and the demo page from disk, sharp for images, tfjs wasm (or tfjs-node when
 * installed) for inference. `npm run start:node`; env: PORT (8788), HOST (127.0.0.1), MODELS_DIR,
 * SR_BACKEND (auto | tensorflow | webgpu | wasm | cpu; default wasm), LPIPS_WEIGHTS / LPIPS_BACKBONE (file paths)
 * and the other settings of config.ts.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { describeBackend, initBackend } from '@sr/model';
import { BACKEND_CHOICES, type BackendPreference } from '@sr/model/backend-choices';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from './app.ts';
import { configFromEnv, NODE_DEFAULTS } from './config.ts';
import { createSharpCodec } from './codecs/sharp.ts';
import { LpipsScorer } from './lpips.ts';
import { ModelRegistry, type ModelSource } from './models/registry.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const PUBLIC_DIR = resolve(here, '../public');
export const DEFAULT_MODELS_DIR = join(PUBLIC_DIR, 'models');

export function directorySource(dir: string): ModelSource {
  return {
    readManifest: async () => JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')),
    readFile: async (file) => new Uint8Array(await readFile(join(dir, file))),
  };
}

export interface NodeAppOptions {
  modelsDir?: string;
  env?: Record<string, string | undefined>;
  /** tfjs backend; default env SR_BACKEND, else 'wasm' so results match workerd. */
  backend?: BackendPreference;
}

function backendFromEnv(env: Record<string, string | undefined>): BackendPreference {
  const raw = env.SR_BACKEND || 'wasm';
  if (!(BACKEND_CHOICES as readonly string[]).includes(raw)) throw new Error(`SR_BACKEND must be one of ${BACKEND_CHOICES.join(', ')}, got '${raw}'`);
  return raw as BackendPreference;
}

export function createNodeApp(opts: NodeAppOptions = {}): OpenAPIHono {
  const env = opts.env ?? process.env;
  const config = configFromEnv(env, NODE_DEFAULTS);
  const modelsDir = resolve(opts.modelsDir ?? env.MODELS_DIR ?? DEFAULT_MODELS_DIR);
  const prefer = opts.backend ?? backendFromEnv(env);
  let backend: string | undefined;
  const models = new ModelRegistry(
    directorySource(modelsDir),
    async () => (backend = describeBackend(await initBackend({ prefer, log: null }))),
    config.alphaCacheSize,
  );
  const statics = serveStatic({ root: PUBLIC_DIR });
  return createApp({
    config,
    codec: createSharpCodec(),
    models,
    ...(config.lpips ? { lpips: new LpipsScorer(config.lpips, config.lpipsMaxSide, async (path) => new Uint8Array(await readFile(resolve(path)))) } : {}),
    runtime: 'node',
    backend: () => backend,
    // Weight files stay private; the page and its scripts are public.
    serveAsset: async (c) => {
      if (c.req.path.startsWith('/models/')) return undefined;
      const response = await statics(c, async () => {});
      return response instanceof Response ? response : undefined;
    },
  });
}

const isMain = process.argv[1] != null && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const port = Number(process.env.PORT ?? 8788);
  const hostname = process.env.HOST ?? '127.0.0.1';
  const app = createNodeApp();
  serve({ fetch: app.fetch, port, hostname }, (info) => console.log(`sr edge API (node) on http://${hostname}:${info.port}`));
}
