import { LPIPS_NETS, type LpipsNet } from '@sr/model';
import { DEFAULT_PNG_LEVEL } from './codecs/png/encode.ts';

/**
 * Work per request, in GFLOP of convolutions: the edge model (0.14 MFLOP per LR pixel) at 1024x1024 with its default
 * 64-px tiles is ~179 GFLOP (its windows shrink towards their tiles: 1.22x the image's pixels); at the ~15-19 GFLOP/s measured for tfjs wasm SIMD on one thread that is 9-12 s of CPU (~7 s measured), and 600 GFLOP
 * (~30-40 s) stays inside the 60 s `cpu_ms` of wrangler.toml.
 */
export const DEFAULT_WORK_GFLOP = 600;

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
  /** Largest work estimate per request (tile windows' LR pixels × model FLOP/pixel), in GFLOP (422 above). */
  maxWorkGflop: number;
  /** Largest output (HR pixels) for JPEG/WebP, which are encoded from the whole image; PNG is streamed (413 above). */
  maxBufferedOutputPixels: number;
  /** zlib level of the streamed PNG output, 0..9. */
  pngLevel: number;
  /** Bearer token required on /v1/* when set. */
  apiToken?: string;
  /** Access-Control-Allow-Origin value(s); CORS is off when unset. */
  corsOrigin?: string;
  /** /v1/evaluate also reports LPIPS when set. */
  lpips?: LpipsConfig;
  /** LPIPS is computed on the centred window of at most this side squared HR pixels (inside the border crop). */
  lpipsMaxSide: number;
}

/** LPIPS weights (`sr convert <net>.pth --raw`): file paths in Node, static asset paths (under public/) in workerd. */
export interface LpipsConfig {
  net: LpipsNet;
  /** The official lin layers, or a whole LPIPS state dict. */
  weights: string;
  /** torchvision alexnet / vgg16 weights, when `weights` holds only the lin layers. */
  backbone?: string;
}

/**
 * Default LPIPS_MAX_SIDE. Measured on tfjs wasm (AlexNet, ~10 MB of weights; every activation of one pass lives until
 * it ends): a 512² window peaks at 114 MB of tensors and grew the wasm heap to 181 MB, which a 128 MB isolate cannot
 * hold; 256² peaks at 28 MB. VGG16 (59 MB of weights, 90 MB of tensors at 128²) does not fit workerd at all.
 */
const LPIPS_MAX_SIDE = { node: 512, workerd: 256 };

export const NODE_DEFAULTS: AppConfig = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxInputPixels: 1024 * 1024,
  maxTile: 512,
  defaultTile: 128,
  concurrency: 1,
  maxQueue: 32,
  alphaCacheSize: 4,
  maxWorkGflop: DEFAULT_WORK_GFLOP,
  maxBufferedOutputPixels: 4096 * 4096,
  pngLevel: DEFAULT_PNG_LEVEL,
  lpipsMaxSide: LPIPS_MAX_SIDE.node,
};

/**
 * workerd isolates get 128 MB for JS and the wasm heap together, and the wasm heap never shrinks.
 * Inference frees each activation as soon as the next exists, so the heap tracks the largest window
 * run (42 MB after one 256² window of the 32-feature edge SRVGG, the largest the default tile runs).
 * PNG output is streamed band by band, so the JS side holds the decoded input (3 bytes per LR
 * pixel; a luma model adds 10: its luma and colour differences), one row of tiles of output (a luma
 * model also its 16-bit luma band) and the deflate state, not the whole result; JPEG/WebP output
 * is encoded from the whole image and so is limited to 2048x2048 output pixels.
 */
export const WORKERD_DEFAULTS: AppConfig = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxInputPixels: 1024 * 1024,
  maxTile: 192,
  defaultTile: 128,
  concurrency: 1,
  maxQueue: 32,
  alphaCacheSize: 2,
  maxWorkGflop: DEFAULT_WORK_GFLOP,
  maxBufferedOutputPixels: 2048 * 2048,
  pngLevel: DEFAULT_PNG_LEVEL,
  lpipsMaxSide: LPIPS_MAX_SIDE.workerd,
};

const NUMERIC: Record<string, keyof AppConfig> = {
  MAX_BODY_BYTES: 'maxBodyBytes',
  MAX_INPUT_PIXELS: 'maxInputPixels',
  MAX_TILE: 'maxTile',
  DEFAULT_TILE: 'defaultTile',
  CONCURRENCY: 'concurrency',
  MAX_QUEUE: 'maxQueue',
  ALPHA_CACHE_SIZE: 'alphaCacheSize',
  MAX_BUFFERED_OUTPUT_PIXELS: 'maxBufferedOutputPixels',
  PNG_LEVEL: 'pngLevel',
  LPIPS_MAX_SIDE: 'lpipsMaxSide',
};

const text = (env: Record<string, unknown>, name: string): string | undefined => {
  const raw = env[name];
  return typeof raw === 'string' && raw !== '' ? raw : undefined;
};

/** LPIPS_WEIGHTS turns LPIPS on; LPIPS_NET (alex | vgg, default alex) and LPIPS_BACKBONE go with it. */
function lpipsFromEnv(env: Record<string, unknown>): LpipsConfig | undefined {
  const weights = text(env, 'LPIPS_WEIGHTS');
  const others = ['LPIPS_NET', 'LPIPS_BACKBONE'].filter((n) => text(env, n) !== undefined);
  if (weights === undefined) {
    if (others.length > 0) throw new Error(`${others.join(', ')} set without LPIPS_WEIGHTS`);
    return undefined;
  }
  const net = text(env, 'LPIPS_NET') ?? 'alex';
  if (!(LPIPS_NETS as readonly string[]).includes(net)) throw new Error(`LPIPS_NET must be one of ${LPIPS_NETS.join(', ')}, got '${net}'`);
  const backbone = text(env, 'LPIPS_BACKBONE');
  return { net: net as LpipsNet, weights, ...(backbone === undefined ? {} : { backbone }) };
}

/** Defaults overridden by string variables (process.env or worker bindings); bad values are startup errors. */
export function configFromEnv(env: Record<string, unknown>, defaults: AppConfig): AppConfig {
  const config: AppConfig = { ...defaults };
  for (const [name, key] of Object.entries(NUMERIC)) {
    const raw = env[name];
    if (raw == null || raw === '') continue;
    const n = Number(raw);
    const min = key === 'maxQueue' || key === 'pngLevel' ? 0 : 1;
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got '${String(raw)}'`);
    if (key === 'pngLevel' && n > 9) throw new Error(`PNG_LEVEL must be 0..9, got '${String(raw)}'`);
    (config[key] as number) = n;
  }
  const work = env.MAX_WORK_GFLOP;
  if (work != null && work !== '') {
    const n = Number(work);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`MAX_WORK_GFLOP must be a positive number, got '${String(work)}'`);
    config.maxWorkGflop = n;
  }
  const token = text(env, 'API_TOKEN');
  if (token !== undefined) config.apiToken = token;
  const origin = text(env, 'CORS_ORIGIN');
  if (origin !== undefined) config.corsOrigin = origin;
  const lpips = lpipsFromEnv(env);
  if (lpips) config.lpips = lpips;
  if (config.defaultTile > config.maxTile) throw new Error(`DEFAULT_TILE ${config.defaultTile} exceeds MAX_TILE ${config.maxTile}`);
  return config;
}
