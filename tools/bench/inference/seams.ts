/**
 * `seams` bench section (opt-in: `npm run bench -- --only seams`): how much context a tile needs. For each benchmark
 * generator, the max difference between tiled and whole-image output (zero padding at the image border, tile windows
 * clamped to the image) for a range of overlaps, on an image larger than the biggest window so interior tiles take
 * their context from their neighbours, with the default random init and with variance-preserving (Kaiming) conv weights, whose signals reach the
 * whole receptive field: a stand-in for trained weights, which we cannot download here. Backs the per-architecture
 * defaults in libs/model/src/tiling/generator.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageU8 } from '@sr/metrics';
import { createGenerator, defaultOverlap, disposeParams, initBackend, Upscaler, type Generator } from '@sr/model';
import type { BenchSection } from '../section.ts';
import { naturalCrop, patternImage } from '../lib/images.ts';
import { RRDB_23, RRDB_6, SRVGG_EDGE, SRVGG_X4V3, type BenchModel } from '../lib/models.ts';

const TILE = 16;
/** Smallest square image in which a tile window (tile + 2 overlap) still has interior edges. */
const sizeFor = (overlaps: number[]) => Math.max(32, TILE + 2 * Math.max(...overlaps) + TILE);
const CASES: { model: BenchModel; overlaps: number[] }[] = [
  { model: SRVGG_EDGE, overlaps: [0, 2, 4, 6, 8, 10] },
  { model: SRVGG_X4V3, overlaps: [0, 4, 8, 16, 24, 34] },
  { model: RRDB_6, overlaps: [0, 4, 8, 16] },
  { model: RRDB_23, overlaps: [4, 16] },
];

function kaimingKernels(g: Generator): void {
  for (const [name, t] of Object.entries(g.params)) {
    if (t.rank !== 4) continue;
    const [kh, kw, cin] = t.shape as number[];
    g.params[name] = tf.randomNormal(t.shape, 0, Math.sqrt(2 / (kh * kw * cin)), 'float32', 7);
    t.dispose();
  }
}

function diff(a: ImageU8, b: ImageU8): { maxDiff: number; pixelsOver1: number } {
  let maxDiff = 0;
  let pixelsOver1 = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    maxDiff = Math.max(maxDiff, d);
    if (d > 1) pixelsOver1++;
  }
  return { maxDiff, pixelsOver1 };
}

async function measure(g: Generator, image: ImageU8, overlaps: number[]) {
  const up = Upscaler.forGenerator(g);
  const rows = [];
  for (const overlap of overlaps) {
    const whole = await up.upscale(image, { tile: 0, overlap });
    rows.push({ overlap, ...diff(await up.upscale(image, { tile: TILE, overlap }), whole) });
  }
  // Smallest tested overlap from which on every tested overlap stays within 1 grey level.
  let within1: number | null = null;
  for (let i = rows.length - 1; i >= 0 && rows[i].maxDiff <= 1; i--) within1 = rows[i].overlap;
  return { rows, minOverlapWithin1: within1 };
}

export const seamsSection: BenchSection = {
  name: 'seams',
  description: 'tiled vs whole-image max difference by overlap, per generator (default and Kaiming weights)',
  async run() {
    await initBackend({ prefer: 'wasm', log: null });
    const out = [];
    for (const c of CASES) {
      const size = sizeFor(c.overlaps);
      const image = (await naturalCrop(size)) ?? patternImage(size, size);
      const entry: Record<string, unknown> = { model: c.model.name, lrSize: `${size}x${size}`, tile: TILE };
      for (const weights of ['default-init', 'kaiming'] as const) {
        const g = createGenerator(c.model.arch, c.model.config, 1);
        if (weights === 'kaiming') kaimingKernels(g);
        entry.defaultOverlap = defaultOverlap(g);
        entry[weights] = await measure(g, image, c.overlaps);
        disposeParams(g.params);
        process.stderr.write(`bench: seams ${c.model.name} ${weights} done\n`);
      }
      out.push(entry);
    }
    return out;
  },
};
