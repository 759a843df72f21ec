import type { ValidSides } from '../archs/types.ts';
import type { Rect } from './pixels.ts';
import type { Tile } from './plan.ts';

/** How a tile runs through a valid forward (one that convolves without padding on the window's inner sides). */
export interface ValidRun {
  window: Rect;
  valid: ValidSides;
  /** The LR region the forward's output covers: the window less `radius` on each valid side. */
  output: Rect;
}

/**
 * The smallest window for a tile: its own region with `pad` pixels of context, clipped to the image. The sides inside
 * the image are valid; those at the border keep the network's zero padding, exactly as a whole-image forward sees it.
 * With `pad` >= `radius` the output covers the tile.
 */
export function validRun(tile: Tile, pad: number, width: number, height: number, radius: number): ValidRun {
  const [x0, x1] = [Math.max(0, tile.x0 - pad), Math.min(width, tile.x1 + pad)];
  const [y0, y1] = [Math.max(0, tile.y0 - pad), Math.min(height, tile.y1 + pad)];
  const valid = { top: y0 > 0, bottom: y1 < height, left: x0 > 0, right: x1 < width };
  const cut = (side: boolean) => (side ? radius : 0);
  return {
    window: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    valid,
    output: {
      x: x0 + cut(valid.left),
      y: y0 + cut(valid.top),
      width: x1 - x0 - cut(valid.left) - cut(valid.right),
      height: y1 - y0 - cut(valid.top) - cut(valid.bottom),
    },
  };
}

/** LR pixels the `radius` convs of a valid forward compute for `run`, averaged over the convs (each trims one pixel per valid side). */
export function validRunPixels(run: ValidRun, radius: number): number {
  const { window: w, valid } = run;
  const sidesX = Number(valid.left) + Number(valid.right);
  const sidesY = Number(valid.top) + Number(valid.bottom);
  let sum = 0;
  for (let l = 1; l <= radius; l++) sum += (w.width - l * sidesX) * (w.height - l * sidesY);
  return sum / radius;
}
