/**
 * workerd entry. The tfjs and codec wasm binaries are imported statically (wrangler turns them into
 * compiled `WebAssembly.Module`s: workerd cannot compile wasm from bytes at run time); the models and
 * the demo page are Workers Static Assets. One backend and one model registry per isolate.
 */
import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import jpegDecode from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import jpegEncode from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import webpDecode from '@jsquash/webp/codec/dec/webp_dec.wasm';
import webpEncode from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import { initBackend } from '@sr/model';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from './app.ts';
import { configFromEnv, WORKERD_DEFAULTS } from './config.ts';
import { createPortableCodec } from './codecs/portable.ts';
import { LpipsScorer } from './lpips.ts';
import { ModelRegistry, type ModelSource } from './models/registry.ts';

interface Env {
  ASSETS: { fetch(input: Request | string): Promise<Response> };
  [name: string]: unknown;
}

/** Asset paths (relative to public/) are resolved against a fixed origin: the binding only looks at the path. */
function assetReader(assets: Env['ASSETS']) {
  return async (path: string) => {
    const res = await assets.fetch(`https://assets.local/${path.replace(/^\/+/, '')}`);
    if (!res.ok) throw new Error(`asset ${path}: HTTP ${res.status}`);
    return res;
  };
}

const assetBytes = (assets: Env['ASSETS']) => async (path: string) => new Uint8Array(await (await assetReader(assets)(path)).arrayBuffer());

function assetSource(assets: Env['ASSETS']): ModelSource {
  return {
    readManifest: async () => (await assetReader(assets)('models/manifest.json')).json(),
    readFile: (file) => assetBytes(assets)(`models/${file}`),
  };
}

let app: OpenAPIHono | null = null;

function appFor(env: Env): OpenAPIHono {
  if (app) return app;
  const config = configFromEnv(env, WORKERD_DEFAULTS);
  const models = new ModelRegistry(
    assetSource(env.ASSETS),
    () => initBackend({ wasmModule: tfjsWasm, log: null }),
    config.alphaCacheSize,
  );
  app = createApp({
    config,
    codec: createPortableCodec({ jpegDecode, jpegEncode, webpDecode, webpEncode }),
    models,
    ...(config.lpips ? { lpips: new LpipsScorer(config.lpips, config.lpipsMaxSide, assetBytes(env.ASSETS)) } : {}),
    runtime: 'workerd',
    serveAsset: async (c) => {
      if (c.req.path.startsWith('/models/')) return undefined;
      const res = await env.ASSETS.fetch(c.req.raw);
      return res.status === 404 ? undefined : res; // unknown paths get the API's JSON 404
    },
  });
  return app;
}

export default {
  fetch(request: Request, env: Env, ctx: unknown): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx as never);
  },
};
