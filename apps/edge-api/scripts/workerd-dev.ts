/**
 * Runs the real worker in local workerd through `wrangler dev` (what `npm start` does) on 127.0.0.1
 * with free ports, the given models as static assets, and bounded start-up time. The worker is
 * bundled once up front and served with `--no-bundle`, so edits to the sources while it runs do not
 * restart it mid-request. `stop` kills the whole process group (wrangler and its workerd child).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface IsolateHeap {
  /** V8 JS heap in use and reserved. */
  jsUsed: number;
  jsTotal: number;
  /** ArrayBuffer backing stores outside the JS heap: pixel buffers and the wasm memories (tfjs, codecs). */
  backingStore: number;
}

/** Reads the isolate's heap through the worker's inspector (Chrome DevTools protocol `Runtime.getHeapUsage`). */
export async function openHeapProbe(inspectorPort: number): Promise<{ read: () => Promise<IsolateHeap>; close: () => void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const waiting = new Map<number, (r: { usedSize: number; totalSize: number; backingStorageSize?: number }) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    waiting.get(msg.id)?.(msg.result);
    waiting.delete(msg.id);
  });
  const call = (method: string) =>
    new Promise<{ usedSize: number; totalSize: number; backingStorageSize?: number }>((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method }));
    });
  const read = async (): Promise<IsolateHeap> => {
    const r = await call('Runtime.getHeapUsage');
    return { jsUsed: r.usedSize, jsTotal: r.totalSize, backingStore: r.backingStorageSize ?? 0 };
  };
  return { read, close: () => ws.close() };
}

export interface RunningWorker {
  url: string;
  logs: () => string;
  /** The inspector (Chrome DevTools protocol) of the worker's isolate. */
  inspectorPort: number;
  /** Resident memory of the workerd process(es) of this worker (VmRSS and its peak VmHWM), bytes; Linux only. */
  memory: () => { rss: number; peak: number };
  /** CPU seconds used so far by the workerd process(es), every thread, nanosecond resolution; Linux only. */
  cpuSeconds: () => number;
  stop: () => Promise<void>;
}

/** The pids of the workerd processes in process group `pgid` (wrangler is started as a group leader). */
function workerdProcesses(pgid: number): string[] {
  const found = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && stat.includes('(workerd)')) found.push(pid);
    } catch {
      // the process went away
    }
  }
  return found;
}

function workerdMemory(pgid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  for (const pid of workerdProcesses(pgid)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // the process went away
    }
  }
  return { rss, peak };
}

/**
 * CPU seconds of the workerd processes, every thread: the sum of the threads' run time from /proc/PID/task/TID/schedstat
 * (nanoseconds, where /proc/PID/stat counts 10 ms ticks, too coarse for one ~300 ms request).
 */
function workerdCpuSeconds(pgid: number): number {
  let ns = 0;
  for (const pid of workerdProcesses(pgid)) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the process or thread went away
    }
  }
  return ns / 1e9;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode != null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev was not ready after ${timeoutMs} ms:\n${logs()}`);
}

const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true', NO_COLOR: '1' };

/** `wrangler deploy --dry-run` bundles without uploading; the output is worker.js plus the wasm modules. */
async function bundle(outDir: string): Promise<string> {
  await promisify(execFile)('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outDir], { cwd: APP_DIR, env: WRANGLER_ENV, timeout: 120_000 });
  return join(outDir, 'worker.js');
}

export async function startWorker(modelsDir: string, vars: Record<string, string> = {}, timeoutMs = 90_000): Promise<RunningWorker> {
  const work = await mkdtemp(join(tmpdir(), 'sr-edge-worker-'));
  const assets = join(work, 'assets');
  let script: string;
  try {
    script = await bundle(join(work, 'bundle'));
    await cp(join(APP_DIR, 'public'), assets, { recursive: true, filter: (src) => !src.includes(join('public', 'models')) });
    await cp(modelsDir, join(assets, 'models'), { recursive: true });
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
  const [port, inspector] = [await freePort(), await freePort()];
  const args = ['wrangler', 'dev', script, '-c', 'wrangler.toml', '--no-bundle', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--assets', assets, '--log-level', process.env.SR_WRANGLER_LOG ?? 'warn'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn('npx', args, {
    cwd: APP_DIR,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: WRANGLER_ENV,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const logs = () => output.slice(-4000);
  const stop = async () => {
    if (child.exitCode == null && child.pid != null) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(work, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, timeoutMs, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, logs, stop, inspectorPort: inspector, memory: () => workerdMemory(child.pid!), cpuSeconds: () => workerdCpuSeconds(child.pid!) };
}
