/**
 * One method, measured in its own process (so its peak RSS is its own): started by bench-peers.ts with fork(), the
 * job as JSON in argv[2]; progress on stderr, the result (or the error) back over IPC.
 */
import { initBackend, type BackendInfo } from '@sr/model';
import { loadEvalImages } from './dataset.ts';
import { loadMethod, SCALE, type MethodSpec } from './methods.ts';
import { measureQuality, measureThroughput, type QualityResult, type ThroughputResult } from './measure.ts';

export interface WorkerJob {
  method: MethodSpec;
  hrDir: string;
  lrDir: string;
  /** Quality images (the first N by name). */
  images: number;
  /** LR sides for the throughput runs. */
  sizes: number[];
  minSeconds: number;
  maxRuns: number;
}

export interface MethodResult {
  method: string;
  kind: MethodSpec['kind'];
  params: number | null;
  source: Record<string, unknown>;
  backend: BackendInfo;
  loadSeconds: number;
  quality: QualityResult & { lrFromFile: number; lrBicubic: number };
  throughput: ThroughputResult[];
  /** Peak resident set size of the whole worker process (data set included). */
  peakRssMiB: number;
}

export type WorkerMessage = { ok: true; result: MethodResult } | { ok: false; error: string };

/** The benchmark must not download anything: every model has to come from local files. */
function forbidNetwork(): void {
  globalThis.fetch = async (input) => {
    throw new Error(`network access attempted by the peer benchmark (${String(input)}); models must load from local files`);
  };
}

async function run(job: WorkerJob): Promise<MethodResult> {
  const log = (line: string) => process.stderr.write(`[${job.method.name}] ${line}\n`);
  forbidNetwork();
  const backend = await initBackend({ prefer: 'wasm', threads: 1, log: null });
  let t0 = performance.now();
  const method = await loadMethod(job.method);
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`loaded in ${loadSeconds.toFixed(1)} s (${method.params ?? 'no'} params, wasm simd ${backend.simd}, ${backend.threads} thread)`);
  try {
    const throughput: ThroughputResult[] = [];
    for (const size of job.sizes) {
      const r = await measureThroughput(method.upscale, size, { minSeconds: job.minSeconds, maxRuns: job.maxRuns });
      const cpu = r.lrMegapixelsPerCpuSecond?.toPrecision(3) ?? '?';
      log(`${size}x${size}: ${r.lrMegapixelsPerSecond.toPrecision(3)} LR MP/s, ${cpu} per CPU second (median of ${r.runs}, ${r.medianSeconds.toFixed(2)} s/image)`);
      throughput.push(r);
    }
    const images = await loadEvalImages({ hrDir: job.hrDir, lrDir: job.lrDir, scale: SCALE, limit: job.images });
    t0 = performance.now();
    const quality = await measureQuality(method.upscale, images, { yChannel: true, cropBorder: SCALE }, (row, i) =>
      log(`${i + 1}/${images.length} ${row.name}: ${row.psnr.toFixed(2)} dB, SSIM ${row.ssim.toFixed(4)} (${row.seconds.toFixed(1)} s)`),
    );
    log(`quality: ${quality.psnr.toFixed(2)} dB, SSIM ${quality.ssim.toFixed(4)} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const lrFromFile = images.filter((img) => img.lrSource === 'file').length;
    return {
      method: job.method.name,
      kind: job.method.kind,
      params: method.params,
      source: method.source,
      backend,
      loadSeconds,
      quality: { ...quality, lrFromFile, lrBicubic: images.length - lrFromFile },
      throughput,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await method.dispose();
  }
}

const send = (msg: WorkerMessage) => new Promise<void>((resolve) => process.send!(msg, () => resolve()));

if (!process.send) {
  process.stderr.write('worker.ts is started by bench-peers.ts (it needs an IPC channel)\n');
  process.exit(2);
}
try {
  await send({ ok: true, result: await run(JSON.parse(process.argv[2]) as WorkerJob) });
} catch (err) {
  await send({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
process.disconnect();
