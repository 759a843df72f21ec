import { access } from 'node:fs/promises';
import sharp from 'sharp';
import type { EnsembleSize, Upscaler } from '@sr/model';
import { hasAlpha, outscaleSize, resizePixelImage, upscaleImage, type AlphaUpsampler, type PixelImage } from '@sr/model/image';
import { CliError } from '../cli-error.ts';
import { encodePixelImage, readPixelImage, writeFileAtomic } from '../io/image-io.ts';
import type { PlannedOutput } from '../io/output-paths.ts';
import { RunProgress } from './progress.ts';

export interface ImageRunOptions {
  tile?: number;
  overlap?: number;
  batch: number;
  ensemble: EnsembleSize;
  alphaUpsampler: AlphaUpsampler;
  /** Final size = round(outscale × input) (MATLAB bicubic after the network); undefined = the network scale. */
  outscale?: number;
  quality?: number;
  skipExisting: boolean;
  signal: AbortSignal;
  /** One JSON line per image instead of a text line. */
  json: boolean;
  progress: boolean;
}

export interface ImageRunResult {
  written: number;
  skipped: number;
  failed: string[];
  lrPixels: number;
  upscaleSeconds: number;
}

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));
const KIND = ['', 'gray', 'gray+alpha', 'RGB', 'RGBA'] as const;
const describe = (img: PixelImage) => `${img.width}x${img.height} ${KIND[img.channels]} ${img.bitDepth}-bit`;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Tiles an image will take, from its header alone (0 when the header is unreadable: it fails later, by name). */
async function tilesFor(up: Upscaler, path: string, opts: ImageRunOptions): Promise<number> {
  try {
    const m = await sharp(path).metadata();
    const [w, h] = (m.orientation ?? 1) >= 5 ? [m.height, m.width] : [m.width, m.height];
    const passes = m.hasAlpha && opts.alphaUpsampler === 'model' ? 2 : 1;
    return up.plan(w, h, opts).tiles.length * passes;
  } catch {
    return 0;
  }
}

/**
 * Upscales every planned image in turn: decode (any kind), engine, optional outscale resize, encode, atomic write.
 * A file that fails is reported by name and the others go on; an abort stops the run.
 */
export async function upscaleImages(up: Upscaler, planned: PlannedOutput[], opts: ImageRunOptions): Promise<ImageRunResult> {
  const result: ImageRunResult = { written: 0, skipped: 0, failed: [], lrPixels: 0, upscaleSeconds: 0 };
  const todo: PlannedOutput[] = [];
  for (const p of planned) {
    if (opts.skipExisting && (await exists(p.outPath))) {
      result.skipped++;
      if (opts.json) console.log(JSON.stringify({ input: { path: p.path }, output: { path: p.outPath }, skipped: true }));
      else console.log(`${p.outPath}: exists, skipped`);
    } else todo.push(p);
  }
  const tiles = await Promise.all(todo.map((p) => tilesFor(up, p.path, opts)));
  const progress = new RunProgress('tiles', tiles.reduce((a, b) => a + b, 0), opts.progress);
  try {
    for (const [i, p] of todo.entries()) {
      progress.item(`${i + 1}/${todo.length} ${p.name}`, tiles[i]);
      try {
        const t0 = performance.now();
        const input = await readPixelImage(p.path);
        const t1 = performance.now();
        const plan = up.plan(input.width, input.height, opts);
        const net = await upscaleImage(up, input, {
          tile: opts.tile,
          overlap: opts.overlap,
          batch: opts.batch,
          ensemble: opts.ensemble,
          alpha: opts.alphaUpsampler,
          signal: opts.signal,
          onProgress: (done) => progress.update(done),
        });
        const upscaleSeconds = seconds(t1);
        const size = opts.outscale === undefined ? net : outscaleSize(input.width, input.height, opts.outscale);
        const output = resizePixelImage(net, size.width, size.height);
        const t2 = performance.now();
        await writeFileAtomic(p.outPath, await encodePixelImage(output, p.format, { quality: opts.quality }));
        result.written++;
        result.lrPixels += input.width * input.height;
        result.upscaleSeconds += upscaleSeconds;
        const line = {
          input: { path: p.path, width: input.width, height: input.height, channels: input.channels, bitDepth: input.bitDepth },
          output: {
            path: p.outPath,
            format: p.format,
            width: output.width,
            height: output.height,
            channels: p.format === 'jpeg' && hasAlpha(output) ? output.channels - 1 : output.channels,
            bitDepth: p.format === 'png' ? output.bitDepth : 8,
          },
          tiles: { count: plan.tiles.length, rows: plan.rows, cols: plan.cols, tile: plan.tileWidth, overlap: plan.pad, batch: opts.batch, ensemble: opts.ensemble },
          seconds: { decode: Number(((t1 - t0) / 1000).toFixed(3)), upscale: upscaleSeconds, write: seconds(t2), total: seconds(t0) },
          lrMegapixelsPerSecond: Number(((input.width * input.height) / 1e6 / upscaleSeconds).toFixed(5)),
        };
        if (opts.json) console.log(JSON.stringify(line));
        else progress.log(`${p.outPath}: ${describe(input)} → ${output.width}x${output.height} (${plan.tiles.length} tiles${opts.ensemble > 1 ? `, ensemble x${opts.ensemble}` : ''}, ${line.seconds.total} s)`);
      } catch (err) {
        if (opts.signal.aborted) throw new CliError('interrupted', 130);
        const message = err instanceof Error ? err.message : String(err);
        result.failed.push(p.path);
        if (opts.json) console.log(JSON.stringify({ input: { path: p.path }, error: { message } }));
        const first = message.split('\n')[0];
        progress.log(`sr: ${first.includes(p.path) ? first : `${p.path}: ${first}`}`, 'stderr');
      }
    }
  } finally {
    progress.stop();
  }
  return result;
}
