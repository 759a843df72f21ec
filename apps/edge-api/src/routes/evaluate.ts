import { createRoute } from '@hono/zod-openapi';
import { compare, makeSrPair, upscaleBicubic, type ImageU8 } from '@sr/metrics';
import type { App, RouteContext } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { LpipsScorer } from '../lpips.ts';
import { readImageInput } from '../input.ts';
import { Job } from '../job.ts';
import { decodeInput, engineRgb } from '../pipeline.ts';
import { ServerTiming } from '../timing.ts';
import { checkWork, estimateWork, requestTile } from '../work.ts';
import { ERROR_RESPONSES, EvaluateQuery, EvaluateResult, IMAGE_BODY } from './schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/evaluate',
  operationId: 'evaluate',
  summary: 'Score a model on one HR image',
  description:
    'Mod-crops the HR image to the scale, downscales it with MATLAB bicubic, upscales the LR with the model and with bicubic, ' +
    'and returns PSNR/SSIM of both on the Y channel with `scale` border pixels cropped (the BasicSR convention). ' +
    'When the deployment configures LPIPS weights (LPIPS_WEIGHTS), also LPIPS (RGB, lower is better) of both on the centred ' +
    'window of at most LPIPS_MAX_SIDE² pixels inside that crop (`lpipsRegion`); the LPIPS fields are absent otherwise.',
  request: { query: EvaluateQuery, body: IMAGE_BODY },
  responses: {
    200: { description: 'Scores', content: { 'application/json': { schema: EvaluateResult } } },
    ...ERROR_RESPONSES,
  },
});

/** SSIM's 11x11 window must fit in the HR image after the mod-crop and cropping `scale` pixels from each edge. */
const MIN_SCORED_SIDE = 11;

function checkScorable(width: number, height: number, scale: number): void {
  const scored = (side: number) => Math.floor(side / scale) * scale - 2 * scale;
  if (scored(width) < MIN_SCORED_SIDE || scored(height) < MIN_SCORED_SIDE) {
    const min = MIN_SCORED_SIDE + 2 * scale;
    throw new ApiError(422, 'invalid_image', `evaluation at x${scale} needs at least ${min}x${min} pixels after the mod-crop to ${scale}, got ${width}x${height}`);
  }
}

/** The LPIPS fields of the response: both distances on one window, or why the image is too small for the network. */
async function lpipsFields(lpips: LpipsScorer, sr: ImageU8, bicubic: ImageU8, hr: ImageU8, crop: number) {
  const region = lpips.region(hr.width, hr.height, crop);
  if ('skipped' in region) return { model: null, bicubic: null, info: { net: lpips.net, skipped: region.skipped } };
  const [model, base] = await lpips.distances([sr, bicubic], hr, region);
  return { model, bicubic: base, info: { net: lpips.net, region } };
}

export function registerEvaluate(app: App, ctx: RouteContext): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const timing = new ServerTiming();
    const entry = await ctx.models.entry(query.model);
    const input = await readImageInput(c, ctx.config.maxInputPixels);
    const scale = entry.scale;
    checkScorable(input.header.width, input.header.height, scale);
    const t0 = performance.now();
    const job = await Job.start(ctx.queue, c.req.raw.signal);
    try {
      timing.record('queue', performance.now() - t0);
      const lease = (job.lease = await timing.measure('model', () => ctx.models.acquire(entry.name, query.alpha ?? null)));
      const [lrWidth, lrHeight] = [Math.floor(input.header.width / scale), Math.floor(input.header.height / scale)];
      const tile = requestTile(lease.upscaler, lrWidth, lrHeight, query.tile, ctx.config);
      const ensemble = query.ensemble ?? 1;
      const work = estimateWork(lease.upscaler, lrWidth, lrHeight, tile, lease.flopsPerPixel, ensemble);
      checkWork(work, ctx.config.maxWorkGflop, `the ${lrWidth}x${lrHeight} LR image at tile ${tile}`);
      const decoded = engineRgb(await timing.measure('decode', () => decodeInput(ctx.codec, input)));
      const { hr, lr } = await timing.measure('degrade', () => makeSrPair(decoded, scale));
      const sr = (await timing.measure('infer', () => lease.upscaler.upscale(lr, { tile, ensemble, signal: job.signal }))) as ImageU8;
      const opts = { yChannel: true, cropBorder: scale };
      const bicubicSr = upscaleBicubic(lr, scale);
      const [model, bicubic] = await timing.measure('score', () => [compare(sr, hr, opts), compare(bicubicSr, hr, opts)]);
      const lpips = ctx.lpips ? await timing.measure('lpips', () => lpipsFields(ctx.lpips!, sr, bicubicSr, hr, scale)) : undefined;
      c.header('Server-Timing', timing.header());
      return c.json(
        {
          model: entry.name,
          alpha: lease.alpha,
          scale,
          ensemble,
          psnr: model.psnr,
          ssim: model.ssim,
          ...(lpips ? { lpips: lpips.model, lpipsInfo: lpips.info } : {}),
          bicubic: lpips ? { ...bicubic, lpips: lpips.bicubic } : bicubic,
          yChannel: true as const,
          crop: scale,
          hr: { width: hr.width, height: hr.height },
        },
        200,
      );
    } finally {
      await job.finish();
    }
  });
}
