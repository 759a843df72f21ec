/**
 * `npm run bench:peers`: our x4 model(s) against UpscalerJS's ESRGAN slim/medium/thick and bicubic, all on the tfjs
 * wasm SIMD backend with one thread. Per method, in its own process: PSNR/SSIM (Y, crop 4) on the validation images,
 * whole-image throughput in LR megapixels/s, peak RSS. Progress and the markdown table go to stderr, one JSON document
 * to stdout (`--markdown`: the table to stdout instead).
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { parsePeerArgs, USAGE, UsageError, type PeerOptions } from './args.ts';
import type { MethodSpec } from './methods.ts';
import { findOurModels } from './our-models.ts';
import { markdownTable } from './report.ts';
import type { MethodResult, WorkerJob, WorkerMessage } from './worker.ts';

const ROOT = join(import.meta.dirname, '../..');
const WORKER = join(import.meta.dirname, 'worker.ts');

/** Runs one job in a child process (same Node flags, so the TypeScript loader carries over). */
function runWorker(job: WorkerJob): Promise<MethodResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let message: WorkerMessage | undefined;
    child.on('message', (m) => (message = m as WorkerMessage));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (message?.ok) resolve(message.result);
      else if (message) reject(new Error(`${job.method.name}: ${message.error}`));
      else reject(new Error(`${job.method.name}: worker exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
}

async function main(opts: PeerOptions): Promise<void> {
  const ours = await findOurModels(opts.models, opts.modelsDir);
  if (ours.length === 0) process.stderr.write(`bench:peers: no model of ours (no --model, no ${join(opts.modelsDir, 'manifest.json')}); measuring the peers only\n`);
  const methods: MethodSpec[] = [
    { kind: 'bicubic', name: 'bicubic' },
    ...ours.map((m): MethodSpec => ({ kind: 'ours', name: m.name, path: m.path })),
    ...opts.peers.map((name): MethodSpec => ({ kind: 'upscalerjs', name })),
  ];
  const startedAt = new Date().toISOString();
  const results: MethodResult[] = [];
  for (const method of methods) {
    const t0 = performance.now();
    process.stderr.write(`bench:peers: ${method.name} ...\n`);
    results.push(
      await runWorker({ method, hrDir: opts.hrDir, lrDir: opts.lrDir, images: opts.images, sizes: opts.sizes, minSeconds: opts.minSeconds, maxRuns: opts.maxRuns }),
    );
    process.stderr.write(`bench:peers: ${method.name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  const table = markdownTable(results, opts.sizes);
  const cpus = os.cpus();
  const doc = {
    benchmark: 'peers',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length },
    setup: {
      backend: 'tfjs wasm (SIMD), 1 thread, one process per method',
      scale: 4,
      metrics: 'PSNR/SSIM on Y (BT.601), 4 px border cropped, HR mod-cropped to 4; whole image, no patches',
      hrDir: opts.hrDir,
      lrDir: opts.lrDir,
      images: opts.images,
      throughput: `whole-image LR sides ${opts.sizes.join(', ')}; 1 warm-up run, then median of up to ${opts.maxRuns} runs (>= ${opts.minSeconds} s)`,
    },
    results,
  };
  if (opts.markdown) {
    process.stdout.write(`${table}\n`);
  } else {
    process.stderr.write(`\n${table}\n`);
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
}

try {
  await main(parsePeerArgs(process.argv.slice(2), ROOT));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`bench:peers: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench:peers: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
