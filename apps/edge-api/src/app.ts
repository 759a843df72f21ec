import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps, RouteContext } from './deps.ts';
import { ApiError, errorBody } from './errors.ts';
import { JobQueue } from './queue.ts';
import { registerEvaluate } from './routes/evaluate.ts';
import { registerMeta } from './routes/meta.ts';
import { registerUpscale } from './routes/upscale.ts';

/** Bodies up to this many times the limit are read and dropped before an error response (see drainBody). */
const LINGER_FACTOR = 4;

/**
 * Errors are often answered before the body is read (a bad query value, a body over the limit).
 * Reading and dropping the rest first, chunk by chunk without keeping it, lets the client finish
 * sending and read the error (otherwise it sees a connection reset while still writing; under
 * `wrangler dev` an unread body also makes the dev proxy answer 503 "worker restarted mid-request").
 * Bodies above LINGER_FACTOR x the limit are not waited for.
 */
async function drainBody(c: Context, maxBytes: number): Promise<void> {
  const body = c.req.raw.body;
  if (!body || c.req.raw.bodyUsed || body.locked) return;
  const length = Number(c.req.header('content-length') ?? NaN);
  if (!(length <= maxBytes * LINGER_FACTOR)) return;
  const reader = body.getReader();
  try {
    while (!(await reader.read()).done);
  } catch {
    // the client went away; nothing to drain
  }
}

function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message), err.status);
  }
  if (err instanceof HTTPException) return c.json(errorBody('bad_request', err.message || 'bad request'), err.status);
  // The client went away mid-inference (the tiling engine checks the request's signal): nobody reads this.
  if ((err as Error)?.name === 'AbortError') return c.json(errorBody('bad_request', 'the request was aborted'), 400);
  console.error('unhandled error:', err);
  return c.json(errorBody('internal', 'internal error'), 500);
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

function bearerAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!sameToken(given, token)) {
      throw new ApiError(401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required', { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
}

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
    app.use('*', cors({ origin: origins.length === 1 ? origins[0] : origins, exposeHeaders: ['X-SR-Model', 'X-SR-Alpha', 'X-SR-Scale', 'X-SR-Tiles', 'X-SR-Consistency-PSNR', 'X-SR-Consistency-SSIM', 'Server-Timing', 'Retry-After'] }));
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
