import { createRoute } from '@hono/zod-openapi';
import type { App, RouteContext } from '../deps.ts';
import { ERROR_RESPONSES, Health, Limits, ModelInfo } from './schemas.ts';
import { z } from '@hono/zod-openapi';

const modelsRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  operationId: 'listModels',
  summary: 'List the models',
  responses: {
    200: { description: 'The models of the manifest and the request limits', content: { 'application/json': { schema: z.object({ models: z.array(ModelInfo), limits: Limits }) } } },
    401: ERROR_RESPONSES[401],
    503: ERROR_RESPONSES[503],
  },
});

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'health',
  summary: 'Loads and self-checks every model (once), then reports each one',
  responses: {
    200: { description: 'Every model passed its self-check', content: { 'application/json': { schema: Health } } },
    503: { description: 'At least one model failed its self-check', content: { 'application/json': { schema: Health } } },
  },
});

export function registerMeta(app: App, ctx: RouteContext): void {
  app.openapi(modelsRoute, async (c) => {
    const manifest = await ctx.models.getManifest();
    const def = (await ctx.models.entry()).name;
    const models = manifest.models.map((e) => ({
      name: e.name,
      description: e.description,
      default: e.name === def,
      architecture: e.arch,
      scale: e.scale,
      parameters: e.params,
      channels: e.channels,
      chroma: e.channels === 'luma' ? ('bicubic' as const) : ('network' as const),
      sha256: e.sha256,
      alphaSupported: e.gan != null,
      defaultAlpha: e.gan ? e.defaultAlpha : null,
      quality: e.quality,
      health: ctx.models.healthOf(e.name).state,
    }));
    const { maxInputPixels, maxBodyBytes, maxWorkGflop, maxBufferedOutputPixels, maxTile, defaultTile } = ctx.config;
    return c.json({ models, limits: { maxInputPixels, maxBodyBytes, maxWorkGflop, maxBufferedOutputPixels, maxTile, defaultTile } }, 200);
  });

  app.openapi(healthRoute, async (c) => {
    const models = await ctx.models.checkAll();
    const ok = Object.values(models).every((h) => h.state === 'ok');
    return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), runtime: ctx.runtime, backend: ctx.backend?.(), models }, ok ? 200 : 503);
  });
}
