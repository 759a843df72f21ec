/**
 * `edge-api` bench section: upscale latency and LR megapixels/s through HTTP, in real workerd
 * (`wrangler dev`) and in Node, for 128x128 and 256x256 inputs, with the shipped default model
 * (apps/edge-api/public/models, when present) and with a compact x4 model of the realesr-general-x4v3
 * size (SRVGGNetCompact 64 features, 16 convs; random weights: speed does not depend on them).
 * Each point: one warm-up request, then the median of RUNS, wall clock and (workerd, engine) CPU time. With the shipped model also: the engine's LR MP/s at 128² and 256²
 * in this process (tfjs wasm, 1 thread), whole image and at the default tile; the HTTP/engine ratio at 256² from
 * interleaved pairs of a workerd request and an engine run; one large urban100-val image (when ../shared
 * is there) upscaled and evaluated in workerd with the isolate's heap (JS heap + ArrayBuffer/wasm backing stores, through
 * the inspector) and the workerd process's resident memory sampled every 25 ms, and CPU ms per LR MP (workerd's clock).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import sharp from 'sharp';
import { createGenerator, disposeParams, encodeModelFile, initBackend, Upscaler } from '@sr/model';
import { readFile } from 'node:fs/promises';
import { loadFile } from '../../apps/edge-api/src/models/engine.ts';
import { parseManifest } from '../../apps/edge-api/src/models/manifest.ts';
import { buildManifest, writeManifest } from '../../apps/edge-api/src/models/build-manifest.ts';
import { NODE_DEFAULTS, WORKERD_DEFAULTS } from '../../apps/edge-api/src/config.ts';
import { defaultTile } from '../../apps/edge-api/src/work.ts';
import { createNodeApp } from '../../apps/edge-api/src/node.ts';
import { openHeapProbe, startWorker, type RunningWorker } from '../../apps/edge-api/scripts/workerd-dev.ts';
import type { BenchSection } from './section.ts';

const SIZES = [128, 256];
const RUNS = 5;
/** V8 tiers the wasm kernels up over the first few runs in each runtime (measured: ~5 engine runs to steady speed). */
const WARM_UPS = 5;
const SHIPPED_MODELS = join(import.meta.dirname, '../../apps/edge-api/public/models');
const MODEL = { num_in_ch: 3, num_out_ch: 3, num_feat: 64, num_conv: 16, upscale: 4, act_type: 'prelu' };

async function modelsDir(): Promise<string> {
  await initBackend({ prefer: 'wasm', log: null });
  const dir = await mkdtemp(join(tmpdir(), 'sr-bench-edge-'));
  const g = createGenerator('SRVGGNetCompact', MODEL, 1);
  await writeFile(join(dir, 'compact-x4.safetensors'), await encodeModelFile(g));
  disposeParams(g.params);
  await writeManifest(dir, await buildManifest(dir, [{ name: 'compact-x4', file: 'compact-x4.safetensors', default: true }]));
  return dir;
}

/** The bench's input: size² 8-bit RGB of a fixed hash pattern (the same pixels for the HTTP and the engine runs). */
function noisePixels(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 2654435761) >>> 24;
  return px;
}

