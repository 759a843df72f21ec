/** Limits and switches of one deployment; every field can come from an environment variable (see `configFromEnv`). */
export interface AppConfig {
  /** Largest request body in bytes (413 above). */
  maxBodyBytes: number;
  /** Largest LR input in pixels for /v1/upscale, checked on the header before decoding (413 above). */
  maxInputPixels: number;
  /** Largest tile side; `tile=0` (untiled) is allowed only for images whose sides fit in it. */
  maxTile: number;
  /** Tile side when the request names none. */
  defaultTile: number;
  /** Requests running inference at once, and waiting beyond that (503 + Retry-After when full). */
  concurrency: number;
  maxQueue: number;
  /** Interpolated (α) weight sets kept per model. */
  alphaCacheSize: number;
  /** Bearer token required on /v1/* when set. */
  apiToken?: string;
  /** Access-Control-Allow-Origin value(s); CORS is off when unset. */
  corsOrigin?: string;
}

export const NODE_DEFAULTS: AppConfig = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxInputPixels: 1024 * 1024,
  maxTile: 512,
  defaultTile: 128,
  concurrency: 1,
  maxQueue: 32,
  alphaCacheSize: 4,
};

/**
 * workerd isolates get 128 MB for JS and the wasm heap together, and the wasm heap never shrinks.
 * Inference frees each activation as soon as the next exists, so the heap tracks the largest layer
 * of one tile window: measured for a 96² window, 16.8 MB for the 32-feature edge SRVGG (tile 96 →
 * a 116² window: ~24 MB) and 35 MB for the 64-feature x4v3 shape. (Before activations were freed,
 * a 64x16 SRVGG needed 48 MB at tile 48.) The JS side peaks at ~215 bytes per LR pixel at x4
 * (8-bit SR image, float copies in the consistency check, PNG encoding): ~32 MB at 384x384.
 */
export const WORKERD_DEFAULTS: AppConfig = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxInputPixels: 384 * 384,
  maxTile: 96,
  defaultTile: 64,
  concurrency: 1,
  maxQueue: 32,
  alphaCacheSize: 2,
};

const NUMERIC: Record<string, keyof AppConfig> = {
  MAX_BODY_BYTES: 'maxBodyBytes',
  MAX_INPUT_PIXELS: 'maxInputPixels',
  MAX_TILE: 'maxTile',
  DEFAULT_TILE: 'defaultTile',
  CONCURRENCY: 'concurrency',
  MAX_QUEUE: 'maxQueue',
  ALPHA_CACHE_SIZE: 'alphaCacheSize',
};

/** Defaults overridden by string variables (process.env or worker bindings); bad numbers are startup errors. */
export function configFromEnv(env: Record<string, unknown>, defaults: AppConfig): AppConfig {
  const config: AppConfig = { ...defaults };
  for (const [name, key] of Object.entries(NUMERIC)) {
    const raw = env[name];
    if (raw == null || raw === '') continue;
    const n = Number(raw);
    const min = key === 'maxQueue' ? 0 : 1;
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got '${String(raw)}'`);
    (config[key] as number) = n;
  }
  if (typeof env.API_TOKEN === 'string' && env.API_TOKEN !== '') config.apiToken = env.API_TOKEN;
  if (typeof env.CORS_ORIGIN === 'string' && env.CORS_ORIGIN !== '') config.corsOrigin = env.CORS_ORIGIN;
  if (config.defaultTile > config.maxTile) throw new Error(`DEFAULT_TILE ${config.defaultTile} exceeds MAX_TILE ${config.maxTile}`);
  return config;
}
