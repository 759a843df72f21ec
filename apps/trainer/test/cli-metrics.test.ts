import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downscaleBicubic, psnr, ssim, type ImageU8 } from '@sr/metrics';
import { readImageRgb, writeImage } from '../src/io/image-io.ts';

const SR = fileURLToPath(new URL('../bin/sr.mjs', import.meta.url));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function sr(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SR, ...args], { env: { ...process.env, SR_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** An expected failure: exit code 2 and exactly one line on stderr, no stack trace. */
function expectUsageError(r: Result, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
}

function gradient(width: number, height: number, shift: number): ImageU8 {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (((i / 3) | 0) * 7 + (i % 3) * 50 + shift) % 256;
  return { width, height, channels: 3, data };
}

let dir: string;
const file = (name: string) => join(dir, name);
const a = gradient(40, 32, 0);
const b = gradient(40, 32, 3);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-cli-'));
  await Promise.all([writeImage(file('a.png'), a), writeImage(file('b.png'), b), writeImage(file('small.png'), gradient(20, 32, 0))]);
  await writeFile(file('text.png'), 'this is not an image');
  await Promise.all([
    writeImage(file('hr/a.png'), a),
    writeImage(file('hr/b.png'), b),
    writeImage(file('lr/ax2.png'), downscaleBicubic(a, 2)),
    writeImage(file('lr/bx2.png'), downscaleBicubic(b, 2)),
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sr metrics', () => {
  it('prints PSNR/SSIM as JSON, honouring --y-channel and --crop', async () => {
    const r = await sr('metrics', file('a.png'), file('b.png'), '--json', '--y-channel', '--crop', '2');
    expect(r.code).toBe(0);
    const opts = { yChannel: true, cropBorder: 2 };
    expect(JSON.parse(r.stdout)).toEqual({ psnr: psnr(a, b, opts), ssim: ssim(a, b, opts) });
  });

  it('treats --round-y as the rounded Y channel', async () => {
    const r = await sr('metrics', file('a.png'), file('b.png'), '--json', '--round-y');
    const opts = { yChannel: true, roundY: true };
    expect(JSON.parse(r.stdout)).toEqual({ psnr: psnr(a, b, opts), ssim: ssim(a, b, opts) });
  });

  it('reports identical images as psnr null (JSON has no Infinity) and SSIM 1', async () => {
    const r = await sr('metrics', file('a.png'), file('a.png'), '--json');
    expect(JSON.parse(r.stdout)).toEqual({ psnr: null, ssim: 1 });
  });

  it('fails with one line and exit 2 on a missing file, a non-image and different sizes', async () => {
    expectUsageError(await sr('metrics', file('a.png'), file('nope.png')), /nope\.png: no such file/);
    expectUsageError(await sr('metrics', file('text.png'), file('a.png')), /cannot decode .*text\.png/);
    expectUsageError(await sr('metrics', file('a.png'), file('small.png')), /differ in size: 40x32x3 vs 20x32x3/);
  });
});

describe('sr downscale', () => {
  it('writes the mod-cropped MATLAB-bicubic LR', async () => {
    const r = await sr('downscale', file('a.png'), '--scale', '3', '--out', file('out/lr.png'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ width: 13, height: 10, hrWidth: 39, hrHeight: 30 });
    expect(await readImageRgb(file('out/lr.png'))).toEqual(downscaleBicubic(a, 3));
  });

  it('rejects a fractional scale and an unknown output extension', async () => {
    expectUsageError(await sr('downscale', file('a.png'), '--scale', '2.5', '--out', file('x.png')), /--scale must be a positive integer/);
    expectUsageError(await sr('downscale', file('a.png'), '--scale', '2', '--out', file('x.gif')), /unsupported extension/);
  });
});

describe('sr bicubic', () => {
  it('prints per-image rows and their mean as JSON; a given LR folder gives the same numbers as bicubic-made LR', async () => {
    const made = await sr('bicubic', '--hr', file('hr'), '--scale', '2', '--y-channel', '--crop', '2', '--json');
    expect(made.code).toBe(0);
    const report = JSON.parse(made.stdout);
    expect(report.images).toBe(2);
    expect(report.perImage.map((r: { name: string }) => r.name)).toEqual(['a.png', 'b.png']);
    expect(report.psnr).toBeCloseTo((report.perImage[0].psnr + report.perImage[1].psnr) / 2, 10);
    expect(report.ssim).toBeCloseTo((report.perImage[0].ssim + report.perImage[1].ssim) / 2, 10);

    const given = await sr('bicubic', '--hr', file('hr'), '--lr', file('lr'), '--scale', '2', '--y-channel', '--crop', '2', '--json');
    expect(JSON.parse(given.stdout)).toEqual(report);
  });

  it('fails with one line naming the missing LR file', async () => {
    expectUsageError(await sr('bicubic', '--hr', file('hr'), '--lr', dir, '--scale', '2'), /ax2\.png: no such file/);
  });
});

describe('sr (entry)', () => {
  it('rejects an unknown command or option with one line and exit 2', async () => {
    expectUsageError(await sr('frobnicate'), /Unknown command: frobnicate/);
    expectUsageError(await sr('metrics', file('a.png'), file('b.png'), '--bogus'), /Unknown argument: bogus/);
  });
});
