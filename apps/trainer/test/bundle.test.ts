/**
 * The esbuild bundle of the CLI (build.mjs, `nx run @sr/trainer:build`) runs under plain Node:
 * workspace sources compiled in, npm packages (and the tfjs wasm binaries) found at run time.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, initBackend, saveModelFile } from '@sr/model';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const node = (...args: string[]) => run(process.execPath, args, { env: { ...process.env, SR_DEBUG: '' } });

let bundleDir: string;
let dataDir: string;
let bundle: string;

beforeAll(async () => {
  // Inside apps/trainer, not /tmp: the bundle resolves its external packages from node_modules.
  bundleDir = await mkdtemp(join(APP_DIR, '.bundle-test-'));
  dataDir = await mkdtemp(join(tmpdir(), 'sr-bundle-'));
  bundle = join(bundleDir, 'sr.mjs');
  await node(join(APP_DIR, 'build.mjs'), bundle);
  await initBackend({ prefer: 'cpu', log: null });
  const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 2 }, 3);
  await saveModelFile(join(dataDir, 'tiny.safetensors'), g);
  disposeParams(g.params);
  const px = new Uint8Array(12 * 10 * 3).map((_, i) => (i * 29 + 7) & 255);
  await sharp(px, { raw: { width: 12, height: 10, channels: 3 } }).png().toFile(join(dataDir, 'in.png'));
}, 60_000);

afterAll(async () => {
  await rm(bundleDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('dist/sr.mjs bundle', () => {
  it('keeps npm packages external and compiles the workspace sources in', async () => {
    const code = await readFile(bundle, 'utf8');
    expect(code).toMatch(/from "@tensorflow\/tfjs"/);
    expect(code).not.toMatch(/from "@sr\//);
    expect(code).toContain('libs/model/src/runtime/wasm-node.ts');
  });

  it('answers --help and reads a model file', async () => {
    expect((await node(bundle, 'metrics', '--help')).stdout).toContain('PSNR and SSIM');
    const info = (await node(bundle, 'info', join(dataDir, 'tiny.safetensors'))).stdout;
    expect(info).toMatch(/arch\s+SRVGGNetCompact x2/);
  });

  it('upscales on the wasm backend exactly like the tsx CLI', async () => {
    const common = ['upscale', join(dataDir, 'in.png'), '--model', join(dataDir, 'tiny.safetensors'), '--backend', 'wasm'];
    const { stdout } = await node(bundle, ...common, '--out', join(dataDir, 'bundle.png'));
    expect(stdout).toMatch(/wasm simd=\w+ threads=1/);
    await node(join(APP_DIR, 'bin', 'sr.mjs'), ...common, '--out', join(dataDir, 'tsx.png'));
    const [a, b] = await Promise.all(['bundle.png', 'tsx.png'].map((f) => sharp(join(dataDir, f)).raw().toBuffer({ resolveWithObject: true })));
    expect([a.info.width, a.info.height]).toEqual([24, 20]);
    expect(a.data.equals(b.data)).toBe(true);
  });

  it('runs sr regress: --update, then a pass against the values it wrote', async () => {
    const args = ['regress', '--model', join(dataDir, 'tiny.safetensors'), '--golden', join(dataDir, 'golden.json'), '--no-bicubic'];
    await node(bundle, ...args, '--update');
    const { stdout } = await node(bundle, ...args, '--json');
    expect(JSON.parse(stdout)).toMatchObject({ pass: true, backend: expect.stringMatching(/^wasm/) });
  });
});
