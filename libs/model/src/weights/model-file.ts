import type { Generator } from '../archs/types.ts';
import type { WeightDtype } from './dtype.ts';
import { WeightsError } from './errors.ts';
import { type ArchHint, generatorFromStateDict, generatorToStateDict } from './generator-weights.ts';
import type { StateDict } from './host-tensor.ts';
import { normalizeKeys } from './key-schemes.ts';
import { readPth } from './pth.ts';
import { parseSafetensors, serializeSafetensors } from './safetensors.ts';

export const MODEL_FORMAT = 'sr-toolkit/1';

/** Optional metadata a writer may add; numbers are stored as strings (safetensors metadata is string-only). */
export interface ExtraMetadata {
  phase?: string;
  alpha?: number;
  iterations?: number;
  trained_with?: string;
  val_psnr_y?: number;
  val_ssim_y?: number;
  [key: string]: string | number | undefined;
}

export interface SaveOptions {
  /** Store tensors as float16 (half the size; ~3 significant digits). */
  fp16?: boolean;
}

export interface LoadedModel {
  generator: Generator;
  /** The file's `__metadata__` (for imported checkpoints: what it would be when saved). */
  metadata: Record<string, string>;
  /** Hex SHA-256 of the file bytes. */
  sha256: string;
  /** Distinct stored element types of the generator's tensors, e.g. ['F16']. */
  dtypes: WeightDtype[];
}

export type WeightFormat = 'safetensors' | 'pth';

const RESERVED = ['format', 'arch', 'config', 'scale'];

export function modelMetadata(g: Generator, extra: ExtraMetadata = {}): Record<string, string> {
  const meta: Record<string, string> = { format: MODEL_FORMAT, arch: g.arch, config: JSON.stringify(g.config), scale: String(g.scale) };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) continue;
    if (RESERVED.includes(k)) throw new WeightsError(`metadata key "${k}" is reserved`);
    meta[k] = String(v);
  }
  return meta;
}

/** A generator as model-file bytes (safetensors, PyTorch names/layouts, sr-toolkit metadata). */
export async function encodeModelFile(g: Generator, extra: ExtraMetadata = {}, opts: SaveOptions = {}): Promise<Uint8Array> {
  return serializeSafetensors(await generatorToStateDict(g), modelMetadata(g, extra), { dtype: opts.fp16 ? 'F16' : 'F32' });
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function archFromMetadata(meta: Record<string, string>): ArchHint | undefined {
  if (meta.format === undefined) return undefined; // foreign safetensors: infer from the keys
  if (meta.format !== MODEL_FORMAT) throw new WeightsError(`unsupported model format "${meta.format}" (expected ${MODEL_FORMAT})`);
  if (!meta.arch || !meta.config) throw new WeightsError('model file metadata lacks "arch" or "config"');
  let config: unknown;
  try {
    config = JSON.parse(meta.config);
  } catch {
    throw new WeightsError('model file metadata "config" is not valid JSON');
  }
  return { arch: meta.arch, config };
}

function distinct(dtypes: Record<string, WeightDtype>): WeightDtype[] {
  return [...new Set(Object.values(dtypes))].sort();
}

/** Which container the bytes are: safetensors (u64 header length + JSON) or a torch.save checkpoint. */
export function sniffWeightFormat(bytes: Uint8Array): WeightFormat | null {
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) return 'pth';
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] === 0x02) return 'pth';
  return null;
}

/**
 * Decodes model-file bytes. Pure (no fs), so the edge API can use it in workerd. A safetensors file without
 * sr-toolkit metadata is accepted when its architecture can be inferred from the keys.
 */
export async function decodeModelFile(bytes: Uint8Array): Promise<LoadedModel> {
  const { tensors, metadata, dtypes } = parseSafetensors(bytes);
  const hint = archFromMetadata(metadata);
  const generator = generatorFromStateDict(tensors, hint);
  if (metadata.scale !== undefined && Number(metadata.scale) !== generator.scale) {
    throw new WeightsError(`metadata scale ${metadata.scale} does not match the ${generator.arch} config (x${generator.scale})`);
  }
  const merged = { ...modelMetadata(generator), ...metadata };
  return { generator, metadata: merged, sha256: await sha256Hex(bytes), dtypes: distinct(dtypes) };
}

