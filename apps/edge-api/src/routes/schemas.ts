import { z } from '@hono/zod-openapi';

const ErrorCodeDoc =
  'empty_body | undecodable | bad_request (400), unauthorized (401), body_too_large | too_many_pixels (413), ' +
  'unsupported_media_type | media_type_mismatch (415), invalid_query | invalid_image | unknown_model | too_much_work (422), queue_full | model_unhealthy (503)';

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string().openapi({ description: ErrorCodeDoc }), message: z.string() }) })
  .openapi('Error');

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });

export const ERROR_RESPONSES = {
  400: errorResponse('Empty body, undecodable image or bad multipart'),
  401: errorResponse('Missing or wrong bearer token (only when API_TOKEN is set)'),
  413: errorResponse('Body larger than MAX_BODY_BYTES or image larger than MAX_INPUT_PIXELS (checked on the header)'),
  415: errorResponse('Not PNG/JPEG/WebP, or the declared type differs from the bytes'),
  422: errorResponse('Bad query value, unknown model, a 0x0 image or one too small to score, or more work than MAX_WORK_GFLOP'),
  503: errorResponse('Queue full (with Retry-After) or the model failed its self-check'),
} as const;

/** Query numbers are strict decimal strings ('' and 'NaN' are errors, not 0), documented as numbers. */
const decimal = (pattern: RegExp, description: string, example: number, type: 'number' | 'integer', range: { minimum: number; maximum: number }) =>
  z.string().regex(pattern, description).transform(Number).openapi({ description, example: example as unknown as string, type, ...range, pattern: undefined });

export const ModelQuery = z.string().optional().openapi({ description: 'Model name from GET /v1/models (default: the default model)', example: 'srvgg-x4' });
const AlphaQuery = decimal(/^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/, 'Network interpolation 0 (PSNR weights) .. 1 (GAN weights); models with a GAN partner only', 0.5, 'number', { minimum: 0, maximum: 1 }).optional();
const TileQuery = decimal(/^\d{1,4}$/, 'LR tile side in pixels; 0 = untiled (only up to MAX_TILE per side); at least twice the model overlap', 128, 'integer', { minimum: 0, maximum: 9999 }).optional();

const EnsembleQuery = z
  .enum(['1', '8'])
  .transform((v) => Number(v) as 1 | 8)
  .optional()
  .openapi({
    description: 'Self-ensemble: 8 averages the model over the eight flips/rotations of the input (BasicSR x8): slightly better, 8x the work (counted so by MAX_WORK_GFLOP); default 1',
    type: 'integer',
    enum: [1, 8] as unknown as string[],
    example: 8 as unknown as string,
  });

export const UpscaleQuery = z.object({
  model: ModelQuery,
  alpha: AlphaQuery,
  format: z.enum(['png', 'jpeg', 'webp']).optional().openapi({ description: 'Output format (default png)' }),
  quality: decimal(/^\d{1,3}$/, 'JPEG/WebP quality 1..100 (default 90)', 90, 'integer', { minimum: 1, maximum: 100 })
    .pipe(z.number().int().min(1).max(100))
    .optional(),
  tile: TileQuery,
  ensemble: EnsembleQuery,
});

export const EvaluateQuery = z.object({ model: ModelQuery, alpha: AlphaQuery, tile: TileQuery, ensemble: EnsembleQuery });

export const binary = { type: 'string' as const, format: 'binary' };

const header = (description: string, schema: { type: 'string' | 'number' | 'integer' }) => ({ description, schema });

