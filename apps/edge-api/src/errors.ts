import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Machine-readable error codes; the README lists which status each one comes with. */
export type ErrorCode =
  | 'bad_request'
  | 'empty_body'
  | 'undecodable'
  | 'unauthorized'
  | 'not_found'
  | 'body_too_large'
  | 'too_many_pixels'
  | 'unsupported_media_type'
  | 'media_type_mismatch'
  | 'invalid_query'
  | 'invalid_image'
  | 'too_much_work'
  | 'unknown_model'
  | 'queue_full'
  | 'model_unhealthy'
  | 'internal';

/** An error that becomes `{ error: { code, message } }` with `status`; `headers` are added to the response. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
