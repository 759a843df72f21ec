import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countParams, createGenerator, disposeParams, initBackend, saveModelFile, Upscaler } from '@sr/model';
import { splitAlpha } from '@sr/model/image';
import type { ImageU8 } from '@sr/metrics';
import { checkKindOutput, imageKindCases } from '../../../libs/model/test/image-kind-cases.ts';
import { readImageRgb, readPixelImage } from '../src/io/image-io.ts';

const SR = fileURLToPath(new URL('../bin/sr.mjs', import.meta.url));
const LR_X4 = fileURLToPath(new URL('../../../../shared/golden/lr-x4', import.meta.url));
const run = promisify(execFile);
const CONFIG = { num_in_ch: 3, num_out_ch: 3, num_feat: 8, num_conv: 3, upscale: 4, act_type: 'prelu' };

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SR, ...args], { env: { ...process.env, SR_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const sr = (...args: string[]) => cli('upscale', ...args);

const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

function maxAbsDiff(a: ImageU8, b: ImageU8): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  return a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);
}

let dir: string;
const file = (...name: string[]) => join(dir, ...name);
let input: ImageU8;

async function writePattern(path: string, width: number, height: number, seed = 0): Promise<void> {
  const px = new Uint8Array(width * height * 3).map((_, i) => (i * 37 + (i % 7) * 11 + seed * 53) & 255);
  await sharp(px, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-upscale-cli-'));
  await initBackend({ prefer: 'wasm', log: null });
  for (const [name, seed] of [['a', 1], ['b', 2]] as const) {
    const g = createGenerator('SRVGGNetCompact', CONFIG, seed);
    await saveModelFile(file(`${name}.safetensors`), g);
    disposeParams(g.params);
  }
  await writePattern(file('in.png'), 21, 13);
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
async function expected(name: string, ensemble: 1 | 8 = 1): Promise<ImageU8> {
  const g = createGenerator('SRVGGNetCompact', CONFIG, name === 'a' ? 1 : 2);
  try {
    return await Upscaler.forGenerator(g).upscale(input, { tile: 0, ensemble });
  } finally {
    disposeParams(g.params);
  }
}

describe('sr upscale: one image', () => {
  it('writes the tiled result; --json: one line for the image, one summary line (model, backend, time)', async () => {
    const r = await sr(file('in.png'), '--model', file('a.safetensors'), '--out', file('out.png'), '--tile', '8', '--json');
    expect(r.code, r.stderr).toBe(0);
    const [image, last] = jsonLines(r.stdout);
    expect(image).toMatchObject({
      input: { width: 21, height: 13, channels: 3, bitDepth: 8 },
      output: { width: 84, height: 52, channels: 3, bitDepth: 8, format: 'png', path: file('out.png') },
      tiles: { count: 3, rows: 1, cols: 3, tile: 8, overlap: 5, batch: 1 },
    });
    expect(image.lrMegapixelsPerSecond).toBeGreaterThan(0);
    expect(last.summary).toMatchObject({
      images: 1, written: 1, skipped: 0, failed: [],
      model: { arch: 'SRVGGNetCompact', scale: 4, params: await paramCount() },
      backend: { backend: 'wasm' },
    });
    expect(last.summary.peakRssBytes).toBeGreaterThan(1e6);
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

  it('--ensemble: the eight flips/rotations averaged, tiled as the whole-image library result; differs from plain', async () => {
    const r = await sr(file('in.png'), '--model', file('a.safetensors'), '--out', file('ens.png'), '--tile', '8', '--ensemble', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0].tiles).toMatchObject({ count: 3, tile: 8, ensemble: 8 });
    const out = await readImageRgb(file('ens.png'));
    expect(maxAbsDiff(out, await expected('a', 8))).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(out, await expected('a'))).toBeGreaterThan(1);
  });

  it('sr eval --ensemble: scores the ensemble output (different PSNR), reports ensemble and inference seconds', async () => {
    await mkdir(file('eval-hr'), { recursive: true });
    await writePattern(file('eval-hr', 'p.png'), 64, 48, 3);
    const evaluate = async (...extra: string[]) => {
      const r = await cli('eval', '--model', file('a.safetensors'), '--hr', file('eval-hr'), '--scale', '4', '--y-channel', '--crop', '4', '--tile', '8', '--json', ...extra);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { psnr: number; ensemble: number; inferSeconds: number };
    };
    const plain = await evaluate();
    const ens = await evaluate('--ensemble');
    expect([plain.ensemble, ens.ensemble]).toEqual([1, 8]);
    expect(ens.inferSeconds).toBeGreaterThan(0);
    expect(Math.abs(ens.psnr - plain.psnr)).toBeGreaterThan(1e-3);
    const text = await cli('eval', '--model', file('a.safetensors'), '--hr', file('eval-hr'), '--scale', '4', '--ensemble');
    expect(text.stdout).toMatch(/mean over 1 images: .*\(tile 128, ensemble x8, [\d.]+ s inference\)/);
  });

  it('--outscale: network scale, then MATLAB bicubic to round(S × input)', async () => {
    const r = await sr(file('in.png'), '--model', file('a.safetensors'), '--out', file('os.webp'), '--outscale', '2.5', '--quality', '90', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0].output).toMatchObject({ width: 53, height: 33, format: 'webp' });
    expect(await sharp(file('os.webp')).metadata()).toMatchObject({ format: 'webp', width: 53, height: 33 });
  });

  it.concurrent.each([
    [['--model', 'missing.safetensors'], /cannot read missing\.safetensors/],
    [['--model', 'MODEL', '--alpha', '0.5', '--b', 'MODEL', '--alpha', '2'], /--alpha must be a number in \[0, 1\]/],
    [['--model', 'MODEL', '--tile', '-4'], /--tile must be an integer >= 0/],
    [['--model', 'MODEL', '--outscale', '0'], /--outscale must be a positive number/],
    [['--model', 'MODEL', '--quality', '101'], /--quality must be an integer in 1\.\.100/],
    [['--model', 'MODEL', '--frames', '0:4'], /--frames is for video inputs/],
    [['--model', 'MODEL', '--format', 'jpg'], /--format jpg does not match the extension of --out/],
  ])('fails with one line and exit 2: %j', async (args, message) => {
    const r = await sr(file('in.png'), ...args.map((a) => (a === 'MODEL' ? file('a.safetensors') : a)), '--out', file('x.png'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it.concurrent.each([
    [['nothing-here.png'], /cannot read nothing-here\.png: no such file or folder/],
    [['IN', '--out', 'OUT/x.tif'], /unsupported extension '\.tif'/],
  ])('refuses bad paths before loading a model: %j', async (args, message) => {
    const r = await sr(...args.map((a) => (a === 'IN' ? file('in.png') : a.replace('OUT', dir))), ...(args.includes('--out') ? [] : ['--out', file('y')]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.concurrent('an input that is not an image: named, exit 1', async () => {
    const r = await sr(file('a.safetensors'), '--model', file('a.safetensors'), '--out', file('x.png'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot decode .*a\.safetensors as an image/);
  });
});

describe('sr upscale: many inputs', () => {
  let batch: string;
  beforeAll(async () => {
    batch = file('batch');
    await mkdir(join(batch, 'sub'), { recursive: true });
    await writePattern(join(batch, 'one.png'), 12, 9, 1);
    await writePattern(join(batch, 'two.png'), 9, 12, 2);
    await writePattern(join(batch, 'sub', 'deep.png'), 8, 8, 3);
    await writeFile(join(batch, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\n not really a png'));
    await writePattern(file('glob-a.png'), 7, 5, 4);
    await writePattern(file('glob-b.png'), 5, 7, 5);
  });

  it('a folder, a file and a glob into one folder: names kept, --suffix/--format/--quality; a corrupt file is named, the rest done, exit 1', async () => {
    const out = file('many');
    const r = await sr(batch, file('in.png'), file('glob-*.png'), '--model', file('a.safetensors'), '--out', out, '--suffix', '_x4', '--format', 'jpg', '--quality', '80', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.png/);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/1 of 6 images failed: .*broken\.png/);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(7);
    expect(lines.filter((l) => l.error)).toEqual([{ input: { path: join(batch, 'broken.png') }, error: { message: expect.stringMatching(/cannot decode/) } }]);
    expect(lines.at(-1)!.summary).toMatchObject({ images: 6, written: 5, failed: [join(batch, 'broken.png')] });
    expect((await readdir(out)).sort()).toEqual(['glob-a_x4.jpg', 'glob-b_x4.jpg', 'in_x4.jpg', 'one_x4.jpg', 'two_x4.jpg']);
    expect(await sharp(join(out, 'two_x4.jpg')).metadata()).toMatchObject({ format: 'jpeg', width: 36, height: 48 });
  });

  it('--recursive keeps sub-folders; --skip-existing leaves existing outputs alone', async () => {
    const out = file('rec');
    const r = await sr(batch, '--model', file('a.safetensors'), '--out', out, '--recursive', '--json');
    expect(r.code).toBe(1);
    expect(existsSync(join(out, 'sub', 'deep.png'))).toBe(true);
    expect(await sharp(join(out, 'sub', 'deep.png')).metadata()).toMatchObject({ width: 32, height: 32 });
    const again = await sr(batch, '--model', file('a.safetensors'), '--out', out, '--recursive', '--skip-existing', '--json');
    const lines = jsonLines(again.stdout);
    expect(lines.filter((l) => l.skipped)).toHaveLength(3);
    expect(lines.at(-1)!.summary).toMatchObject({ images: 4, written: 0, skipped: 3 });
  });

  it('refuses to overwrite an input', async () => {
    const r = await sr(file('glob-a.png'), file('glob-b.png'), '--model', file('a.safetensors'), '--out', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would overwrite its input/);
  });
});

describe('sr upscale: every image kind', () => {
  it('RGBA, 16-bit, gray, palette, WebP alpha, EXIF 1..8 keep their kind; CMYK JPEG is refused by name', async () => {
    const kinds = file('kinds');
    await mkdir(kinds);
    const cases = await imageKindCases();
    for (const c of cases) await writeFile(join(kinds, c.name), c.bytes);
    const out = file('kinds-out');
    const r = await sr(kinds, '--model', file('a.safetensors'), '--out', out, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cmyk.jpg: CMYK/YCCK JPEG is not supported; convert it to RGB (sRGB) first');
    for (const c of cases.filter((k) => !k.cmyk)) {
      const decoded = await readPixelImage(join(out, c.name));
      expect(checkKindOutput(c, 4, decoded)).toEqual([]);
      expect((await sharp(join(out, c.name)).metadata()).orientation).toBeUndefined();
    }
    expect(jsonLines(r.stdout).at(-1)!.summary).toMatchObject({ images: cases.length, written: cases.length - 1 });
  });

  it('JPEG output of an RGBA input is composited on white; --alpha-upsampler model keeps alpha', async () => {
    const rgba = (await imageKindCases()).find((c) => c.name === 'rgba8.png')!;
    await writeFile(file('rgba.png'), rgba.bytes);
    const r = await sr(file('rgba.png'), '--model', file('a.safetensors'), '--out', file('rgba-x4.jpg'));
    expect(r.code, r.stderr).toBe(0);
    const jpg = await readPixelImage(file('rgba-x4.jpg'));
    expect(jpg.channels).toBe(3);
    // The left half of the input is fully transparent.
    const at = (x: number, y: number) => Array.from(jpg.data.subarray((y * jpg.width + x) * 3, (y * jpg.width + x) * 3 + 3));
    for (const v of at(10, 30)) expect(v).toBeGreaterThan(245);
    const m = await sr(file('rgba.png'), '--model', file('a.safetensors'), '--out', file('rgba-model.png'), '--alpha-upsampler', 'model');
    expect(m.code, m.stderr).toBe(0);
    const png = await readPixelImage(file('rgba-model.png'));
    expect(png).toMatchObject({ width: 96, height: 64, channels: 4, bitDepth: 8 });
    // A random tiny network on the grey alpha replica: not the bicubic 0/255 halves any more.
    expect(splitAlpha(png).alpha!.data.some((v) => v !== 0 && v !== 255)).toBe(true);
  });
});

describe.skipIf(!existsSync(LR_X4))('sr upscale: the default model on ../shared/golden/lr-x4', () => {
  it('10 PNGs of exactly 4× size, one JSON line each', async () => {
    const out = file('golden-x4');
    const r = await sr(LR_X4, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const images = lines.filter((l) => l.output);
    expect(images).toHaveLength(10);
    for (const l of images) expect([l.output.width, l.output.height]).toEqual([l.input.width * 4, l.input.height * 4]);
    expect(lines.at(-1)!.summary).toMatchObject({ written: 10, model: { path: expect.stringMatching(/edge-x4-psnr\.safetensors$/) } });
    expect((await readdir(out)).filter((n) => n.endsWith('.png'))).toHaveLength(10);
  });

  it('a folder with one corrupt PNG: the others are written, the corrupt one named, exit 1', async () => {
    const mixed = file('golden-mixed');
    await mkdir(mixed);
    for (const n of (await readdir(LR_X4)).slice(0, 2)) await copyFile(join(LR_X4, n), join(mixed, n));
    await writeFile(join(mixed, 'corrupt.png'), Buffer.from('\x89PNG\r\n\x1a\ngarbage'));
    const r = await sr(mixed, '--out', file('golden-mixed-out'), '--tile', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/corrupt\.png/);
    expect(r.stdout).toMatch(/upscaled 2 of 3 images \(0 skipped, 1 failed: corrupt\.png\)/);
    expect(await readdir(file('golden-mixed-out'))).toHaveLength(2);
  });
});
