/**
 * The published shape of the library: build @sr/metrics and @sr/model (tsc → dist), `npm pack` both, install the two
 * tarballs into a temp project outside the workspace, type-check a consumer against the shipped `.d.ts` and upscale an
 * image with the shipped default model there. ~30–60 s (npm install of tfjs from the npm cache).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const MODEL_FILE = join(ROOT, 'apps/edge-api/public/models/edge-x4-psnr.safetensors');
// npm settings of the `npm test` that runs us (workspace, prefix) must not leak into the temp project.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

const CONSUMER = `import { loadModel, upscale, type PixelImage } from '@sr/model';
import { applyOrientation } from '@sr/model/image';
import { psnr } from '@sr/metrics';

const model = await loadModel(${JSON.stringify(MODEL_FILE)});
const data = new Uint8Array(6 * 5 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) & 255));
const image: PixelImage = { width: 6, height: 5, channels: 4, bitDepth: 8, data };
const out = await upscale(model, applyOrientation(image, 6), { tile: 0 });
const db = psnr({ width: 1, height: 1, channels: 1, data: Uint8Array.of(3) }, { width: 1, height: 1, channels: 1, data: Uint8Array.of(5) });
console.log(JSON.stringify({ width: out.width, height: out.height, channels: out.channels, bitDepth: out.bitDepth, scale: model.scale, db: Number(db.toFixed(2)) }));
model.dispose();
`;

describe('@sr/model as an installed package', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-pack-'));
    for (const lib of ['metrics', 'model']) {
      const cwd = join(ROOT, 'libs', lib);
      await rm(join(cwd, 'dist'), { recursive: true, force: true });
      await run(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd });
      await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd, env });
    }
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const tarballs = (await readdir(dir)).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f));
    await run('npm', ['install', ...tarballs, '--prefer-offline', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, env });
    await writeFile(join(app, 'main.ts'), CONSUMER);
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [], lib: ['ES2023', 'DOM'] } }),
    );
  }, 240_000);
  afterAll(() => dir && rm(dir, { recursive: true, force: true }));

  it('declares @sr/metrics as a dependency and ships only dist, src and the README', async () => {
    const { stdout } = await run('tar', ['-tzf', join(dir, 'sr-model-0.1.0.tgz')]);
    const top = new Set(stdout.split('\n').filter(Boolean).map((p) => p.split('/')[1]));
    expect([...top].sort()).toEqual(['README.md', 'dist', 'package.json', 'src']);
    const { stdout: pj } = await run('tar', ['-xzOf', join(dir, 'sr-model-0.1.0.tgz'), 'package/package.json']);
    expect(JSON.parse(pj).dependencies['@sr/metrics']).toBe('0.1.0');
  });

  it('type-checks a consumer against the shipped .d.ts and upscales an image there', async () => {
    const app = join(dir, 'app');
    await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--outDir', 'out'], { cwd: app }).catch((err: { stdout: string }) => {
      throw new Error(`tsc: ${err.stdout}`);
    });
    const { stdout } = await run(process.execPath, ['out/main.js'], { cwd: app, env });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ width: 20, height: 24, channels: 4, bitDepth: 8, scale: 4, db: 42.11 });
    const imported = await run(process.execPath, ['-e', "import('@sr/model').then((m) => console.log(typeof m.loadModel, typeof m.upscale, typeof m.interpolate))"], { cwd: app, env });
    expect(imported.stdout.trim()).toBe('function function function');
  });
});