async function noiseImage(size: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await sharp(noisePixels(size), { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
}

/** One POST /v1/upscale of a PNG, its body read to the end: wall ms and, with `cpuSeconds`, the server's CPU ms. */
async function timedUpscale(url: string, body: Uint8Array<ArrayBuffer>, cpuSeconds?: () => number) {
  const [t0, c0] = [performance.now(), cpuSeconds?.() ?? 0];
  const res = await fetch(`${url}/v1/upscale`, { method: 'POST', body, headers: { 'content-type': 'image/png' } });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const bytes = (await res.arrayBuffer()).byteLength;
  return { res, bytes, wallMs: performance.now() - t0, cpuMs: ((cpuSeconds?.() ?? 0) - c0) * 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Server-Timing `name;dur=x` → { name: x }. */
function serverTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const mpPerSecond = (pixels: number, ms: number) => Number((pixels / 1e6 / (ms / 1000)).toFixed(4));

/**
 * Each size: a warm-up request, then the median of RUNS. With `cpuSeconds` (the workerd process's CPU clock) also the
 * server's CPU time per request, which another job on the machine inflates far less than the wall time.
 */
async function measure(url: string, sizes = SIZES, cpuSeconds?: () => number) {
  const points = [];
  for (const size of sizes) {
    const body = await noiseImage(size);
    interface Run {
      ms: number;
      cpuMs: number;
      bytes: number;
      timing: Record<string, number>;
      tiles: string | null;
    }
    const once = async (): Promise<Run> => {
      const { res, bytes, wallMs, cpuMs } = await timedUpscale(url, body, cpuSeconds);
      return { ms: wallMs, cpuMs, bytes, timing: serverTiming(res.headers.get('server-timing')), tiles: res.headers.get('x-sr-tiles') };
    };
    await once();
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once());
    const ms = median(runs.map((r) => r.ms));
    const cpuMs = median(runs.map((r) => r.cpuMs));
    points.push({
      input: `${size}x${size}`,
      tiles: Number(runs[0].tiles),
      outputBytes: runs[0].bytes,
      latencyMs: Math.round(ms),
      lrMegapixelsPerSecond: mpPerSecond(size * size, ms),
      ...(cpuSeconds && { serverCpuMs: Math.round(cpuMs), lrMegapixelsPerCpuSecond: mpPerSecond(size * size, cpuMs) }),
      serverTimingMs: Object.fromEntries(Object.keys(runs[0].timing).map((k) => [k, Math.round(median(runs.map((r) => r.timing[k] ?? 0)))])),
    });
  }
  return points;
}

const LARGE = join(import.meta.dirname, '../../../shared/datasets/urban100-val/img_092.png');

const MB = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * One request with the worker sampled every 25 ms while it runs: the isolate's heap through the inspector (JS heap in
 * use, ArrayBuffer backing stores: pixel buffers and wasm memories), and the workerd process's resident set.
 */
async function sampled(worker: RunningWorker, path: string, body: Uint8Array<ArrayBuffer>) {
  await new Promise((r) => setTimeout(r, 500));
  const heap = await openHeapProbe(worker.inspectorPort);
  const idle = { rss: worker.memory().rss, ...(await heap.read()) };
  const peak = { ...idle, isolate: idle.jsUsed + idle.backingStore };
  let busy = false;
  const timer = setInterval(async () => {
    peak.rss = Math.max(peak.rss, worker.memory().rss);
    if (busy) return;
    busy = true;
    const h = await heap.read();
    busy = false;
    peak.jsUsed = Math.max(peak.jsUsed, h.jsUsed);
    peak.backingStore = Math.max(peak.backingStore, h.backingStore);
    peak.isolate = Math.max(peak.isolate, h.jsUsed + h.backingStore);
  }, 25);
  const [t0, c0] = [performance.now(), worker.cpuSeconds()];
  const res = await fetch(`${worker.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'image/png' } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const ms = performance.now() - t0;
  clearInterval(timer);
  heap.close();
  return {
    status: res.status,
    ms: Math.round(ms),
    cpuMs: Math.round((worker.cpuSeconds() - c0) * 1000),
    bytes,
    memory: {
      isolatePeakMB: MB(peak.isolate),
      jsHeapPeakMB: MB(peak.jsUsed),
      backingStorePeakMB: MB(peak.backingStore),
      isolateIdleMB: MB(idle.jsUsed + idle.backingStore),
      processRssIdleMB: MB(idle.rss),
      processRssPeakGrowthMB: MB(peak.rss - idle.rss),
    },
  };
}

async function largeImage(worker: RunningWorker) {
  if (!existsSync(LARGE)) return undefined;
  const body = new Uint8Array(await readFile(LARGE));
  const { width, height } = await sharp(body).metadata();
  const up = await sampled(worker, '/v1/upscale', body);
  const out = up.status === 200 ? await sharp(up.bytes).metadata() : undefined;
  const evaluate = await sampled(worker, '/v1/evaluate', body);
  const lrMP = (width! * height!) / 1e6;
  return {
    input: `${width}x${height} (urban100-val ${LARGE.split('/').pop()})`,
    upscale: {
      status: up.status,
      output: out && `${out.width}x${out.height}`,
      outputBytes: up.bytes.length,
      latencyMs: up.ms,
      memory: up.memory,
      // workerd's CPU clock (the inspector's heap sampling included, a few %); wall time per LR MP beside it.
      cpuMsPerLrMegapixel: Math.round(up.cpuMs / lrMP),
      wallMsPerLrMegapixel: Math.round(up.ms / lrMP),
    },
    evaluate: { status: evaluate.status, latencyMs: evaluate.ms, body: new TextDecoder().decode(evaluate.bytes).slice(0, 300), memory: evaluate.memory },
  };
}

interface EngineRates {
  input: string;
  lrMegapixelsPerSecond: number;
  lrMegapixelsPerCpuSecond: number;
  defaultTile?: number;
  tiledLrMegapixelsPerSecond?: number;
  tiledLrMegapixelsPerCpuSecond?: number;
}

interface Timed {
  wallMs: number;
  cpuMs: number;
}

/** The engine on the default model of `dir` at size², in this process (tfjs wasm, 1 thread): one upscale per call, timed by wall clock and by this process's CPU clock. */
async function engineRunner(dir: string, size: number) {
  await initBackend({ prefer: 'wasm', log: null });
  const manifest = parseManifest(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const entry = manifest.models.find((m) => m.default) ?? manifest.models[0];
  const { generator } = await loadFile(new Uint8Array(await readFile(join(dir, entry.file))));
  const px = noisePixels(size);
  const upscaler = Upscaler.forGenerator(generator);
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  return {
    upscaler,
    generator,
    async once(tile: number): Promise<Timed> {
      const [t0, c0] = [performance.now(), cpuMs()];
      await upscaler.upscale({ width: size, height: size, channels: 3, data: px }, { tile });
      return { wallMs: performance.now() - t0, cpuMs: cpuMs() - c0 };
    },
    dispose: () => disposeParams(generator.params),
  };
}

/**
 * The engine alone at size², median of RUNS after a warm-up: whole image (tile 0) and, with `withDefaultTile`, at the
 * tile workerd's default policy picks, so the HTTP ratio can be split into tiling cost and HTTP-path cost.
 */
async function engineRates(dir: string, size: number, withDefaultTile: boolean): Promise<EngineRates> {
  const engine = await engineRunner(dir, size);
  const rate = async (tile: number) => {
    for (let i = 0; i < WARM_UPS; i++) await engine.once(tile);
    const runs: Timed[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await engine.once(tile));
    return { wall: mpPerSecond(size * size, median(runs.map((r) => r.wallMs))), cpu: mpPerSecond(size * size, median(runs.map((r) => r.cpuMs))) };
  };
  try {
    const whole = await rate(0);
    const result = { input: `${size}x${size}`, lrMegapixelsPerSecond: whole.wall, lrMegapixelsPerCpuSecond: whole.cpu };
    if (!withDefaultTile) return result;
    const overlap = engine.upscaler.plan(size, size, { tile: 0 }).pad;
    const defaultTileSide = defaultTile(engine.upscaler, size, size, WORKERD_DEFAULTS.defaultTile, overlap, engine.generator.scale);
    const tiled = await rate(defaultTileSide);
    return { ...result, defaultTile: defaultTileSide, tiledLrMegapixelsPerSecond: tiled.wall, tiledLrMegapixelsPerCpuSecond: tiled.cpu };
  } finally {
    engine.dispose();
  }
}

const PAIRS = 11;

/**
 * The HTTP/engine ratio at 256² from PAIRS interleaved pairs: one `/v1/upscale` request to the worker (its CPU from
 * workerd's clock), then one whole-image engine run here, so that a change in the machine's speed during the run
 * touches both sides alike. Ratios of the medians, by CPU time and by wall time.
 */
async function pairedAt256(worker: RunningWorker, dir: string) {
  const size = 256;
  const body = await noiseImage(size);
  const engine = await engineRunner(dir, size);
  const request = async (): Promise<Timed> => {
    const { wallMs, cpuMs } = await timedUpscale(worker.url, body, worker.cpuSeconds);
    return { wallMs, cpuMs };
  };
  try {
    for (let i = 0; i < WARM_UPS; i++) {
      await request();
      await engine.once(0);
    }
    const http: Timed[] = [];
    const whole: Timed[] = [];
    for (let i = 0; i < PAIRS; i++) {
      http.push(await request());
      whole.push(await engine.once(0));
    }
    const ms = (runs: Timed[], key: keyof Timed) => runs.map((r) => Math.round(r[key]));
    const ratio = (key: keyof Timed) => Number((median(whole.map((r) => r[key])) / median(http.map((r) => r[key]))).toFixed(3));
    return {
      pairs: PAIRS,
      httpOverEngine: { cpuTime: ratio('cpuMs'), wallTime: ratio('wallMs') },
      workerdCpuMs: ms(http, 'cpuMs'),
      engineCpuMs: ms(whole, 'cpuMs'),
      httpWallMs: ms(http, 'wallMs'),
      engineWallMs: ms(whole, 'wallMs'),
    };
  } finally {
    engine.dispose();
  }
}

/** Both runtimes serving the models of `dir`; with `shippedChecks` also the paired 256² ratio and the large image in workerd. */
async function measureRuntimes(dir: string, shippedChecks = false, sizes = SIZES) {
  const worker = await startWorker(dir);
  let workerd;
  let large;
  let paired;
  try {
    workerd = await measure(worker.url, sizes, worker.cpuSeconds);
    if (shippedChecks) {
      paired = await pairedAt256(worker, dir);
      large = await largeImage(worker);
    }
  } finally {
    await worker.stop();
  }
  const app = createNodeApp({ modelsDir: dir, env: {} });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  try {
    return { workerd, paired, node: await measure(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, sizes), large };
  } finally {
    server.close();
  }
}

export const edgeApiSection: BenchSection = {
  name: 'edge-api',
  description: 'POST /v1/upscale latency and LR MP/s in workerd and Node (shipped default model and an x4v3-sized SRVGG, 128/256 px)',
  async run() {
    const tiles = { workerd: WORKERD_DEFAULTS.defaultTile, node: NODE_DEFAULTS.defaultTile };
    let shipped;
    if (existsSync(join(SHIPPED_MODELS, 'manifest.json'))) {
      const engine = await engineRates(SHIPPED_MODELS, 256, true);
      const engine128 = await engineRates(SHIPPED_MODELS, 128, false);
      const http = await measureRuntimes(SHIPPED_MODELS, true);
      const at128 = http.workerd.find((p) => p.input === '128x128')!;
      const ratio = (mps: number, engineMps: number) => Number((mps / engineMps).toFixed(3));
      const node256 = http.node.find((p) => p.input === '256x256')!;
      const paired = http.paired!;
      shipped = {
        model: 'shipped default',
        // The goal's number: workerd's CPU per 256² request against the engine's whole image, interleaved (see pairedAt256).
        httpOverEngineAt256: { ...paired.httpOverEngine, node: ratio(node256.lrMegapixelsPerSecond, engine.lrMegapixelsPerSecond) },
        engineWholeImage: engine,
        engineWholeImage128: engine128,
        engineTiledOverWholeAt256: { cpuTime: ratio(engine.tiledLrMegapixelsPerCpuSecond!, engine.lrMegapixelsPerCpuSecond), wallTime: ratio(engine.tiledLrMegapixelsPerSecond!, engine.lrMegapixelsPerSecond) },
        // One window at 128², measured apart (workerd's median request vs the engine's median): the HTTP path's share where the model is cheapest per output pixel.
        httpOverEngineAt128: { cpuTime: ratio(at128.lrMegapixelsPerCpuSecond!, engine128.lrMegapixelsPerCpuSecond) },
        ...http,
      };
    }
    const dir = await modelsDir();
    try {
      // Compute-bound (64 features, 16 convs): workerd's CPU per request over the engine's here is mostly the two
      // runtimes' wasm speed.
      const engine128 = await engineRates(dir, 128, false);
      const http = await measureRuntimes(dir, false, [128]);
      const cpuOverEngine = Number((http.workerd[0].lrMegapixelsPerCpuSecond! / engine128.lrMegapixelsPerCpuSecond).toFixed(3));
      return { tiles, shipped, x4v3Size: { model: { arch: 'SRVGGNetCompact', ...MODEL }, engineWholeImage128: engine128, cpuTime: { httpOverEngineAt128: cpuOverEngine }, ...http } };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
