import { readdir } from 'node:fs/promises';
import { extname, join, parse } from 'node:path';
import { CliError } from '../cli-error.ts';

export const IMAGE_EXTS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff']);

/** The image files directly inside `dir` (by extension), sorted by name. */
export async function listImages(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new CliError(`cannot list ${dir}: no such folder`);
  }
  const images = names.filter((n) => IMAGE_EXTS.has(extname(n).toLowerCase())).sort();
  if (images.length === 0) throw new CliError(`no images (${[...IMAGE_EXTS].join(', ')}) in ${dir}`);
  return images;
}

/** The BasicSR/DIV2K naming of an LR counterpart: `<lrDir>/<stem>x<scale>.png`. */
export function lrPathFor(lrDir: string, hrName: string, scale: number): string {
  return join(lrDir, `${parse(hrName).name}x${scale}.png`);
}
