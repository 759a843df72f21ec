import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageU8 } from '@sr/metrics';
import { BORDER_FIXTURES, borderCases, compare, readPng } from '../../../libs/model/test/pytorch-borders.ts';
import { srInProcess } from './helpers.ts';

/**
 * Issue #12's border check: `sr upscale IN --model FILE.pth --out OUT.png` with default options equals PyTorch's
 * whole-image inference (zero padding at the image border) within 1 grey level at every pixel, for converted RRDBNet
 * (23 blocks x4, 2 blocks x2 and x1, original ESRGAN keys, params_ema) and SRVGGNetCompact (32 convs) files on a 40x36
 * image (and 39x35 for the pixel-unshuffling x2/x1).
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-upscale-borders-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function readRgb(path: string): Promise<ImageU8> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

// The 40x36 image, and for RRDBNet x2/x1 a 39x35 one (reflect-extended to their input multiple, as Real-ESRGAN does).
const runs = borderCases.flatMap((c) =>
  Object.entries(c.outputs)
    .filter(([input]) => input !== 'input-96x80.png')
    .map(([input, output]) => [c.name, input, output, c.pth] as const),
);

describe('sr upscale == PyTorch at the image border (default options, converted .pth)', () => {
  it.each(runs)('%s on %s', async (name, input, output, pth) => {
    const out = join(dir, `${name}-${input}`);
    const r = await srInProcess('upscale', join(BORDER_FIXTURES, input), '--model', join(BORDER_FIXTURES, pth), '--out', out);
    expect(r.error).toBeUndefined();
    const diff = compare(await readRgb(out), await readPng(output));
    expect(diff.max, `${name}: ${diff.over} samples off by more than 1`).toBeLessThanOrEqual(1);
  });
});
