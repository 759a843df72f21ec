import type { ImageU8 } from '@sr/metrics';
import { Rng } from '../data/rng.ts';

/**
 * The suite's own evaluation images: five seeded 128×128 RGB scenes, one per structure SR models are judged on
 * (hard edges on gradients, text-like strokes, texture, checkerboards, rotated lines). Edges are anti-aliased
 * by 3×3 supersampling so the scenes look like photographed content rather than aliased vector art.
 */
export const SYNTHETIC_SIZE = 128;
const SEED = 20261122;
const SUPERSAMPLE = 3;

type Rgb = [number, number, number];
type Shader = (x: number, y: number) => Rgb;

const color = (rng: Rng, lo = 20, hi = 235): Rgb => [0, 1, 2].map(() => lo + (hi - lo) * rng.next()) as Rgb;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

function gradients(rng: Rng): Shader {
  const [a, b, c] = [color(rng), color(rng), color(rng)];
  const blobs = Array.from({ length: 5 }, () => ({ x: rng.next() * 128, y: rng.next() * 128, r: 12 + 30 * rng.next(), c: color(rng) }));
  return (x, y) => {
    let px = mix(mix(a, b, x / 128), c, y / 128);
    for (const o of blobs) px = mix(px, o.c, Math.exp(-((x - o.x) ** 2 + (y - o.y) ** 2) / (2 * o.r * o.r)));
    return px;
  };
}

function shapes(rng: Rng): Shader {
  const bg = gradients(rng);
  const items = Array.from({ length: 9 }, () => ({ kind: rng.int(0, 2), x: rng.next() * 128, y: rng.next() * 128, r: 8 + 22 * rng.next(), a: rng.next() * Math.PI, c: color(rng) }));
  return (x, y) => {
    let px = bg(x, y);
    for (const s of items) {
      const dx = x - s.x;
      const dy = y - s.y;
      const u = Math.abs(dx * Math.cos(s.a) + dy * Math.sin(s.a));
      const v = Math.abs(-dx * Math.sin(s.a) + dy * Math.cos(s.a));
      const inside = s.kind === 0 ? dx * dx + dy * dy < s.r * s.r : s.kind === 1 ? u < s.r && v < s.r * 0.5 : u + v < s.r;
      if (inside) px = s.c;
    }
    return px;
  };
}

/** Rows of glyph-like characters: each a few horizontal, vertical and diagonal strokes in a cell. */
function strokes(rng: Rng): Shader {
  const paper = color(rng, 200, 250);
  const ink = color(rng, 0, 60);
  const segments: Array<[number, number, number, number, number]> = [];
  for (let row = 0; row < 6; row++) {
    const cell = 9 + rng.int(0, 6);
    const weight = 0.8 + 1.2 * rng.next();
    for (let x0 = 4; x0 + cell < 124; x0 += cell + 2) {
      const y0 = 6 + row * 20;
      const pts = Array.from({ length: 4 + rng.int(0, 2) }, () => [x0 + rng.next() * cell, y0 + rng.next() * 14]);
      for (let i = 1; i < pts.length; i++) segments.push([pts[i - 1][0], pts[i - 1][1], pts[i][0], pts[i][1], weight]);
    }
  }
  return (x, y) => {
    for (const [x1, y1, x2, y2, w] of segments) {
      if (x < Math.min(x1, x2) - w || x > Math.max(x1, x2) + w || y < Math.min(y1, y2) - w || y > Math.max(y1, y2) + w) continue;
      const vx = x2 - x1;
      const vy = y2 - y1;
      const t = Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) / (vx * vx + vy * vy || 1)));
      if ((x - x1 - t * vx) ** 2 + (y - y1 - t * vy) ** 2 < w * w) return ink;
    }
    return paper;
  };
}