/** Any supported weight file (model file, foreign safetensors, PyTorch .pth) → generator. */
export async function importWeights(bytes: Uint8Array, hint: ArchHint = {}): Promise<LoadedModel & { format: WeightFormat }> {
  const format = sniffWeightFormat(bytes);
  if (format === 'safetensors') return { ...(await decodeModelFile(bytes)), format };
  if (format !== 'pth') throw new WeightsError('not a safetensors or PyTorch file');
  const { stateDict, wrapper, dtypes } = readPth(bytes);
  const { stateDict: named, scheme } = normalizeKeys(stateDict);
  const generator = generatorFromStateDict(named, hint);
  const metadata = modelMetadata(generator, { source_wrapper: wrapper ?? undefined, source_keys: scheme });
  return { generator, metadata, sha256: await sha256Hex(bytes), dtypes: distinct(dtypes), format };
}

/** Node: writes a model file atomically (temp file + rename). Returns the file's SHA-256. */
export async function saveModelFile(path: string, g: Generator, extra: ExtraMetadata = {}, opts: SaveOptions = {}): Promise<string> {
  const bytes = await encodeModelFile(g, extra, opts);
  await writeFileAtomic(path, bytes);
  return sha256Hex(bytes);
}

/** Node: writes raw tensors (PyTorch names/layout, no architecture) as safetensors, atomically. */
export async function saveStateDictFile(path: string, sd: StateDict, metadata: Record<string, string> = {}, opts: SaveOptions = {}): Promise<string> {
  const bytes = serializeSafetensors(sd, metadata, { dtype: opts.fp16 ? 'F16' : 'F32' });
  await writeFileAtomic(path, bytes);
  return sha256Hex(bytes);
}

export interface RawWeights {
  format: WeightFormat;
  /** Wrapper selected and keys normalized (BasicSR names). */
  stateDict: StateDict;
  dtypes: WeightDtype[];
  /** safetensors `__metadata__` ({} for .pth). */
  metadata: Record<string, string>;
}

/** Any weight file → its tensors as stored, without recognizing an architecture. */
export function readStateDict(bytes: Uint8Array): RawWeights {
  const format = sniffWeightFormat(bytes);
  if (format === 'safetensors') {
    const st = parseSafetensors(bytes);
    return { format, stateDict: normalizeKeys(st.tensors).stateDict, dtypes: distinct(st.dtypes), metadata: st.metadata };
  }
  if (format !== 'pth') throw new WeightsError('not a safetensors or PyTorch file');
  const pth = readPth(bytes);
  return { format, stateDict: normalizeKeys(pth.stateDict).stateDict, dtypes: distinct(pth.dtypes), metadata: {} };
}

/** Loads a model file from a path (Node) or from bytes (anywhere). */
export async function loadModelFile(pathOrBytes: string | Uint8Array): Promise<LoadedModel> {
  return decodeModelFile(typeof pathOrBytes === 'string' ? await readFileBytes(pathOrBytes) : pathOrBytes);
}

// Node modules are imported lazily through variable specifiers, so that bundlers for workerd (no file system,
// no nodejs_compat) neither resolve nor warn about them; only the path-taking functions need them.
const FS = 'node:fs/promises';
const PATH = 'node:path';
const nodeFs = async () => (await import(/* @vite-ignore */ FS)) as typeof import('node:fs/promises');
const nodePath = async () => (await import(/* @vite-ignore */ PATH)) as typeof import('node:path');

export async function readFileBytes(path: string): Promise<Uint8Array> {
  const { readFile } = await nodeFs();
  const b = await readFile(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const { mkdir, rename, rm, writeFile } = await nodeFs();
  const { dirname } = await nodePath();
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
