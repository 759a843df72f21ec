import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../src/cli-error.ts';
import { readImageRgb, writeImage } from '../src/io/image-io.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-image-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function raw(width: number, height: number, channels: 1 | 2 | 3 | 4, values: number[]) {
  return sharp(Buffer.from(values), { raw: { width, height, channels } });
}

describe('writeImage / readImageRgb', () => {
  it('round-trips an RGB image losslessly through PNG and leaves no temp file', async () => {
    const img = { width: 3, height: 2, channels: 3, data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) };
    const path = join(dir, 'rgb.png');
    await writeImage(path, img);
    expect(await readImageRgb(path)).toEqual(img);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes float images rounded and clamped, and JPEG/WebP by extension', async () => {
    const img = { width: 16, height: 16, channels: 3, data: new Float64Array(16 * 16 * 3).fill(99.6) };
    for (const ext of ['png', 'jpg', 'webp']) {
      const path = join(dir, `f.${ext}`);
      await writeImage(path, img);
      const back = await readImageRgb(path);
      expect((await sharp(path).metadata()).format).toBe(ext === 'jpg' ? 'jpeg' : ext);
      expect(Math.max(...back.data.map((v) => Math.abs(v - 100)))).toBeLessThanOrEqual(ext === 'png' ? 0 : 2);
    }
  });

  it('replicates grayscale to RGB and flattens alpha onto black', async () => {
    const gray = join(dir, 'gray.png');
    await raw(2, 1, 1, [10, 200]).png().toFile(gray);
    expect(Array.from((await readImageRgb(gray)).data)).toEqual([10, 10, 10, 200, 200, 200]);
    const rgba = join(dir, 'rgba.png');
    await raw(2, 1, 4, [100, 50, 20, 255, 200, 10, 0, 0]).png().toFile(rgba);
    expect(Array.from((await readImageRgb(rgba)).data)).toEqual([100, 50, 20, 0, 0, 0]);
  });

  it('names the file in a CliError for a missing file, a folder, a non-image and a bad extension', async () => {
    const notImage = join(dir, 'notes.png');
    await writeFile(notImage, 'not an image');
    await expect(readImageRgb(join(dir, 'missing.png'))).rejects.toThrow(new CliError(`cannot read ${join(dir, 'missing.png')}: no such file`));
    await expect(readImageRgb(dir)).rejects.toThrow(/not a file/);
    await expect(readImageRgb(notImage)).rejects.toSatisfy((e) => e instanceof CliError && e.message.includes(notImage));
    const img = { width: 1, height: 1, channels: 3, data: new Uint8Array(3) };
    await expect(writeImage(join(dir, 'x.bmp'), img)).rejects.toThrow(/unsupported extension '\.bmp'/);
  });
});
