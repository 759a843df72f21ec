/**
 * Generator inference profile on one wasm thread (not part of `npm run bench`; a tool for tuning the forward):
 *
 *   node --import tsx tools/bench/inference/profile.ts [--only edge,x4v3,rrdb6] [--runs 5] [--kernels] [--heap 96]
 *     [--baseline DIR]
 *
 * For the edge SRVGG, the x4v3 SRVGG shape and RRDBNet 6 blocks: median wall and CPU seconds of the whole-image
 * forward and of the 64-px tiled upscale (after warm-up calls at the same sizes), LR MP/s and GFLOP/s. `--kernels` adds
 * per-kernel milliseconds of one whole-image forward (tf.profile); `--heap N` instead runs one forward per generator
 * on an NxN LR window in this fresh process (of the baseline when given; use --only for one model per process) and
 * prints the peak tensor bytes (tfjs counts a reshape's alias as new bytes) and the wasm heap size (it only grows).
 * Timings are CPU-time based as well as wall-clock because the machine is shared. `--baseline DIR` (a directory
 * holding an older `libs/model/src`, e.g. from `git archive <commit> libs/model/src | tar -x -C DIR`; inside the
 * checkout so that packages resolve) also times that version's forward on the same weights, alternating run by run
 * with the current one so that both see the same machine load.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import {
  createGenerator,
  disposeParams,
  flopsPerPixel,
  generatorTileModel,
  getGeneratorArch,
  initBackend,
  runGenerator,
  Upscaler,
  type Generator,
} from '@sr/model';
import { patternImage } from '../lib/images.ts';
import { RRDB_6, SRVGG_EDGE, SRVGG_X4V3, type BenchModel } from '../lib/models.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'edge,x4v3,rrdb6' },
    runs: { type: 'string', default: '5' },
    baseline: { type: 'string' }, kernels: { type: 'boolean', default: false }, heap: { type: 'string' } },
});
await initBackend({ prefer: 'wasm', threads: 1, log: null });

const ALL: { key: string; model: BenchModel; w: number; h: number }[] = [
  { key: 'edge', model: SRVGG_EDGE, w: 256, h: 192 },
  { key: 'x4v3', model: SRVGG_X4V3, w: 96, h: 64 },
  { key: 'rrdb6', model: RRDB_6, w: 48, h: 48 },
];
const CASES = ALL.filter((c) => values.only.split(',').includes(c.key));
const TILE = 64;

type Forward = (g: Generator, x: tf.Tensor4D) => tf.Tensor4D;
const current: Forward = runGenerator;
let baseline: Forward | undefined;
if (values.baseline) {
  const registry = (await import(`${values.baseline}/libs/model/src/archs/registry.ts`)) as { getGeneratorArch: typeof getGeneratorArch };
  baseline = (g, x) => registry.getGeneratorArch(g.arch).forward(g.params, x, g.config);
}
const round = (v: number, digits = 3) => Number(v.toFixed(digits));

interface Timing {
  wall: number;
  cpu: number;
}

/** Median wall and CPU seconds of `runs` calls of each function, called in turn. */
async function timeEach(runs: number, fs: (() => Promise<void> | void)[]): Promise<Timing[]> {
  const samples = fs.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    for (const [k, f] of fs.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await f();
      samples[k].wall.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      samples[k].cpu.push((c.user + c.system) / 1e6);
    }
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return samples.map((s) => ({ wall: median(s.wall), cpu: median(s.cpu) }));
}

function heapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return backend.wasm?.HEAPU8.length ?? 0;
}

async function heapReport(size: number) {
  const out = [];
  for (const c of CASES) {
    const g = createGenerator(c.model.arch, c.model.config, 1);
    const x = tf.randomUniform([1, size, size, 3]) as tf.Tensor4D;
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => (baseline ?? current)(g, x).dispose());
    out.push({
      model: c.model.name,
      window: `${size}x${size}`,
      peakActivationBytes: info.peakBytes - before,
      bytesPerWindowPixel: round((info.peakBytes - before) / (size * size), 0),
      wasmHeapBytes: heapBytes(),
    });
    x.dispose();
    disposeParams(g.params);
  }
  return out;
}

async function caseReport(c: (typeof CASES)[number], runs: number) {
  const g: Generator = createGenerator(c.model.arch, c.model.config, 1);
  const flops = flopsPerPixel(g);
  const x = tf.randomUniform([1, c.h, c.w, 3]) as tf.Tensor4D;
  const image = patternImage(c.w, c.h);
  const versions = baseline ? { current, baseline } : { current };
  const whole = Object.values(versions).map((f) => () => f(g, x).dispose());
  // Without the valid forward, so that tiles run through the forward being compared.
  const uppers = Object.values(versions).map((f) => new Upscaler({ ...generatorTileModel(g), valid: undefined, forward: (t) => f(g, t) }));
  const tiled = uppers.map((up) => async () => void (await up.upscale(image, { tile: TILE })));
  const plan = uppers[0].plan(c.w, c.h, { tile: TILE });
  const tiledPixels = plan.tiles.length * plan.windowWidth * plan.windowHeight;
  for (const f of [...whole, ...whole, ...tiled]) await f();
  const figures = (t: Timing, pixelsRun: number) => ({
    wallSeconds: round(t.wall),
    cpuSeconds: round(t.cpu),
    lrMegapixelsPerSecond: round((c.w * c.h) / t.wall / 1e6, 4),
    lrMegapixelsPerCpuSecond: round((c.w * c.h) / t.cpu / 1e6, 4),
    gflopsPerCpuSecond: round((flops * pixelsRun) / t.cpu / 1e9, 2),
  });
  const wholeTimes = await timeEach(runs, whole);
  const tiledTimes = await timeEach(runs, tiled);
  const report: Record<string, unknown> = {
    model: c.model.name,
    lrSize: `${c.w}x${c.h}`,
    mflopsPerLrPixel: round(flops / 1e6, 3),
    tiles: { tile: TILE, overlap: plan.pad, count: plan.tiles.length },
  };
  Object.keys(versions).forEach((name, i) => {
    report[name] = { whole: figures(wholeTimes[i], c.w * c.h), tiled: figures(tiledTimes[i], tiledPixels) };
  });
  if (values.kernels) {
    const info = await tf.profile(whole[0]);
    const perKernel: Record<string, { calls: number; ms: number }> = {};
    for (const k of info.kernels) {
      const e = (perKernel[k.name] ??= { calls: 0, ms: 0 });
      e.calls++;
      e.ms = round(e.ms + (k.kernelTimeMs as number), 2);
    }
    report.kernels = perKernel;
  }
  x.dispose();
  disposeParams(g.params);
  return report;
}

if (values.heap) {
  process.stdout.write(`${JSON.stringify(await heapReport(Number(values.heap)), null, 1)}\n`);
} else {
  const results = [];
  for (const c of CASES) results.push(await caseReport(c, Number(values.runs)));
  process.stdout.write(`${JSON.stringify(results, null, 1)}\n`);
}
process.exit(0);
