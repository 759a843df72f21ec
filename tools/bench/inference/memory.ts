/**
 * Peak memory of `sr upscale` with 64-px tiles, in child processes: a tiny input (the runtime's own footprint), then
 * 256x256 and 1024x1024 LR inputs. With tiling, tensors are bounded by the tile, so the growth between the two sizes
 * should be close to the growth of the 8-bit image buffers (decoded input + output), not of float activations.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createGenerator, disposeParams, initBackend, saveModelFile } from '@sr/model';
import { lastJsonLine, runTs } from '../lib/child.ts';
import { patternImage } from '../lib/images.ts';
import { SRVGG_EDGE } from '../lib/models.ts';

const SR_MAIN = join(import.meta.dirname, '../../../apps/trainer/src/main.ts');
const SIZES = [16, 256, 1024];
const TILE = 64;
const SCALE = 4;
const MB = 1024 * 1024;

interface UpscaleReport {
  tiles: { count: number; overlap: number };
  seconds: { upscale: number; total: number };
  lrMegapixelsPerSecond: number;
  peakRssBytes: number;
}

const mb = (bytes: number) => Number((bytes / MB).toFixed(1));

export async function benchMemory() {
  await initBackend({ prefer: 'wasm', log: null });
  const dir = await mkdtemp(join(tmpdir(), 'sr-bench-memory-'));
  try {
    const model = join(dir, 'model.safetensors');
    const g = createGenerator(SRVGG_EDGE.arch, SRVGG_EDGE.config, 1);
    await saveModelFile(model, g);
    disposeParams(g.params);
    const points = [];
    for (const size of SIZES) {
      const input = join(dir, `in-${size}.png`);
      const { data } = patternImage(size, size);
      await sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toFile(input);
      const stdout = await runTs(SR_MAIN, ['upscale', input, '--model', model, '--out', join(dir, `out-${size}.png`), '--tile', `${TILE}`, '--json']);
      // `sr upscale --json`: one line per image, then a summary line with the peak RSS.
      const image = JSON.parse(stdout.trim().split('\n').find((l) => l.includes('"tiles"'))!) as Omit<UpscaleReport, 'peakRssBytes'>;
      const r: UpscaleReport = { ...image, peakRssBytes: lastJsonLine<{ summary: { peakRssBytes: number } }>(stdout).summary.peakRssBytes };
      // Decoded input + output image, 8 bits per channel.
      const imageBytes = size * size * 3 * (1 + SCALE * SCALE);
      points.push({
        lrSize: `${size}x${size}`,
        tiles: r.tiles.count,
        overlap: r.tiles.overlap,
        upscaleSeconds: r.seconds.upscale,
        lrMegapixelsPerSecond: r.lrMegapixelsPerSecond,
        peakRssMB: mb(r.peakRssBytes),
        imageBuffersMB: mb(imageBytes),
        peakRssBytes: r.peakRssBytes,
        imageBytes,
      });
      process.stderr.write(`bench: memory ${size}x${size} peak RSS ${mb(r.peakRssBytes)} MB\n`);
    }
    const [, mid, big] = points;
    return {
      model: SRVGG_EDGE.name,
      tile: TILE,
      points: points.map(({ peakRssBytes: _p, imageBytes: _i, ...rest }) => rest),
      growth1024vs256: {
        peakRssMB: mb(big.peakRssBytes - mid.peakRssBytes),
        imageBuffersMB: mb(big.imageBytes - mid.imageBytes),
        // > 1: something besides the image buffers grows with the image (e.g. copies made by the encoder).
        ratio: Number(((big.peakRssBytes - mid.peakRssBytes) / (big.imageBytes - mid.imageBytes)).toFixed(2)),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
