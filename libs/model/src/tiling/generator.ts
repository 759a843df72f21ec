import { getGeneratorArch } from '../archs/registry.ts';
import type { Generator } from '../archs/types.ts';
import type { RRDBNetConfig } from '../archs/rrdbnet.ts';
import { srvggRadius, type SRVGGNetCompactConfig } from '../archs/srvgg.ts';
import { isLumaGenerator, runGenerator } from '../generator.ts';
import type { TileModel } from '../tiling.ts';

/**
 * RRDBNet's nominal receptive field is hundreds of LR pixels (5 convs x 3 RDBs x 23 blocks), far too much to pad; its
 * effective one is much smaller because every RDB/RRDB residual is scaled by 0.2. Measured on the PyTorch border
 * fixtures (libs/model/test/fixtures/border: calibrated random weights, 96x80 image, 32-px tiles, clamped windows),
 * tiles equal PyTorch's whole-image output within 1 grey level from an overlap of 6 for 23 blocks at x4 and of 8 for
 * the x2 net (which runs on the 2x-unshuffled input). With the reference init, `npm run bench -- --only seams` finds 4
 * enough; with variance-preserving weights (a pessimistic stand-in for trained ones) 6 blocks need 16 while 23 blocks
 * still differ at 16. So 16 is exact in practice for small RRDBNets and a Real-ESRGAN-like compromise (it uses 10)
 * for ESRGAN-size ones; pass tile 0 or a larger overlap when it matters. Image borders are exact whatever the overlap.
 */
export const RRDBNET_OVERLAP = 16;

/** Context pixels per tile side so that tiles match the whole-image result. */
export function defaultOverlap(g: Generator): number {
  switch (g.arch) {
    case 'SRVGGNetCompact':
      // Exact receptive field: num_conv + 2 unpadded 3x3 convs at LR resolution; the upsampled skip adds nothing.
      return srvggRadius(g.config as unknown as SRVGGNetCompactConfig);
    case 'RRDBNet':
      // At x2/x1 the trunk runs on the pixel-unshuffled input, so each conv reaches that many more LR pixels.
      return RRDBNET_OVERLAP * getGeneratorArch<RRDBNetConfig>(g.arch).inputMultiple(g.config as unknown as RRDBNetConfig);
    default:
      throw new Error(`${g.arch} is not a generator`);
  }
}

/**
 * The engine's view of a generator: its forward, scale, input alignment, default overlap, and a default tile at least
 * 4x the overlap so the padding costs at most (1 + 2/4)^2 = 2.25x the work of the tiles themselves.
 */
export function generatorTileModel(g: Generator, minTile = 64): TileModel {
  const overlap = defaultOverlap(g);
  const valid = getGeneratorArch(g.arch).validForward?.(g.config);
  return {
    forward: (x) => runGenerator(g, x),
    ...(valid && { valid: { radius: valid.radius, forward: (x, sides) => valid.forward(g.params, x, sides) } }),
    scale: g.scale,
    multiple: getGeneratorArch(g.arch).inputMultiple(g.config),
    overlap,
    tile: Math.max(minTile, 4 * overlap),
    ...(isLumaGenerator(g) && { luma: true }),
  };
}
