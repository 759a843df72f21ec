import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readJsonl } from '../src/report/jsonl.ts';
import { loadCheckpoint } from '../src/train/checkpoint.ts';
import { SR_BIN as SR, TINY_CONFIG as TINY, tinyRunArgs } from './helpers.ts';

/** A psnr-only tiny run long enough (~40 steps) to be interrupted mid-way, checkpointing only at its end. */
const ITERS = 40;
const ARGS = [
  'train', '--config', TINY, '--phase', 'psnr',
  ...tinyRunArgs({
    'phases.psnr.iterations': String(ITERS),
    'phases.psnr.scheduler': `{"type":"cosine","periods":[${ITERS}]}`,
    'logging.every': '1',
    'logging.statsEvery': '5',
    'validation.every': '1000',
    'validation.samples': '0',
    'checkpoint.every': '1000',
  }),
];
const env = { ...process.env, SR_WASM_THREADS: '1' };
const sr = (args: string[]) => spawnSync(process.execPath, [SR, ...args], { encoding: 'utf8', env, timeout: 120_000 });

const trainRecords = (dir: string) => readJsonl(join(dir, 'train.jsonl')).filter((r) => r.kind === 'train');
const losses = (dir: string) => trainRecords(dir).map((r) => ({ iter: r.iter, losses: r.losses }));

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the last signal sent to the exit. */
  exitMs: number;
}

/** Starts `sr train`, waits until `ready()` (polled every 10 ms), then sends SIGINT `count` times. */
async function interrupt(dir: string, ready: () => boolean, count: 1 | 2, extra: string[] = []): Promise<Stopped> {
  const child = spawn(process.execPath, [SR, ...ARGS, '--out', dir, ...extra], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  while (!ready() && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < count; i++) child.kill('SIGINT');
  const sent = performance.now();
  const [code, signal] = await exited;
  return { code, signal, stderr, exitMs: performance.now() - sent };
}

const loggedAtLeast = (dir: string, n: number) => () => existsSync(join(dir, 'train.jsonl')) && readFileSync(join(dir, 'train.jsonl'), 'utf8').split('"kind":"train"').length > n;

describe('sr train: Ctrl-C, progress, early checks', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-interrupt-'));
  const full = join(root, 'full');

  it('off a TTY prints a progress line every --progress-every seconds', () => {
    const r = sr([...ARGS, '--out', full, '--progress-every', '0.2']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^psnr \d+\/40 \(\d+\.\d%\) \| \d+\.\d\d it\/s \| ETA \S+/.test(l));
    expect(lines.length, r.stderr).toBeGreaterThan(0);
    expect(lines.some((l) => / \| pix \S+ \(iter \d+\)$/.test(l)), lines.join('\n')).toBe(true);
    expect(trainRecords(full).map((x) => x.iter)).toEqual(Array.from({ length: ITERS }, (_, i) => i + 1));
  });

  it('SIGINT mid-interval checkpoints the iteration it was in; --resume continues with identical losses', async () => {
    const dir = join(root, 'once');
    const stopped = await interrupt(dir, loggedAtLeast(dir, 3), 1);
    expect(stopped.code, stopped.stderr).toBe(130);
    const last = trainRecords(dir).at(-1)!.iter;
    expect(last).toBeLessThan(ITERS);
    expect(loadCheckpoint(dir).state.iter).toBe(last);
    expect(stopped.stderr).toContain(`interrupted at psnr iteration ${last}; checkpoint saved, continue with --resume ${dir}`);
    const r = sr(['train', '--resume', dir, '--phase', 'psnr']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming psnr phase at iteration ${last}`);
    expect(losses(dir)).toEqual(losses(full));
  });

  it('a second SIGINT exits at once, leaving the last checkpoint intact', async () => {
    const dir = join(root, 'twice');
    const stopped = await interrupt(dir, loggedAtLeast(dir, 3), 2, ['--set', 'checkpoint.every=2']);
    expect(stopped.exitMs).toBeLessThan(2000);
    expect(stopped.code === 130 || stopped.signal === 'SIGINT', `${stopped.code} ${stopped.signal}`).toBe(true);
    const iter = loadCheckpoint(dir).state.iter;
    expect(iter).toBeGreaterThanOrEqual(2);
    const r = sr(['train', '--resume', dir, '--phase', 'psnr']);
    expect(r.status, r.stderr).toBe(0);
    expect(losses(dir)).toEqual(losses(full));
  });

  it('a bad data path or --progress-every fails with one line before anything is written to the run folder', () => {
    const dir = join(root, 'bad-data');
    const missing = join(root, 'no-such-folder');
    const r = sr([...ARGS, '--out', dir, '--set', `data.val={"hr":"${missing}"}`]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`sr: cannot list ${missing}: no such folder`);
    expect(existsSync(dir)).toBe(false);
    const bad = sr([...ARGS, '--out', dir, '--progress-every', '-1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('sr: --progress-every must be a number of seconds >= 0');
  });

  it('the second signal kills the process even while JavaScript is blocked after the first', async () => {
    const script = join(root, 'blocked.mjs');
    const signals = pathToFileURL(join(import.meta.dirname, '../src/train/signals.ts')).href;
    writeFileSync(
      script,
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};
register();
const { watchSignals } = await import(${JSON.stringify(signals)});
const s = watchSignals((line) => process.stderr.write(line + '\\n'));
process.stderr.write('ready\\n');
const wait = setInterval(() => {
  if (!s.requested()) return;
  clearInterval(wait);
  const end = Date.now() + 20000;
  while (Date.now() < end); // a long synchronous step
  process.exit(0);
}, 5);
`,
    );
    const child = spawn(process.execPath, [script], { cwd: import.meta.dirname, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d) => ((stderr += d), stderr.includes(text) && resolve()));
        void exited.then(() => reject(new Error(`exited before "${text}": ${stderr}`)));
      });
    await seen('ready');
    child.kill('SIGINT');
    await seen('send again to exit now');
    await new Promise((r) => setTimeout(r, 100));
    const sent = performance.now();
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(performance.now() - sent).toBeLessThan(2000);
  }, 30_000);
});
