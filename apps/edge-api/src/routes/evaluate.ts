import { createRoute } from '@hono/zod-openapi';
import { compare, makeSrPair, upscaleBicubic } from '@sr/metrics';
import type { App, RouteContext } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { readImageInput } from '../input.ts';
import { checkTile, decodeInput, upscale } from '../pipeline.ts';
import { ServerTiming } from '../timing.ts';
import { ERROR_RESPONSES, EvaluateQuery, EvaluateResult, IMAGE_BODY } from './schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/evaluate',
  summary: 'Score a model on one HR image',
  description:
    'Mod-crops the HR image to the scale, downscales it with MATLAB bicubic, upscales the LR with the model and with bicubic, ' +
    'and returns PSNR/SSIM of both on the Y channel with `scale` border pixels cropped (the BasicSR convention).',
  request: { query: EvaluateQuery, body: IMAGE_BODY },
  responses: {
    200: { description: 'Scores', content: { 'application/json': { schema: EvaluateResult } } },
    ...ERROR_RESPONSES,
  },
});

/** SSIM's 11x11 window must fit in the HR image after cropping `scale` pixels from each edge. */
const MIN_SCORED_SIDE = 11;

export function registerEvaluate(app: App, ctx: RouteContext): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const timing = new ServerTiming();
    const entry = await ctx.models.entry(query.model);
    const input = await readImageInput(c, ctx.config.maxInputPixels);
    const scale = entry.scale;
    const minSide = MIN_SCORED_SIDE + 2 * scale;
    if (input.header.width < minSide || input.header.height < minSide) {
      throw new ApiError(422, 'invalid_image', `evaluation needs an HR image of at least ${minSide}x${minSide} at x${scale}`);
    }
    const t0 = performance.now();
    const result = await ctx.queue.run(async () => {
      timing.record('queue', performance.now() - t0);
      const lease = await timing.measure('model', () => ctx.models.acquire(entry.name, query.alpha ?? null));
      try {
        const decoded = await timing.measure('decode', () => decodeInput(ctx.codec, input));
        const { hr, lr } = await timing.measure('degrade', () => makeSrPair(decoded, scale));
        const tile = query.tile ?? ctx.config.defaultTile;
        checkTile(tile, lr, ctx.config.maxTile);
        const { sr } = await timing.measure('infer', () => upscale(lease, lr, tile, c.req.raw.signal));
        const opts = { yChannel: true, cropBorder: scale };
        const [model, bicubic] = await timing.measure('score', () => [compare(sr, hr, opts), compare(upscaleBicubic(lr, scale), hr, opts)]);
        return {
          model: entry.name,
          alpha: lease.alpha,
          scale,
          psnr: model.psnr,
          ssim: model.ssim,
          bicubic,
          yChannel: true as const,
          crop: scale,
          hr: { width: hr.width, height: hr.height },
        };
      } finally {
        lease.release();
      }
    });
    c.header('Server-Timing', timing.header());
    return c.json(result, 200);
  });
}
