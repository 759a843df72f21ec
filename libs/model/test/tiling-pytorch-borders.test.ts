import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, importWeights, initBackend, Upscaler, type Generator } from '../src/index.ts';
import { BORDER_FIXTURES, borderCases, compare, readPng } from './pytorch-borders.ts';

/**
 * The engine against PyTorch's whole-image inference (zero padding at the image border) on converted `.pth` files:
 * whole image, default options and small tiles with the default overlap all equal PyTorch within 1 grey level at every
 * pixel; reflect padding does not (so the comparison can fail). `SR_PARITY_REPORT=1` prints the measured differences.
 */

const report = process.env.SR_PARITY_REPORT ? (line: string) => console.log(line) : () => {};

describe('tiling engine == PyTorch whole-image inference at the border (converted .pth, wasm)', () => {
  const loaded = new Map<string, Generator>();

  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', log: null });
  });
  afterAll(() => loaded.forEach((g) => disposeParams(g.params)));

  async function generator(pth: string): Promise<Generator> {
    if (!loaded.has(pth)) loaded.set(pth, (await importWeights(new Uint8Array(readFileSync(join(BORDER_FIXTURES, pth))))).generator);
    return loaded.get(pth)!;
  }

  const runs = borderCases.flatMap((c) => Object.entries(c.outputs).map(([input, output]) => [c.name, input, output, c] as const));

  // Small tiles (32 px, 16 for the unshuffling x2/x1 nets with their 2x/4x overlap): on the 96x80 inputs the windows
  // (tile + 2 overlap) are smaller than the image, so interior tiles take their context from their neighbours; on the
  // small inputs a window covers the image and tiling runs it once.
  it.each(runs)('%s on %s: whole image, default options and small tiles within 1 grey level everywhere', async (name, input, output, c) => {
    const g = await generator(c.pth);
    expect(g.arch).toBe(c.arch);
    const image = await readPng(input);
    const reference = await readPng(output);
    const up = Upscaler.forGenerator(g);
    const whole = compare(await up.upscale(image, { tile: 0 }), reference);
    const defaults = compare(await up.upscale(image), reference);
    const tile = (up.model.multiple ?? 1) > 1 ? 16 : 32;
    const plan = up.plan(image.width, image.height, { tile });
    if (image.width === 96) expect(plan.windowWidth).toBeLessThan(image.width);
    const tiled = compare(await up.upscale(image, { tile }), reference);
    report(`${name} ${input}: max diff whole ${whole.max}, default ${defaults.max}, tiled ${tiled.max} (${plan.tiles.length} tiles of ${plan.tileWidth}, overlap ${plan.pad}, windows ${plan.windowWidth}x${plan.windowHeight})`);
    expect(whole.max).toBeLessThanOrEqual(1);
    expect(defaults.max).toBeLessThanOrEqual(1);
    expect(tiled.max).toBeLessThanOrEqual(1);
  });

  it.each(borderCases.map((c) => [c.name, c] as const))('%s: reflect padding differs from PyTorch at the border (the check can fail)', async (name, c) => {
    const image = await readPng('input-40x36.png');
    const reference = await readPng(c.outputs['input-40x36.png']);
    const reflect = compare(await Upscaler.forGenerator(await generator(c.pth)).upscale(image, { padding: 'reflect' }), reference);
    report(`${name}: reflect padding max diff ${reflect.max}, ${reflect.over} samples off by more than 1`);
    expect(reflect.max).toBeGreaterThan(1);
  });
});