/** Band-limited texture: a sum of random plane waves plus per-pixel grain. */
function texture(rng: Rng): Shader {
  const waves = Array.from({ length: 12 }, () => ({ f: 0.05 + 0.9 * rng.next(), a: rng.next() * Math.PI, p: rng.next() * 6.28, w: 0.3 + rng.next() }));
  const [lo, hi] = [color(rng, 10, 100), color(rng, 150, 245)];
  const grain = new Float32Array(128 * 128).map(() => rng.next() - 0.5);
  return (x, y) => {
    let s = 0;
    let norm = 0;
    for (const w of waves) {
      s += w.w * Math.sin(w.f * (x * Math.cos(w.a) + y * Math.sin(w.a)) + w.p);
      norm += w.w;
    }
    const g = grain[Math.min(127, Math.floor(y)) * 128 + Math.min(127, Math.floor(x))];
    return mix(lo, hi, Math.max(0, Math.min(1, 0.5 + (0.8 * s) / norm + 0.15 * g)));
  };
}

/** Four checkerboard quadrants with different cell sizes, each slightly rotated. */
function checkerboards(rng: Rng): Shader {
  const quads = Array.from({ length: 4 }, () => ({ cell: 3 + rng.int(0, 9), a: (rng.next() - 0.5) * 0.5, c: [color(rng), color(rng)] }));
  return (x, y) => {
    const q = quads[(x < 64 ? 0 : 1) + (y < 64 ? 0 : 2)];
    const u = x * Math.cos(q.a) + y * Math.sin(q.a);
    const v = -x * Math.sin(q.a) + y * Math.cos(q.a);
    return q.c[(Math.floor(u / q.cell) + Math.floor(v / q.cell)) & 1];
  };
}

/** Line gratings radiating at several angles and periods, down to near the Nyquist limit of the LR image. */
function rotatedLines(rng: Rng): Shader {
  const sectors = Array.from({ length: 6 }, () => ({ a: rng.next() * Math.PI, period: 3 + 9 * rng.next(), c: [color(rng), color(rng)] }));
  return (x, y) => {
    const sector = sectors[Math.floor(((Math.atan2(y - 64, x - 64) + Math.PI) / (2 * Math.PI)) * sectors.length) % sectors.length];
    const u = x * Math.cos(sector.a) + y * Math.sin(sector.a);
    return sector.c[u / sector.period - Math.floor(u / sector.period) < 0.35 ? 0 : 1];
  };
}

// [name, shader, seed stream]. A scene of smooth gradients alone is left out: bicubic reconstructs it at ~60 dB, so
// its PSNR would swamp the set's mean and say nothing about SR (the shapes scene keeps gradients as its background).
const SCENES: Array<[string, (rng: Rng) => Shader, number]> = [
  ['shapes', shapes, 1],
  ['strokes', strokes, 2],
  ['texture', texture, 3],
  ['checkerboards', checkerboards, 4],
  ['rotated-lines', rotatedLines, 5],
];

function render(shader: Shader, size: number): ImageU8 {
  const data = new Uint8Array(size * size * 3);
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const px = shader(x + (sx + 0.5) / SUPERSAMPLE, y + (sy + 0.5) / SUPERSAMPLE);
          for (let c = 0; c < 3; c++) acc[c] += px[c];
        }
      }
      for (let c = 0; c < 3; c++) data[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(acc[c] / n)));
    }
  }
  return { width: size, height: size, channels: 3, data };
}

export type NamedImage = { name: string; image: ImageU8 };

/** Renders the five scenes, in a fixed order, named `NN-<structure>.png`. */
export function renderSyntheticEvalSet(): NamedImage[] {
  return SCENES.map(([kind, make, stream]) => ({ name: `${String(stream + 1).padStart(2, '0')}-${kind}.png`, image: render(make(Rng.fromSeed(SEED, stream)), SYNTHETIC_SIZE) }));
}

let rendered: readonly NamedImage[] | undefined;

/** The five scenes, rendered once per process (treat as read-only). */
export function syntheticEvalSet(): readonly NamedImage[] {
  rendered ??= renderSyntheticEvalSet();
  return rendered;
}
