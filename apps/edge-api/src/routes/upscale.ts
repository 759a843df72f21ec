import { createRoute } from '@hono/zod-openapi';
import type { App, RouteContext } from '../deps.ts';
import { MEDIA_TYPES } from '../codecs/sniff.ts';
import { readImageInput } from '../input.ts';
import { checkTile, consistency, decodeInput, upscale } from '../pipeline.ts';
import { ServerTiming } from '../timing.ts';
import { binary, ERROR_RESPONSES, IMAGE_BODY, UpscaleQuery } from './schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/upscale',
  summary: 'Upscale an image',
  description:
    'Returns the super-resolved image. Headers: X-SR-Model, X-SR-Alpha, X-SR-Scale, X-SR-Tiles, X-SR-Consistency-PSNR and ' +
    '-SSIM (the result downscaled with MATLAB bicubic vs the input, RGB), Server-Timing.',
  request: { query: UpscaleQuery, body: IMAGE_BODY },
  responses: {
    200: {
      description: 'The upscaled image',
      content: { 'image/png': { schema: binary }, 'image/jpeg': { schema: binary }, 'image/webp': { schema: binary } },
    },
    ...ERROR_RESPONSES,
  },
});

export function registerUpscale(app: App, ctx: RouteContext): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const timing = new ServerTiming();
    const entry = await ctx.models.entry(query.model);
    const input = await readImageInput(c, ctx.config.maxInputPixels);
    const format = query.format ?? 'png';
    const tile = query.tile ?? ctx.config.defaultTile;
    const t0 = performance.now();
    return ctx.queue.run(async () => {
      timing.record('queue', performance.now() - t0);
      const lease = await timing.measure('model', () => ctx.models.acquire(entry.name, query.alpha ?? null));
      try {
        const lr = await timing.measure('decode', () => decodeInput(ctx.codec, input));
        checkTile(tile, lr, ctx.config.maxTile);
        const { sr, tiles } = await timing.measure('infer', () => upscale(lease, lr, tile, c.req.raw.signal));
        const check = await timing.measure('check', () => consistency(sr, lr, lease.scale));
        const body = await timing.measure('encode', () => ctx.codec.encode(sr, format, query.quality ?? 90));
        return c.body(body as Uint8Array<ArrayBuffer>, 200, {
          'Content-Type': MEDIA_TYPES[format],
          'X-SR-Model': lease.entry.name,
          'X-SR-Alpha': lease.alpha == null ? 'none' : String(lease.alpha),
          'X-SR-Scale': String(lease.scale),
          'X-SR-Tiles': String(tiles),
          'X-SR-Consistency-PSNR': check.psnr.toFixed(3),
          'X-SR-Consistency-SSIM': check.ssim == null ? 'n/a' : check.ssim.toFixed(5),
          'Server-Timing': timing.header(),
        });
      } finally {
        lease.release();
      }
    });
  });
}
