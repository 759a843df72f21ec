import { readFileSync, writeFileSync } from 'node:fs';
import { getGeneratorArch, parseSafetensors, serializeSafetensors } from '@sr/model';
import { Rng } from '../data/rng.ts';

export interface NoiseOptions {
  /** Tensor to perturb; default the output conv's kernel (it acts on the output directly, trained or not). */
  tensor?: string;
  /** Gaussian noise standard deviation; with `relative`, as a fraction of the tensor's RMS. */
  std: number;
  relative?: boolean;
}

/** The last conv kernel of the architecture named in sr-toolkit model-file metadata. */
function outputConv(metadata: Record<string, string>): string {
  if (!metadata.arch || !metadata.config) throw new Error('not an sr-toolkit model file: name the tensor to perturb');
  const spec = getGeneratorArch(metadata.arch);
  const shapes = spec.paramShapes(spec.parseConfig(JSON.parse(metadata.config)));
  return Object.keys(shapes).filter((k) => shapes[k].length === 4).at(-1)!;
}

/**
 * Writes a copy of a safetensors weight file with seeded Gaussian noise added to one tensor (same names, metadata and
 * dtype otherwise): a stand-in for a silently damaged model. Returns the perturbed tensor's name.
 */
export function writeNoisyCopy(src: string, dst: string, o: NoiseOptions): string {
  const { tensors, metadata, dtypes } = parseSafetensors(new Uint8Array(readFileSync(src)));
  const name = o.tensor ?? outputConv(metadata);
  if (!tensors[name]) throw new Error(`${src}: no tensor ${name} to perturb`);
  const t = tensors[name];
  const rms = Math.sqrt(t.data.reduce((s, v) => s + v * v, 0) / t.data.length);
  const std = o.relative ? o.std * rms : o.std;
  const rng = Rng.fromSeed(7);
  t.data = t.data.map((v) => v + std * rng.normal());
  writeFileSync(dst, serializeSafetensors(tensors, metadata, { dtype: Object.values(dtypes).includes('F16') ? 'F16' : 'F32' }));
  return name;
}
