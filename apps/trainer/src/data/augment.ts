import type { ImageU8 } from '@sr/metrics';
import type { Rng } from './rng.ts';

/** One of the 8 dihedral transforms: optional horizontal flip, vertical flip, then transpose (with a flip, a 90° rotation). */
export interface Dihedral {
  hflip: boolean;
  vflip: boolean;
  transpose: boolean;
}

export const IDENTITY: Dihedral = { hflip: false, vflip: false, transpose: false };

export function randomDihedral(rng: Rng, flip: boolean, rot90: boolean): Dihedral {
  // Always draw all three so the stream consumed per sample does not depend on the switches.
  const h = rng.bool();
  const v = rng.bool();
  const t = rng.bool();
  return { hflip: flip && h, vflip: flip && v, transpose: rot90 && t };
}

/** Applies the transform (BasicSR `augment` order: hflip, vflip, then transpose). */
export function applyDihedral(img: ImageU8, d: Dihedral): ImageU8 {
  if (!d.hflip && !d.vflip && !d.transpose) return img;
  const { width: w, height: h, channels: c, data } = img;
  const outW = d.transpose ? h : w;
  const outH = d.transpose ? w : h;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      // (x, y) in the output comes from (sx, sy) of the flipped image, then undo the flips.
      let sx = d.transpose ? y : x;
      let sy = d.transpose ? x : y;
      if (d.hflip) sx = w - 1 - sx;
      if (d.vflip) sy = h - 1 - sy;
      const o = (y * outW + x) * c;
      const s = (sy * w + sx) * c;
      for (let k = 0; k < c; k++) out[o + k] = data[s + k];
    }
  }
  return { width: outW, height: outH, channels: c, data: out };
}