/** Response headers of POST /v1/upscale. */
export const SR_HEADERS = {
  'X-SR-Model': header('Model name', { type: 'string' }),
  'X-SR-Alpha': header("Interpolation α used, or 'none' for a model without GAN partner", { type: 'string' }),
  'X-SR-Scale': header('Upscaling factor', { type: 'integer' }),
  'X-SR-Tiles': header('Tiles the image was split into', { type: 'integer' }),
  'X-SR-Ensemble': header('Self-ensemble passes per tile (1 or 8)', { type: 'integer' }),
  'X-SR-Consistency-PSNR': header('PSNR (dB, RGB) of the top of the result (up to 32 LR rows) downscaled with MATLAB bicubic vs the same input rows', { type: 'number' }),
  'X-SR-Consistency-SSIM': header("SSIM of the same; 'n/a' under 11 rows or columns", { type: 'string' }),
  'Server-Timing': header('queue, model, decode, infer (the first band for streamed PNG), check, encode in ms', { type: 'string' }),
};

export const IMAGE_BODY = {
  required: true,
  description: 'The image as the raw body (Content-Type image/png, image/jpeg or image/webp) or as multipart field `image`',
  content: {
    'image/png': { schema: binary },
    'image/jpeg': { schema: binary },
    'image/webp': { schema: binary },
    'multipart/form-data': { schema: { type: 'object' as const, properties: { image: binary }, required: ['image'] } },
  },
};

const LPIPS_VALUE = z.number().nullable().optional().openapi({
  description: 'LPIPS (RGB, lower is better) on `lpipsInfo.region`; present only when the deployment configures LPIPS weights, null when the image is too small for the network',
});

const Scores = z.object({ psnr: z.number(), ssim: z.number(), lpips: LPIPS_VALUE });

const LpipsInfo = z
  .object({
    net: z.enum(['alex', 'vgg']),
    region: z
      .object({ x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int() })
      .optional()
      .openapi({ description: 'The HR window LPIPS was computed on: centred, inside the `crop` border, at most LPIPS_MAX_SIDE per side' }),
    skipped: z.string().optional().openapi({ description: 'Why LPIPS is null (the window is smaller than the network needs)' }),
  })
  .openapi('LpipsInfo');

export const EvaluateResult = z
  .object({
    model: z.string(),
    alpha: z.number().nullable(),
    scale: z.number().int(),
    ensemble: z.number().int().openapi({ description: 'Self-ensemble passes the model output was averaged over (1 or 8)' }),
    psnr: z.number(),
    ssim: z.number(),
    lpips: LPIPS_VALUE,
    lpipsInfo: LpipsInfo.optional(),
    bicubic: Scores,
    yChannel: z.literal(true),
    crop: z.number().int().openapi({ description: 'Border pixels removed before scoring (= scale)' }),
    hr: z.object({ width: z.number().int(), height: z.number().int() }),
  })
  .openapi('EvaluateResult');

export const ModelInfo = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    default: z.boolean(),
    architecture: z.string(),
    scale: z.number().int(),
    parameters: z.number().int(),
    channels: z.enum(['rgb', 'luma']).openapi({
      description: "What the network upscales: RGB, or luma only (full-range BT.601 Y; gray images as they are) with the colour left to `chroma`",
    }),
    chroma: z.enum(['network', 'bicubic']).openapi({
      description: 'How the colour is upscaled: by the network (RGB networks), or MATLAB bicubic on R − Y and B − Y recombined with the network luma',
    }),
    sha256: z.string(),
    alphaSupported: z.boolean(),
    defaultAlpha: z.number().nullable(),
    quality: z.array(z.object({ dataset: z.string(), psnrY: z.number(), ssimY: z.number() }).passthrough()),
    health: z.enum(['not_loaded', 'ok', 'unhealthy']),
  })
  .openapi('ModelInfo');

export const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    runtime: z.string(),
    backend: z.string().optional(),
    models: z.record(z.string(), z.object({ state: z.string(), error: z.string().optional(), loadMs: z.number().optional() })),
  })
  .openapi('Health');

export const Limits = z
  .object({
    maxInputPixels: z.number().int(),
    maxBodyBytes: z.number().int(),
    maxWorkGflop: z.number(),
    maxBufferedOutputPixels: z.number().int(),
    maxTile: z.number().int(),
    defaultTile: z.number().int(),
  })
  .openapi('Limits');
