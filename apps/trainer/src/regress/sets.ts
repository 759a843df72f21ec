import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, parse } from 'node:path';
import { cropImage, type ImageU8 } from '@sr/metrics';
import { CliError } from '../cli-error.ts';
import { listImages } from '../io/image-folder.ts';
import { readImageRgb, writeImage } from '../io/image-io.ts';
import { syntheticEvalSet } from './synthetic-set.ts';

/** The built-in set: five seeded 128×128 scenes, pinned by the sha256 of their pixels in the tests. */
export const SYNTHETIC_SET = 'synthetic-5x128';

/** A set of HR images to score on: the built-in synthetic one (no `folder`) or a user folder. */
export interface SetSpec {
  name: string;
  folder?: string;
  /** Keep only the centre N×N of each image (smaller images are kept whole). */
  cropCenter?: number;
}

/** A set written as PNG (lossless, so the folder evaluator sees exactly these pixels), with the hash of those pixels. */
export interface EvalSet {
  name: string;
  hrDir: string;
  images: number;
  pixelsSha256: string;
}

const SET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses `NAME=FOLDER` (the `--set` syntax). */
export function parseSetArg(raw: string, cropCenter?: number): SetSpec {
  const eq = raw.indexOf('=');
  const name = raw.slice(0, eq);
  const folder = raw.slice(eq + 1);
  if (eq < 1 || !folder) throw new CliError(`--set wants NAME=FOLDER, got '${raw}'`);
  if (!SET_NAME.test(name)) throw new CliError(`--set name '${name}': use letters, digits, '.', '_' and '-'`);
  if (name === SYNTHETIC_SET) throw new CliError(`--set name '${name}' is the built-in set's`);
  return { name, folder, cropCenter };
}

function centreCrop(img: ImageU8, side: number): ImageU8 {
  const w = Math.min(side, img.width);
  const h = Math.min(side, img.height);
  return cropImage(img, Math.floor((img.width - w) / 2), Math.floor((img.height - h) / 2), w, h);
}

async function imagesOf(spec: SetSpec): Promise<Array<{ name: string; image: ImageU8 }>> {
  if (!spec.folder) return syntheticEvalSet().map((s) => ({ ...s }));
  if (!existsSync(spec.folder) || !statSync(spec.folder).isDirectory()) throw new CliError(`set ${spec.name}: no folder ${spec.folder}`);
  const names = await listImages(spec.folder);
  if (names.length === 0) throw new CliError(`set ${spec.name}: no images in ${spec.folder}`);
  const out = [];
  const stems = new Set<string>();
  for (const name of names) {
    const stem = parse(name).name;
    if (stems.has(stem)) throw new CliError(`set ${spec.name}: two images named ${stem} in ${spec.folder}`);
    stems.add(stem);
    let image: ImageU8;
    try {
      image = await readImageRgb(join(spec.folder, name));
    } catch (err) {
      throw new CliError(`set ${spec.name}: cannot read ${name}: ${(err as Error).message}`);
    }
    out.push({ name: `${stem}.png`, image: spec.cropCenter ? centreCrop(image, spec.cropCenter) : image });
  }
  return out;
}

/** Writes every set under `workDir`, in the order given. */
export async function prepareSets(workDir: string, specs: readonly SetSpec[]): Promise<EvalSet[]> {
  const sets: EvalSet[] = [];
  for (const spec of specs) {
    const hrDir = join(workDir, spec.name);
    await mkdir(hrDir, { recursive: true });
    const hash = createHash('sha256');
    const images = await imagesOf(spec);
    for (const { name, image } of images) {
      hash.update(name).update(image.data);
      await writeImage(join(hrDir, name), image);
    }
    sets.push({ name: spec.name, hrDir, images: images.length, pixelsSha256: hash.digest('hex') });
  }
  return sets;
}
