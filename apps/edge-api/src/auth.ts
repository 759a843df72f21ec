import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

export function bearerAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!sameToken(given, token)) {
      throw new ApiError(401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required', { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
}

