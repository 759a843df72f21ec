import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { App, RouteContext } from '../deps.ts';
import { BandReader } from '../band-reader.ts';
import { MEDIA_TYPES } from '../codecs/sniff.ts';
import { encodePng, PngRowEncoder } from '../codecs/png/encode.ts';
import { describeKind, forBufferedFormat, isPlainRgb } from '../kinds.ts';
import { upscaleImage, type PixelImage } from '@sr/model';
import type { ImageU8 } from '@sr/metrics';
import { ApiError } from '../errors.ts';
import { readImageInput, type ImageInput } from '../input.ts';
import { Job } from '../job.ts';
import { consistencyOfTop, decodeInput, engineRgb } from '../pipeline.ts';
import { pngStream } from '../png-stream.ts';
import { ServerTiming } from '../timing.ts';
import { checkWork, estimateWork, requestTile } from '../work.ts';
import { binary, ERROR_RESPONSES, IMAGE_BODY, SR_HEADERS, UpscaleQuery } from './schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/upscale',
  operationId: 'upscale',
  summary: 'Upscale an image',
  description:
    'Returns the super-resolved image; PNG is streamed band by band (memory bounded by one row of tiles), JPEG and WebP ' +
    'are encoded from the whole image (up to MAX_BUFFERED_OUTPUT_PIXELS). X-SR-Consistency-* score the top of the result ' +
    '(up to 32 LR rows) downscaled with MATLAB bicubic against the same input rows.',
  request: { query: UpscaleQuery, body: IMAGE_BODY },
  responses: {
    200: {
      description: 'The upscaled image',
      headers: SR_HEADERS,
      content: { 'image/png': { schema: binary }, 'image/jpeg': { schema: binary }, 'image/webp': { schema: binary } },
    },
    ...ERROR_RESPONSES,
  },
});

/**
 * workerd drops a request's pending promises and timers when its client disconnects mid-body; `waitUntil` keeps them
 * running until the job has released its model and queue slot (Node has no execution context and needs none).
 */
function keepAliveUntil(c: Context, done: Promise<void>): void {
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    return;
  }
  ctx.waitUntil(done);
}

/** JPEG/WebP encoders take the whole output image, and so does every image kind but 8-bit RGB; 8-bit RGB to PNG is streamed. */
function checkBufferedOutput(what: string, input: ImageInput, scale: number, maxPixels: number): void {
  const pixels = input.header.width * scale * input.header.height * scale;
  if (pixels > maxPixels) {
    throw new ApiError(
      413,
      'too_many_pixels',
      `${what} is upscaled and encoded as a whole ${input.header.width * scale}x${input.header.height * scale} image, over the ${maxPixels}-pixel limit for buffered output (MAX_BUFFERED_OUTPUT_PIXELS); 8-bit RGB to format=png is streamed and has no such limit`,
    );
  }
}

export function registerUpscale(app: App, ctx: RouteContext): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const { config } = ctx;
    const timing = new ServerTiming();
    const entry = await ctx.models.entry(query.model);
    const input = await readImageInput(c, config.maxInputPixels);
    const format = query.format ?? 'png';
    if (format !== 'png') checkBufferedOutput(`format=${format}`, input, entry.scale, config.maxBufferedOutputPixels);
    const t0 = performance.now();
    const job = await Job.start(ctx.queue, c.req.raw.signal);
    let streaming = false;
    try {
      timing.record('queue', performance.now() - t0);
      const lease = (job.lease = await timing.measure('model', () => ctx.models.acquire(entry.name, query.alpha ?? null)));
      const { width, height } = input.header;
      const upscaler = lease.upscaler;
      const tile = requestTile(upscaler, width, height, query.tile, config);
      const ensemble = query.ensemble ?? 1;
      const work = estimateWork(upscaler, width, height, tile, lease.flopsPerPixel, ensemble);
      checkWork(work, config.maxWorkGflop, `${width}x${height} at tile ${tile}`);
      const decoded = await timing.measure('decode', () => decodeInput(ctx.codec, input));
      const headersFor = (check: { psnr: number; ssim: number | null }) => ({
        'Content-Type': MEDIA_TYPES[format],
        'X-SR-Model': lease.entry.name,
        'X-SR-Alpha': lease.alpha == null ? 'none' : String(lease.alpha),
        'X-SR-Scale': String(lease.scale),
        'X-SR-Tiles': String(work.tiles),
        'X-SR-Ensemble': String(ensemble),
        'X-SR-Consistency-PSNR': check.psnr.toFixed(3),
        'X-SR-Consistency-SSIM': check.ssim == null ? 'n/a' : check.ssim.toFixed(5),
      });
      if (!isPlainRgb(decoded)) {
        checkBufferedOutput(`a ${describeKind(decoded)} image`, input, lease.scale, config.maxBufferedOutputPixels);
        const out = await timing.measure('infer', () => upscaleImage(upscaler, decoded as PixelImage, { tile, ensemble, signal: job.signal }));
        const rgb = engineRgb(out);
        const check = await timing.measure('check', () => consistencyOfTop({ y: 0, ...rgb }, engineRgb(decoded), lease.scale));
        const body = await timing.measure('encode', async () =>
          format === 'png' ? encodePng(out, config.pngLevel) : ctx.codec.encode(forBufferedFormat(out, format), format, query.quality ?? 90),
        );
        return c.body(body as Uint8Array<ArrayBuffer>, 200, { ...headersFor(check), 'Server-Timing': timing.header() });
      }
      const lr = decoded as ImageU8;
      // The engine starts computing in BandReader's constructor (wasm kernels run synchronously), so it is timed too.
      const [reader, first] = await timing.measure('infer', async () => {
        const r = (job.reader = new BandReader((onBand) => upscaler.upscaleRows(lr, onBand, { tile, ensemble, signal: job.signal })));
        return [r, (await r.next())!] as const;
      });
      const check = await timing.measure('check', () => consistencyOfTop(first, lr, lease.scale));
      const headers = headersFor(check);
      if (format === 'png') {
        const encoder = new PngRowEncoder(first.width, lr.height * lease.scale, 3, 8, config.pngLevel);
        c.header('Server-Timing', timing.header());
        streaming = true;
        keepAliveUntil(c, job.finished);
        return c.body(pngStream(encoder, first, reader, job), 200, headers);
      }
      const sr = await timing.measure('infer-rest', async () => {
        const data = new Uint8Array(first.width * lr.height * lease.scale * 3);
        for (let band: typeof first | null = first; band; band = await reader.next()) data.set(band.data, band.y * first.width * 3);
        return { width: first.width, height: lr.height * lease.scale, channels: 3, data };
      });
      const body = await timing.measure('encode', () => ctx.codec.encode(sr, format, query.quality ?? 90));
      return c.body(body as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Server-Timing': timing.header() });
    } finally {
      if (!streaming) {
        job.cancel();
        await job.finish();
      }
    }
  });
}
