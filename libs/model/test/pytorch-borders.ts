/** The PyTorch border fixtures (tools/pytorch/make_border_fixtures.py): cases, their images, a max-diff helper. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageU8 } from '@sr/metrics';

export const BORDER_FIXTURES = join(import.meta.dirname, 'fixtures/border');

export interface BorderCase {
  name: string;
  arch: string;
  config: { scale?: number; upscale?: number };
  pth: string;
  note: string;
  /** Input PNG → PyTorch's whole-image 8-bit output PNG. */
  outputs: Record<string, string>;
}

export const borderCases: BorderCase[] = JSON.parse(readFileSync(join(BORDER_FIXTURES, 'manifest.json'), 'utf8')).cases;

export async function readPng(name: string): Promise<ImageU8> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(join(BORDER_FIXTURES, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

/** Largest per-sample difference and how many samples differ by more than `tolerance`. */
export function compare(a: ImageU8, b: ImageU8, tolerance = 1): { max: number; over: number } {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`shape ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
  let max = 0;
  let over = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (d > max) max = d;
    if (d > tolerance) over++;
  }
  return { max, over };
}
