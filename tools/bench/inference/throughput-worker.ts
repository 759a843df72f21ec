/**
 * Child process of the `inference` bench section (the wasm thread count is fixed per process):
 * `node --import tsx throughput-worker.ts --threads N` prints a JSON array of timings on stdout.
 */
import { parseArgs } from 'node:util';
import { countParams, createGenerator, disposeParams, flopsPerPixel, initBackend, Upscaler } from '@sr/model';
import { naturalCrop, patternImage } from '../lib/images.ts';
import { RRDB_23, RRDB_6, SRVGG_EDGE, SRVGG_X4V3, type BenchModel } from '../lib/models.ts';

interface Case {
  model: BenchModel;
  /** LR side of the square input. */
  size: number;
  /** LR tile for the tiled run (the model's default overlap applies to both runs). */
  tile: number;
  /** Also time batches of `threads` tiles when threads > 1 (skipped where one run takes too long). */
  batched: boolean;
}

// Sizes keep the whole section to about a minute per thread count on this machine's ~25 GFLOP/s per wasm thread.
const CASES: Case[] = [
  { model: SRVGG_EDGE, size: 256, tile: 64, batched: true },
  { model: SRVGG_X4V3, size: 128, tile: 64, batched: true },
  { model: RRDB_6, size: 64, tile: 32, batched: true },
  // 32x32 LR (36 MFLOP per pixel): 64-px tiles would be a single tile, so 16-px tiles show the tiling cost.
  { model: RRDB_23, size: 32, tile: 16, batched: false },
];

const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' } } });
const info = await initBackend({ prefer: 'wasm', threads: Number(values.threads), log: null });

const round = (v: number, digits = 3) => Number(v.toFixed(digits));

async function timeRun(up: Upscaler, c: Case, image: Awaited<ReturnType<typeof patternImage>>, flops: number, tile: number, batch: number) {
  const plan = up.plan(c.size, c.size, { tile });
  const processed = up.work(c.size, c.size, { tile, batch }).pixels;
  const t0 = performance.now();
  await up.upscale(image, { tile, batch });
  const seconds = (performance.now() - t0) / 1000;
  return {
    mode: tile === 0 ? 'whole' : 'tiled',
    tile,
    overlap: plan.pad,
    batch,
    tiles: plan.tiles.length,
    // Share of the network's work that lands in the output (the rest is overlap context).
    efficiency: round((c.size * c.size) / processed),
    seconds: round(seconds),
    lrMegapixelsPerSecond: round((c.size * c.size) / seconds / 1e6, 5),
    gflopsPerSecond: round((flops * processed) / seconds / 1e9, 2),
  };
}

const results = [];
for (const c of CASES) {
  const g = createGenerator(c.model.arch, c.model.config, 1);
  const up = Upscaler.forGenerator(g);
  const flops = flopsPerPixel(g);
  const image = (await naturalCrop(c.size)) ?? patternImage(c.size, c.size);
  // Warm-up: XNNPACK operators are created (weights packed) on the first call of each conv.
  await up.upscale(patternImage(8, 8), { tile: 0 });
  const runs = [await timeRun(up, c, image, flops, 0, 1), await timeRun(up, c, image, flops, c.tile, 1)];
  // Batching equal-size tiles only pays when threads can split the batch.
  if (info.threads > 1 && c.batched) runs.push(await timeRun(up, c, image, flops, c.tile, info.threads));
  results.push({
    model: c.model.name,
    arch: c.model.arch,
    params: countParams(g.params),
    mflopsPerLrPixel: round(flops / 1e6, 2),
    lrSize: `${c.size}x${c.size}`,
    runs,
  });
  disposeParams(g.params);
  process.stderr.write(`bench: inference ${c.model.name} threads ${info.threads} done\n`);
}

process.stdout.write(`${JSON.stringify({ backend: info, results })}\n`);
// Worker threads of the threaded wasm backend would keep the process alive.
process.exit(0);
