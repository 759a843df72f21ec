import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { bearerAuth } from './auth.ts';
import type { AppDeps, RouteContext } from './deps.ts';
import { drainBody, errorResponse } from './error-handler.ts';
import { ApiError, errorBody } from './errors.ts';
import { JobQueue } from './queue.ts';
import { registerEvaluate } from './routes/evaluate.ts';
import { registerMeta } from './routes/meta.ts';
import { registerUpscale } from './routes/upscale.ts';

/** The whole HTTP API as a value: routes and middleware only; runtimes supply `deps`. */
export function createApp(deps: AppDeps): OpenAPIHono {
  const { config } = deps;
  const ctx: RouteContext = { ...deps, queue: new JobQueue(config.concurrency, config.maxQueue) };
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const detail = result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
        throw new ApiError(422, 'invalid_query', detail);
      }
    },
  });
  app.onError(async (err, c) => {
    await drainBody(c, config.maxBodyBytes);
    return errorResponse(c, err);
  });
  app.notFound(async (c) => {
    await drainBody(c, config.maxBodyBytes);
    return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
  });
  if (config.corsOrigin) {
    const origins = config.corsOrigin.split(',').map((s) => s.trim());
    app.use('*', cors({ origin: origins.length === 1 ? origins[0] : origins, allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'], allowHeaders: ['Authorization', 'Content-Type'], exposeHeaders: ['X-SR-Model', 'X-SR-Alpha', 'X-SR-Scale', 'X-SR-Tiles', 'X-SR-Ensemble', 'X-SR-Consistency-PSNR', 'X-SR-Consistency-SSIM', 'Server-Timing', 'Retry-After'] }));
  }
  if (config.apiToken) app.use('/v1/*', bearerAuth(config.apiToken));
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'body_too_large', `the body exceeds ${config.maxBodyBytes} bytes`);
      },
    }),
  );
  registerUpscale(app, ctx);
  registerEvaluate(app, ctx);
  registerMeta(app, ctx);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'sr-toolkit edge API', version: '0.1.0', description: 'ESRGAN-family super-resolution on tfjs wasm (workerd and Node)' },
    security: config.apiToken ? [{ bearer: [] }] : [],
  });
  if (config.apiToken) app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  if (deps.serveAsset) {
    const serve = deps.serveAsset;
    app.get('*', async (c, next) => (await serve(c)) ?? next());
  }
  return app;
}
