/** `npm run bench:peers` end to end on a tiny data set: parent + one worker process per method. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, initBackend, saveModelFile } from '@sr/model';
import { writeImage } from '../../apps/trainer/src/io/image-io.ts';
import { noiseImage } from '../peers/measure.ts';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../peers/bench-peers.ts');
const bench = (args: string[]) => run(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { encoding: 'utf8' });

let dir: string;
let model: string;
const FAST = ['--sizes', '8', '--min-seconds', '0', '--max-runs', '1'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peers-cli-'));
  await writeImage(join(dir, 'hr', 'one.png'), noiseImage(32, 28, 1));
  await writeImage(join(dir, 'hr', 'two.png'), noiseImage(28, 24, 2));
  await initBackend({ prefer: 'wasm', log: null });
  const g = createGenerator('SRVGGNetCompact', { num_in_ch: 3, num_out_ch: 3, num_feat: 8, num_conv: 2, upscale: 4, act_type: 'prelu' }, 1);
  model = join(dir, 'tiny.safetensors');
  await saveModelFile(model, g);
  disposeParams(g.params);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bench:peers', () => {
  it('measures bicubic, our model and an UpscalerJS model, each in its own process, and prints one JSON document', async () => {
    const { stdout, stderr } = await bench(['--hr-dir', join(dir, 'hr'), '--lr-dir', join(dir, 'no-lr'), '--images', '1', '--model', model, '--peers', 'esrgan-slim', ...FAST]);
    const doc = JSON.parse(stdout);
    expect(doc.results.map((r: { method: string; kind: string }) => `${r.kind}:${r.method}`)).toEqual(['bicubic:bicubic', 'ours:tiny', 'upscalerjs:esrgan-slim']);
    for (const r of doc.results) {
      expect(r.backend).toEqual({ backend: 'wasm', simd: true, threads: 1 });
      expect(r.quality).toMatchObject({ images: 1, lrFromFile: 0, lrBicubic: 1 });
      expect(r.quality.perImage[0].name).toBe('one.png');
      expect(Number.isFinite(r.quality.psnr)).toBe(true);
      expect(r.throughput).toHaveLength(1);
      expect(r.throughput[0]).toMatchObject({ lrSize: 8, runs: 1 });
      expect(r.peakRssMiB).toBeGreaterThan(50);
    }
    expect(doc.results[1].params).toBe(8 * 3 * 9 + 8 + 8 + (8 * 8 * 9 + 8 + 8) * 2 + 8 * 48 * 9 + 48);
    expect(doc.results[1].source).toMatchObject({ file: 'tiny.safetensors', arch: 'SRVGGNetCompact' });
    expect(doc.results[2].source).toMatchObject({ package: '@upscalerjs/esrgan-slim@1.0.0', inputRange: [0, 255] });
    // The table goes to stderr, after the per-method progress lines.
    expect(stderr).toMatch(/\[esrgan-slim\] 1\/1 one\.png: [\d.]+ dB/);
    expect(stderr).toMatch(/\| tiny \| 5k \| [\d.]+ \| [\d.]+ \| 1 \| [\d.]+ \/ ([\d.]+|—) \| \d+ \|/);
  });

  it('--markdown prints only the table on stdout; a bad model file fails naming it; bad options are usage errors', async () => {
    // An empty models dir: the table then holds bicubic alone, whatever models the repo ships.
    const { stdout } = await bench(['--hr-dir', join(dir, 'hr'), '--images', '2', '--peers', '', '--models-dir', join(dir, 'no-models'), '--markdown', ...FAST]);
    expect(stdout.trim().split('\n')).toEqual([
      '| method | params | PSNR-Y (dB) | SSIM-Y | images | LR MP/s 8² (wall / CPU) | peak RSS (MiB) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      expect.stringMatching(/^\| bicubic \| — \| [\d.]+ \| [\d.]+ \| 2 \| [\d.]+ \/ ([\d.]+|—) \| \d+ \|$/),
    ]);

    const bad = join(dir, 'bad.safetensors');
    await writeFile(bad, 'not a model');
    const failed = await bench(['--hr-dir', join(dir, 'hr'), '--images', '1', '--model', bad, '--peers', '', ...FAST]).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/bench:peers: bad: /);

    const usage = await bench(['--images', 'many']).catch((e) => e);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--images must be a positive integer, got 'many'\nusage: npm run bench:peers/);
  });
});
