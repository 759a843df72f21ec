import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countParams, createGenerator, disposeParams, initBackend, saveModelFile, Upscaler } from '@sr/model';
import type { ImageU8 } from '@sr/metrics';
import { readImageRgb } from '../src/io/image-io.ts';

const SR = fileURLToPath(new URL('../bin/sr.mjs', import.meta.url));
const run = promisify(execFile);
const CONFIG = { num_in_ch: 3, num_out_ch: 3, num_feat: 8, num_conv: 3, upscale: 4, act_type: 'prelu' };

async function sr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SR, 'upscale', ...args], { env: { ...process.env, SR_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function maxAbsDiff(a: ImageU8, b: ImageU8): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  return a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);
}

let dir: string;
const file = (name: string) => join(dir, name);
let input: ImageU8;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-upscale-cli-'));
  await initBackend({ prefer: 'wasm', log: null });
  for (const [name, seed] of [['a', 1], ['b', 2]] as const) {
    const g = createGenerator('SRVGGNetCompact', CONFIG, seed);
    await saveModelFile(file(`${name}.safetensors`), g);
    disposeParams(g.params);
  }
  const px = new Uint8Array(21 * 13 * 3).map((_, i) => (i * 37 + (i % 7) * 11) & 255);
  await sharp(px, { raw: { width: 21, height: 13, channels: 3 } }).png().toFile(file('in.png'));
  input = await readImageRgb(file('in.png'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function paramCount(): Promise<number> {
  const g = createGenerator('SRVGGNetCompact', CONFIG, 1);
  const n = countParams(g.params);
  disposeParams(g.params);
  return n;
}

/** What the library gives for model file `name` (same wasm backend as the CLI). */
async function expected(name: string): Promise<ImageU8> {
  const g = createGenerator('SRVGGNetCompact', CONFIG, name === 'a' ? 1 : 2);
  try {
    return await Upscaler.forGenerator(g).upscale(input);
  } finally {
    disposeParams(g.params);
  }
}

describe('sr upscale', () => {
  it('writes the tiled result and reports model, tiles, time and throughput', async () => {
    const r = await sr(file('in.png'), '--model', file('a.safetensors'), '--out', file('out.png'), '--tile', '8', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      input: { width: 21, height: 13 },
      output: { width: 84, height: 52 },
      model: { arch: 'SRVGGNetCompact', scale: 4, params: await paramCount() },
      tiles: { count: 6, rows: 2, cols: 3, tile: 8, overlap: 5, batch: 1 },
      backend: { backend: 'wasm' },
    });
    expect(report.lrMegapixelsPerSecond).toBeGreaterThan(0);
    expect(report.peakRssBytes).toBeGreaterThan(1e6);
    expect(maxAbsDiff(await readImageRgb(file('out.png')), await expected('a'))).toBeLessThanOrEqual(1);
  });

  it('interpolates with --b/--alpha: the end points are the two models', async () => {
    const [r0, r1] = await Promise.all(
      ['0', '1'].map((alpha) =>
        sr(file('in.png'), '--model', file('a.safetensors'), '--b', file('b.safetensors'), '--alpha', alpha, '--out', file(`mix${alpha}.png`)),
      ),
    );
    expect(r0.code, r0.stderr).toBe(0);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r0.stdout).toMatch(/b\.safetensors α=0/);
    expect(maxAbsDiff(await readImageRgb(file('mix0.png')), await expected('a'))).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(await readImageRgb(file('mix1.png')), await expected('b'))).toBeLessThanOrEqual(1);
  });

  it.concurrent.each([
    [['--model', 'missing.safetensors'], /cannot read missing\.safetensors/],
    [['--model', 'MODEL', '--alpha', '0.5'], /--alpha and --b go together/],
    [['--model', 'MODEL', '--tile', '-4'], /--tile must be an integer >= 0/],
  ])('fails with one line and exit 2: %j', async (args, message) => {
    const r = await sr(file('in.png'), ...args.map((a) => (a === 'MODEL' ? file('a.safetensors') : a)), '--out', file('x.png'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it.concurrent('rejects an input that is not an image', async () => {
    const r = await sr(file('a.safetensors'), '--model', file('a.safetensors'), '--out', file('x.png'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot decode .*a\.safetensors as an image/);
  });
});
