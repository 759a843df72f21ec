import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError, errorBody } from './errors.ts';

/** Bodies up to this many times the limit are read and dropped before an error response (see drainBody). */
const LINGER_FACTOR = 4;

/**
 * Errors are often answered before the body is read (a bad query value, a body over the limit).
 * Reading and dropping the rest first, chunk by chunk without keeping it, lets the client finish
 * sending and read the error (otherwise it sees a connection reset while still writing; under
 * `wrangler dev` an unread body also makes the dev proxy answer 503 "worker restarted mid-request").
 * Bodies above LINGER_FACTOR x the limit are not waited for.
 */
export async function drainBody(c: Context, maxBytes: number): Promise<void> {
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

export function errorResponse(c: Context, err: unknown): Response {
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

