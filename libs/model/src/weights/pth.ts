import { WeightsError } from './errors.ts';
import { unzipSync } from 'fflate';
import { decodeToFloat32, DTYPE_BYTES, type WeightDtype } from './dtype.ts';
import { numel, shapeString, type StateDict } from './host-tensor.ts';
import { BufferReader, type StorageRef, TensorRef, torchUnpickler } from './torch-pickle.ts';

/** A file that cannot be read as a PyTorch checkpoint. */
export class PthError extends WeightsError {
  override name = 'PthError';
}

export interface PthContents {
  stateDict: StateDict;
  /** Which wrapper key the tensors came from (`params_ema`, `params`, `state_dict`...), or null for a bare dict. */
  wrapper: string | null;
  /** The stored element type of each tensor (all are decoded to float32). */
  dtypes: Record<string, WeightDtype>;
}

type StorageBytes = (ref: StorageRef) => Uint8Array;

/** Wrappers tried in order: BasicSR saves both `params` and `params_ema`; the EMA weights are the better ones. */
const WRAPPERS = ['params_ema', 'params', 'state_dict', 'model'];

// Legacy (pre-1.6) files start with a pickled LONG1 magic number that the pickle library cannot hold in a double.
const LEGACY_MAGIC = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function isLegacy(bytes: Uint8Array): boolean {
  return bytes.length > LEGACY_MAGIC.length && LEGACY_MAGIC.every((b, i) => bytes[i] === b);
}

function readZip(bytes: Uint8Array): { root: unknown; storage: StorageBytes } {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new PthError(`corrupt zip archive (${(err as Error).message})`);
  }
  const pkl = Object.keys(entries).find((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
  if (!pkl) throw new PthError('zip archive has no data.pkl: not a torch.save file');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const order = entries[`${prefix}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== 'little') throw new PthError('big-endian checkpoints are not supported');
  const root = torchUnpickler().parse(entries[pkl]);
  return {
    root,
    storage: (ref) => {
      const data = entries[`${prefix}data/${ref.key}`];
      if (!data) throw new PthError(`storage data/${ref.key} is missing from the archive`);
      return data;
    },
  };
}

function readLegacy(bytes: Uint8Array): { root: unknown; storage: StorageBytes } {
  const reader = new BufferReader(bytes);
  reader.skip(LEGACY_MAGIC.length);
  const parser = torchUnpickler();
  const protocol = parser.read<number>(reader);
  if (protocol !== 1001) throw new PthError(`unsupported legacy protocol version ${protocol}`);
  parser.read(reader); // sys_info: endianness and type sizes
  const root = parser.read(reader);
  const keys = parser.read<unknown[]>(reader);
  const refs = new Map<string, StorageRef>();
  collectStorages(root, refs);
  // After the key list, each storage is an int64 element count followed by its raw bytes, in key order.
  const blobs = new Map<string, Uint8Array>();
  let pos = reader.position;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.map(String)) {
    const ref = refs.get(key);
    if (!ref) throw new PthError(`legacy checkpoint lists storage ${key} that no tensor uses`);
    if (pos + 8 > bytes.length) throw new PthError('legacy checkpoint is truncated (storage header)');
    const len = Number(view.getBigInt64(pos, true)) * DTYPE_BYTES[ref.dtype];
    if (pos + 8 + len > bytes.length) throw new PthError(`legacy checkpoint is truncated (storage ${key})`);
    blobs.set(key, bytes.subarray(pos + 8, pos + 8 + len));
    pos += 8 + len;
  }
  return {
    root,
    storage: (ref) => {
      const data = blobs.get(ref.key);
      if (!data) throw new PthError(`storage ${ref.key} has no data`);
      return data;
    },
  };
}

function collectStorages(v: unknown, out: Map<string, StorageRef>): void {
  if (v instanceof TensorRef) out.set(v.storage.key, v.storage);
  else if (v instanceof Map) for (const x of v.values()) collectStorages(x, out);
  else if (Array.isArray(v)) for (const x of v) collectStorages(x, out);
  else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collectStorages(x, out);
  }
}

function entriesOf(v: unknown): Array<[unknown, unknown]> | null {
  if (v instanceof Map) return [...v.entries()];
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.entries(v);
  return null;
}

function selectStateDict(root: unknown): { dict: Array<[unknown, unknown]>; wrapper: string | null } {
  const top = entriesOf(root);
  if (!top) throw new PthError('checkpoint root is not a dict');
  for (const w of WRAPPERS) {
    const inner = entriesOf(top.find(([k]) => k === w)?.[1]);
    if (inner) return { dict: inner, wrapper: w };
  }
  return { dict: top, wrapper: null };
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** Copies a strided view of a storage into a contiguous float32 array. */
function materialize(name: string, t: TensorRef, storage: Float32Array): Float32Array {
  const n = numel(t.shape);
  const out = new Float32Array(n);
  if (n === 0) return out;
  let last = t.offset;
  t.shape.forEach((d, i) => (last += (d - 1) * t.stride[i]));
  if (t.offset < 0 || last >= storage.length) {
    throw new PthError(`tensor "${name}" ${shapeString(t.shape)} reads past its storage of ${storage.length} elements`);
  }
  if (isContiguous(t.shape, t.stride)) return storage.slice(t.offset, t.offset + n);
  const rank = t.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = storage[src];
    for (let d = rank - 1; d >= 0; d--) {
      src += t.stride[d];
      if (++idx[d] < t.shape[d]) break;
      src -= t.stride[d] * t.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Reads a `torch.save` checkpoint (zip format, or the legacy pre-1.6 format) into float32 tensors in PyTorch
 * layout. Pure: works on bytes, so it runs anywhere. Entries that are not tensors (e.g. an `iter` counter) are
 * an error inside a state dict, since weights would silently be missing.
 */
export function readPth(bytes: Uint8Array): PthContents {
  let parsed: { root: unknown; storage: StorageBytes };
  try {
    if (isZip(bytes)) parsed = readZip(bytes);
    else if (isLegacy(bytes)) parsed = readLegacy(bytes);
    else throw new PthError('not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save pickle)');
  } catch (err) {
    if (err instanceof PthError) throw err;
    throw new PthError(`cannot unpickle checkpoint: ${(err as Error).message}`);
  }
  const { dict, wrapper } = selectStateDict(parsed.root);
  const decoded = new Map<string, Float32Array>();
  const stateDict: StateDict = {};
  const dtypes: Record<string, WeightDtype> = {};
  for (const [key, value] of dict) {
    const name = String(key);
    if (!(value instanceof TensorRef)) throw new PthError(`entry "${name}" is not a tensor`);
    const ref = value.storage;
    let storage = decoded.get(ref.key);
    if (!storage) {
      const raw = parsed.storage(ref);
      storage = decodeToFloat32(raw, ref.dtype, Math.floor(raw.byteLength / DTYPE_BYTES[ref.dtype]));
      decoded.set(ref.key, storage);
    }
    stateDict[name] = { shape: [...value.shape], data: materialize(name, value, storage) };
    dtypes[name] = ref.dtype;
  }
  if (Object.keys(stateDict).length === 0) throw new PthError('checkpoint holds no tensors');
  return { stateDict, wrapper, dtypes };
}
