import type { ImageU8 } from '@sr/metrics';
import { Rng } from './rng.ts';

/**
 * A procedural RGB test image with the structures SR cares about: smooth gradients, hard-edged shapes, thin stripes
 * and fine texture. Deterministic for (seed, index), so runs without a dataset are reproducible.
 */
export function syntheticImage(seed: number, index: number, width: number, height: number): ImageU8 {
  const rng = Rng.fromSeed(seed, 0x5e7e71c, index);
  const data = new Uint8Array(width * height * 3);
  const base = [rng.next(), rng.next(), rng.next()].map((v) => 40 + 150 * v);
  const grad = [rng.next() - 0.5, rng.next() - 0.5, rng.next() - 0.5].map((v) => (v * 120) / Math.max(width, height));
  const shapes = Array.from({ length: 4 + rng.int(0, 4) }, () => ({
    kind: rng.int(0, 2),
    cx: rng.next() * width,
    cy: rng.next() * height,
    r: (0.08 + 0.25 * rng.next()) * Math.min(width, height),
    color: [rng.next() * 255, rng.next() * 255, rng.next() * 255],
    period: 2 + rng.int(0, 6),
    angle: rng.next() * Math.PI,
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = [0, 1, 2].map((c) => base[c] + grad[c] * (x + y));
      for (const s of shapes) {
        const dx = x - s.cx;
        const dy = y - s.cy;
        let inside: boolean;
        if (s.kind === 0) inside = dx * dx + dy * dy < s.r * s.r;
        else if (s.kind === 1) inside = Math.abs(dx) < s.r && Math.abs(dy) < s.r * 0.6;
        else {
          // A disc of stripes: thin periodic lines at an angle, the hardest case for bicubic.
          const u = dx * Math.cos(s.angle) + dy * Math.sin(s.angle);
          inside = dx * dx + dy * dy < s.r * s.r && Math.floor(u / s.period) % 2 === 0;
        }
        if (inside) for (let c = 0; c < 3; c++) px[c] = s.color[c];
      }
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) data[o + c] = Math.max(0, Math.min(255, Math.round(px[c] + (rng.next() - 0.5) * 12)));
    }
  }
  return { width, height, channels: 3, data };
}
