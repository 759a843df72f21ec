/**
 * `edge-api` bench section: upscale latency and LR megapixels/s through HTTP, in real workerd
 * (`wrangler dev`) and in Node, for 128x128 and 256x256 inputs, with the shipped default model
 * (apps/edge-api/public/models, when present) and with a compact x4 model of the realesr-general-x4v3
 * size (SRVGGNetCompact 64 features, 16 convs; random weights: speed does not depend on them).
 * Each point: one warm-up request, then the median of `runs`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import sharp from 'sharp';
import { createGenerator, disposeParams, encodeModelFile, initBackend } from '@sr/model';
import { buildManifest, writeManifest } from '../../apps/edge-api/src/models/build-manifest.ts';
import { NODE_DEFAULTS, WORKERD_DEFAULTS } from '../../apps/edge-api/src/config.ts';
import { createNodeApp } from '../../apps/edge-api/src/node.ts';
import { startWorker } from '../../apps/edge-api/scripts/workerd-dev.ts';
import type { BenchSection } from './section.ts';

const SIZES = [128, 256];
const RUNS = 3;
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

async function noiseImage(size: number): Promise<Uint8Array<ArrayBuffer>> {
  const px = new Uint8Array(size * size * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 2654435761) >>> 24;
  return new Uint8Array(await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
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

async function measure(url: string) {
  const points = [];
  for (const size of SIZES) {
    const body = await noiseImage(size);
    interface Run {
      ms: number;
      timing: Record<string, number>;
      tiles: string | null;
    }
    const once = async (): Promise<Run> => {
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/upscale`, { method: 'POST', body, headers: { 'content-type': 'image/png' } });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      return { ms: performance.now() - t0, timing: serverTiming(res.headers.get('server-timing')), tiles: res.headers.get('x-sr-tiles') };
    };
    await once();
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once());
    const ms = median(runs.map((r) => r.ms));
    points.push({
      input: `${size}x${size}`,
      tiles: Number(runs[0].tiles),
      latencyMs: Math.round(ms),
      lrMegapixelsPerSecond: Number(((size * size) / 1e6 / (ms / 1000)).toFixed(4)),
      serverTimingMs: Object.fromEntries(Object.keys(runs[0].timing).map((k) => [k, Math.round(median(runs.map((r) => r.timing[k] ?? 0)))])),
    });
  }
  return points;
}

/** Both runtimes serving the models of `dir`. */
async function measureRuntimes(dir: string) {
  const worker = await startWorker(dir);
  let workerd;
  try {
    workerd = await measure(worker.url);
  } finally {
    await worker.stop();
  }
  const app = createNodeApp({ modelsDir: dir, env: {} });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  try {
    return { workerd, node: await measure(`http://127.0.0.1:${(server.address() as AddressInfo).port}`) };
  } finally {
    server.close();
  }
}

export const edgeApiSection: BenchSection = {
  name: 'edge-api',
  description: 'POST /v1/upscale latency and LR MP/s in workerd and Node (shipped default model and an x4v3-sized SRVGG, 128/256 px)',
  async run() {
    const tiles = { workerd: WORKERD_DEFAULTS.defaultTile, node: NODE_DEFAULTS.defaultTile };
    const shipped = existsSync(join(SHIPPED_MODELS, 'manifest.json')) ? { model: 'shipped default', ...(await measureRuntimes(SHIPPED_MODELS)) } : undefined;
    const dir = await modelsDir();
    try {
      return { tiles, shipped, x4v3Size: { model: { arch: 'SRVGGNetCompact', ...MODEL }, ...(await measureRuntimes(dir)) } };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
