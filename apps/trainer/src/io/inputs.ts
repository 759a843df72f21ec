import { stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { CliError } from '../cli-error.ts';
import { IMAGE_EXTS } from './image-folder.ts';

export const VIDEO_EXTS = new Set(['.mp4', '.mkv', '.mov', '.webm', '.avi', '.m4v']);

export const isVideoPath = (path: string): boolean => VIDEO_EXTS.has(extname(path).toLowerCase());

/** One file to process and the name (relative path) its output keeps under an output folder. */
export interface InputFile {
  path: string;
  name: string;
}

export interface CollectOptions {
  /** Descend into sub-folders of folder inputs (their relative paths are kept). */
  recursive: boolean;
}

/** The part of a glob before its first segment with a pattern character: names are kept relative to it. */
function globBase(pattern: string): string {
  const parts = pattern.split(/[\\/]/);
  const i = parts.findIndex((p) => isDynamicPattern(p));
  return parts.slice(0, i < 0 ? parts.length - 1 : i).join('/') || '.';
}

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

const isImageName = (name: string) => IMAGE_EXTS.has(extname(name).toLowerCase());

/**
 * Expands the command line inputs in order: a file as itself (whatever its extension: a bad one is reported when it is
 * read), a folder as the images in it (by extension; sub-folders with `recursive`), anything else as a glob
 * (tinyglobby). Throws a CliError for an input that names nothing; a file named twice is kept once.
 */
export async function collectInputs(inputs: string[], opts: CollectOptions): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const input of inputs) {
    const kind = await kindOf(input);
    if (kind === 'file') {
      files.push({ path: input, name: basename(input) });
    } else if (kind === 'dir') {
      const found = await glob(opts.recursive ? '**/*' : '*', { cwd: input, onlyFiles: true, dot: false, expandDirectories: false });
      const images = found.filter(isImageName).sort();
      if (images.length === 0) throw new CliError(`no images (${[...IMAGE_EXTS].join(', ')}) in ${input}${opts.recursive ? '' : ' (sub-folders need --recursive)'}`);
      for (const name of images) files.push({ path: join(input, name), name: name.split('/').join(sep) });
    } else if (isDynamicPattern(input)) {
      const base = globBase(input);
      const found = (await glob(input, { onlyFiles: true, expandDirectories: false })).sort();
      if (found.length === 0) throw new CliError(`no files match ${input}`);
      for (const path of found) files.push({ path, name: relative(base, path) });
    } else {
      throw new CliError(`cannot read ${input}: no such file or folder`);
    }
  }
  return files.filter((f, i) => files.findIndex((g) => g.path === f.path) === i);
}
